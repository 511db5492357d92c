// Package example is a suite of a team's own on picohil, in its own Go
// module: it checks what the firmware does beyond echo, baud and blink,
// through the public core (harness/hil) and nothing the bundled suite
// keeps to itself. `make example` runs it; specs/example/README.md says
// what it checks and why.
package example

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"

	// The targets this suite offers besides the hardware ones.
	_ "github.com/picohil/picohil/fixtures/micropython"
	_ "github.com/picohil/picohil/fixtures/virtual"
)

func TestExample(t *testing.T) {
	hil.RunSpecs(t, hil.Suite{Name: "picohil example suite", Command: "make example"})
}

// rig is what BeforeSuite opened.
var rig *hil.Rig

var _ = BeforeSuite(func(ctx SpecContext) {
	rig = &hil.Rig{}
	DeferCleanup(rig.Close)
	hil.ExpectOpened(rig.Open(ctx, hil.Options{}))
}, NodeTimeout(timeouts.Setup))

// Labels, declared once.
var labelControl = hil.Label("control")

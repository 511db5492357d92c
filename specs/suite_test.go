// Package specs is the picohil HIL suite: echo, baud and blink specs that
// run unchanged against a real Pico or a loopback fixture. The bench comes
// from the environment (see harness/bench); `make hil` runs it.
package specs

import (
	"context"
	"fmt"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/picohil/picohil/harness/bench"
	"github.com/picohil/picohil/harness/control"
	"github.com/picohil/picohil/harness/link"
)

var (
	cfg, cfgErr = bench.FromEnv(os.Getenv)
	timeouts    = timeoutsFor(cfg)
)

// rig is what BeforeSuite opened; specs read it.
var rig struct {
	bench    *bench.Bench
	data     *link.Link
	ctl      *control.Client
	firmware string
}

func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	if cfgErr != nil {
		t.Fatalf("picohil: bad bench configuration:\n%v", cfgErr)
	}
	fmt.Printf("picohil: target %s — %s\n", cfg.Target, cfg.Reason)
	RunSpecs(t, "picohil HIL suite")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	b, err := bench.Open(ctx, cfg)
	expectNoError(err, "the bench opens", "see the hint above")
	DeferCleanup(b.Halt)
	rig.bench = b
	AddReportEntry("bench", b.Describe())
	runPreflight(ctx, b)

	rig.data, err = link.Open(b.DataPort, cfg.Baud)
	expectNoError(err, "the data UART opens", "see the hint above")
	DeferCleanup(rig.data.Close)

	if b.ControlPort == "" {
		return
	}
	ctl, err := openControl(b)
	expectNoError(err, "the control channel opens", "see the hint above")
	DeferCleanup(ctl.Close)
	rig.ctl = control.New(ctl)
	vctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
	defer cancel()
	v, err := rig.ctl.Version(vctx)
	expectNoError(err, "the firmware answers VERSION with OK <name> <semver>",
		"is the firmware running? is the control port the Pico's USB serial? lines seen: "+fmt.Sprint(rig.ctl.Noise))
	rig.firmware = v.String()
	AddReportEntry("firmware", rig.firmware)
}, NodeTimeout(timeouts.Setup))

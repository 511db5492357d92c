package hil

import (
	"os/exec"
	"testing"

	"github.com/picohil/picohil/harness/support/qemuuser"
)

// The example suite is a module of its own, out of reach of this module's
// go vet ./...: a change to the public core that breaks it fails here.
func TestTheExampleModuleVets(t *testing.T) {
	qemuuser.Skip(t, "it runs the go command of the host")
	if testing.Short() {
		t.Skip("-short: the example module is not built")
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = "../../specs/example"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet in specs/example: %v\n%s", err, out)
	}
}

package reset_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/fixtures/virtual/virtualtest"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/target/reset"
)

// An external test: the virtual Pico registers as a target, and the target
// package refers to this one.
func TestResetTheVirtualPico(t *testing.T) {
	for _, tc := range []struct {
		faults virtual.Faults
		ok     bool
	}{{virtual.Faults{}, true}, {virtual.Faults{virtual.SlowBoot: true}, false}} {
		d := virtualtest.Start(t, virtual.Config{BlinkHalf: 20 * time.Millisecond, Faults: tc.faults})
		l := virtualtest.Open(t, d.ControlPort(), virtual.DefaultBaud)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r, err := reset.Reset(ctx, d.Run(), reset.DefaultPulse, control.New(l))
		cancel()
		if tc.ok && (err != nil || r.Version.Name != virtual.FirmwareName || r.Recovered < virtual.DefaultBootTime) {
			t.Fatalf("clean: %+v, %v", r, err)
		}
		var re *reset.Error
		if !tc.ok && (!errors.As(err, &re) || re.Stage != reset.StageWait) {
			t.Fatalf("slow-boot: %+v, %v", r, err)
		}
	}
}

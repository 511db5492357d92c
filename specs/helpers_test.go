package specs

import (
	"context"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/preflight"
)

// The tape records every judged measurement beside the traffic.
func init() { hil.OnRecord(recordVerdict) }

// bounded gives one operation a deadline: its physical duration plus
// opGrace, the duration deviceSlowdown times over on a target timed on
// its own clock (the deadline only bounds a hang there: the device's
// stamps judge it).
func bounded(ctx context.Context, physics time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, onDevice(physics)+opGrace)
}

// onDevice is how long physics may take by the host's clock: longer on a
// target with a device clock, which may run slower than real time, by the
// target's own Slowdown where its driver gives one.
func onDevice(physics time.Duration) time.Duration {
	if rig.Bench == nil || rig.Bench.Clock == nil {
		return physics
	}
	if s := target.SlowdownOf(cfg.Driver()); s > 0 {
		return time.Duration(s * float64(physics))
	}
	return deviceSlowdown * physics
}

// flushData resynchronises the data line so each spec starts on a quiet
// one: garbage, a break or a burst left by an earlier spec fails that spec
// only, not every one after it.
func flushData(ctx context.Context) {
	GinkgoHelper()
	_, err := rig.Data.Resync(ctx)
	hil.ExpectNoError(err, "the data UART goes quiet", "something keeps sending on the data line: a stuck burst or a boot loop")
}

// deviceStopped names the report entry that carries a dead device's last
// words (a firmware traceback) into the failure.
const deviceStopped = "device stopped"

func died() error {
	if rig.Bench == nil || rig.Bench.Died == nil {
		return nil
	}
	return rig.Bench.Died()
}

// A device that stopped fails every later spec at once, with its reason;
// a spec that needs the control protocol skips first where the firmware
// never spoke it.
var _ = BeforeEach(func() {
	if rig.Silent != "" && slices.Contains(CurrentSpecReport().Labels(), labelControl[0]) {
		Skip(preflight.NoProtocol)
	}
	if err := died(); err != nil {
		Fail(hil.Explain("the device running", err.Error(), "the firmware crashed: fix the traceback above"))
	}
})

// A failed spec carries the device's traceback if it died during the spec.
var _ = AfterEach(func() {
	if err := died(); err != nil && CurrentSpecReport().Failed() {
		AddReportEntry(deviceStopped, err.Error())
	}
})

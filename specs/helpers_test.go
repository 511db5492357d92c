package specs

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
)

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
	if s := hil.Target().Slowdown; s > 0 {
		return time.Duration(s * float64(physics))
	}
	return deviceSlowdown * physics
}

// flushData resynchronises the data line so each spec starts on a quiet
// one: garbage, a break or a burst left by an earlier spec fails that spec
// only, not every one after it. On a target slower than real time the
// line must stay quiet as much longer (its driver's Slowdown).
func flushData(ctx context.Context) {
	GinkgoHelper()
	_, err := rig.Data.ResyncSlowed(ctx, hil.Target().Slowdown)
	hil.ExpectNoError(err, "the data UART goes quiet", "something keeps sending on the data line: a stuck burst or a boot loop")
}

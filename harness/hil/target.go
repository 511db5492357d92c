package hil

import (
	"errors"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/bench"
	"github.com/picohil/picohil/harness/target/preflight"
)

// TargetInfo is what a suite's deadlines need to know of the target
// Config names (harness/target), before it is opened.
type TargetInfo struct {
	// Fixture says it stands in for hardware: a model, an interpreter or
	// an emulator, judged on its device clock.
	Fixture bool
	// Slowdown is how many times slower than real time its device may
	// run; 0 where the target does not say.
	Slowdown float64
	// Start is how long opening it may take.
	Start time.Duration
	// Jumper says there is no firmware: the harness plays it over a
	// TX-RX jumper.
	Jumper bool
}

// Target describes the target Config names.
func Target() TargetInfo {
	d := cfg.Driver()
	return TargetInfo{Fixture: target.IsFixture(d), Slowdown: target.SlowdownOf(d), Start: target.StartTimeOf(d), Jumper: cfg.Target == bench.Jumper}
}

// LEDWindow is how long ExpectServing waits for the LED to toggle at the
// bench's cadence: preflight.LEDWindow, as many times longer as the target
// may run slower than real time (a deadline, not a judgement: on a slowed
// target a just-restarted firmware is busy booting while the host's clock
// runs on).
func LEDWindow() time.Duration {
	w := preflight.LEDWindow(cfg.BlinkHalf, cfg.JitterTol)
	if s := Target().Slowdown; s > 1 {
		w = time.Duration(s * float64(w))
	}
	return w
}

// NoteClock says whose clock timed the running spec's measurements:
// "device", or what echo.Timing.Clock says; report.json carries it.
func NoteClock(clock string) {
	ginkgo.AddReportEntry(report.ClockEntry, clock, ginkgo.ReportEntryVisibilityNever)
}

// NoteHostLate records how many samples of the running spec the host's
// own lateness spoiled (harness/measure/stall), where any did.
func NoteHostLate(n int) {
	if n > 0 {
		ginkgo.AddReportEntry(report.HostLateEntry, n)
	}
}

// ExpectConclusive ends the running spec inconclusive when err says the
// host was too late to measure it (a *stall.HostLateError): never a pass,
// never the firmware's failure. report.json and JUnit mark it so.
func ExpectConclusive(err error) {
	ginkgo.GinkgoHelper()
	if _, ok := errors.AsType[*stall.HostLateError](err); ok {
		ginkgo.AddReportEntry(report.InconclusiveEntry, err.Error())
		ginkgo.Fail(report.InconclusivePrefix + Explain("a clean measurement within its tries", err.Error(),
			"the host was too busy to time this spec; the firmware was neither passed nor failed"))
	}
}

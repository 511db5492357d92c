package specs

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/bench"
	"github.com/picohil/picohil/harness/preflight"
	"github.com/picohil/picohil/harness/stats"
)

// record attaches a measurement to the running spec for the reports.
func record(m stats.Measurement) stats.Measurement {
	AddReportEntry(m.Name, m)
	recordVerdict(m)
	return m
}

// keep attaches a raw timeline to the running spec for the reports only.
func keep(t stats.Trace) {
	AddReportEntry(t.Name, t, ReportEntryVisibilityNever)
}

// expectWithin fails the spec unless m is within its limits.
func expectWithin(m stats.Measurement, seen, hint string) {
	GinkgoHelper()
	if !m.Pass {
		Fail(explain(fmt.Sprintf("%s within %s %s", m.Name, m.Limits, m.Unit), m.String()+"\n"+seen, hint))
	}
}

// expectNoError fails the spec with what was expected if err is not nil.
func expectNoError(err error, expected, hint string) {
	GinkgoHelper()
	if err != nil {
		noteBenchCause(err)
		Fail(explain(expected, err.Error(), hint))
	}
}

// explain formats a failure: expected, seen, what to check, how to rerun.
func explain(expected, seen, hint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected: %s\nseen:     %s\n", expected, strings.TrimRight(seen, "\n"))
	if hint != "" {
		fmt.Fprintf(&b, "check:    %s\n", hint)
	}
	fmt.Fprintf(&b, "rerun:    %s", reproduce())
	return b.String()
}

func reproduce() string {
	focus := regexp.QuoteMeta(CurrentSpecReport().LeafNodeText)
	return fmt.Sprintf("%s make hil%s FOCUS='%s'", cfg.Reproduce(), seedArg(GinkgoRandomSeed()), strings.ReplaceAll(focus, "'", `'\''`))
}

// seedArg is the make argument that reruns the specs in this run's order.
func seedArg(seed int64) string { return fmt.Sprintf(" SEED=%d", seed) }

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
	if rig.bench == nil || rig.bench.Clock == nil {
		return physics
	}
	if s := cfg.Driver().Slowdown; s > 0 {
		return time.Duration(s * float64(physics))
	}
	return deviceSlowdown * physics
}

func requireControl() {
	GinkgoHelper()
	if rig.noProtocol {
		Skip(preflight.NoProtocol)
	}
	if rig.ctl == nil && cfg.Target == bench.Jumper {
		Skip("the jumper target has no control channel: the harness plays the firmware over a TX-RX jumper")
	}
	if rig.ctl == nil {
		Skip("this bench has no control channel (set HIL_CONTROL to the Pico's USB serial port)")
	}
}

func requireLED() {
	GinkgoHelper()
	if rig.bench.LED == nil {
		Skip("this bench has no LED input pin (set HIL_LED_PIN, e.g. GPIO17)")
	}
}

// flushData resynchronises the data line so each spec starts on a quiet
// one: garbage, a break or a burst left by an earlier spec fails that spec
// only, not every one after it.
func flushData(ctx context.Context) {
	GinkgoHelper()
	_, err := rig.data.Resync(ctx)
	expectNoError(err, "the data UART goes quiet", "something keeps sending on the data line: a stuck burst or a boot loop")
}

// deviceStopped names the report entry that carries a dead device's last
// words (a firmware traceback) into the failure.
const deviceStopped = "device stopped"

func died() error {
	if rig.bench == nil || rig.bench.Died == nil {
		return nil
	}
	return rig.bench.Died()
}

// A device that stopped fails every later spec at once, with its reason;
// a spec that needs the control protocol skips first where the firmware
// never spoke it.
var _ = BeforeEach(func() {
	if rig.noProtocol && slices.Contains(CurrentSpecReport().Labels(), labelControl[0]) {
		Skip(preflight.NoProtocol)
	}
	if err := died(); err != nil {
		Fail(explain("the device running", err.Error(), "the firmware crashed: fix the traceback above"))
	}
})

// A failed spec carries the device's traceback if it died during the spec.
var _ = AfterEach(func() {
	if err := died(); err != nil && CurrentSpecReport().Failed() {
		AddReportEntry(deviceStopped, err.Error())
	}
})

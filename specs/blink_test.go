package specs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/baud"
	"github.com/picohil/picohil/harness/bench"
	"github.com/picohil/picohil/harness/echo"
	"github.com/picohil/picohil/harness/edge"
	"github.com/picohil/picohil/harness/stats"
)

const blinkHint = "the LED mirror wire Pico GP15 -> Pi LED input pin, and that the blink task awaits asyncio.sleep (a blocking call anywhere stalls it)"

// checkCadence captures blinkEdges edges and records the cadence under the
// given measurement prefix.
func checkCadence(ctx context.Context, prefix string) {
	GinkgoHelper()
	edges, armed, err := edge.CaptureArmed(ctx, rig.bench.LED, blinkEdges, timeouts.BlinkWindow)
	source := edgeSource()
	AddReportEntry("edge_source", string(source))
	trace := edge.Trace(prefix+".edges", edges)
	trace.Source = string(source)
	keep(trace)
	record(stats.Measure(prefix+".edges_seen", "edges", float64(len(edges)), stats.AtLeast(blinkEdges)))
	expectNoError(err, fmt.Sprintf("%s: %d LED edges within %v", prefix, blinkEdges, timeouts.BlinkWindow), blinkHint+"\nedges seen:\n"+edge.Timeline(edges))
	c, err := edge.Analyze(edges)
	expectNoError(err, "edges of alternating level", blinkHint+"\nedges seen:\n"+edge.Timeline(edges))
	half := float64(cfg.BlinkHalf) / float64(time.Millisecond)
	timeline := "edge timeline:\n" + edge.Timeline(edges)
	checks := []cadenceCheck{
		{stats.Measure(prefix+".edges_missed", "edges", float64(c.Missed), stats.AtMost(0)), "edges went missing: the LED stalled or toggled faster than the capture"},
		{stats.Measure(prefix+".half_period", "ms", c.HalfFit, stats.Around(half, half*meanTolerance/100)).WithSamples(c.HalfMs),
			"the firmware's blink period (BLINK setting, HIL_BLINK_MS) or a drifting sleep: schedule against ticks, not sleep(after work)"},
		{stats.Measure(prefix+".duty", "%", 100*c.Duty, stats.Around(50, dutyTolerance)), "the LED spends unequal time high and low: work done in only one half of the cycle"},
		{stats.Measure(prefix+".jitter_p99", "ms", c.JitterP99, stats.AtMost(float64(cfg.JitterTol)/float64(time.Millisecond))),
			"half-periods vary: another task blocks the scheduler, or the host is overloaded (HIL_JITTER_MS sets the tolerance)"},
	}
	if source == edge.Kernel {
		checks = append(checks, cadenceCheck{stats.Measure(prefix+".kernel_missed", "edges", float64(edge.Lost(edges)), stats.AtMost(0)),
			"the kernel dropped edges from its queue because the harness fell behind (host overloaded): the firmware is not at fault"})
	}
	var expected, seen, hints []string
	for _, ch := range checks {
		record(ch.m)
		if !ch.m.Pass {
			expected = append(expected, fmt.Sprintf("%s within %s %s", ch.m.Name, ch.m.Limits, ch.m.Unit))
			seen = append(seen, ch.m.String())
			hints = append(hints, ch.hint)
		}
	}
	if len(expected) > 0 {
		Fail(explain(strings.Join(expected, "; "), strings.Join(seen, "\n          ")+"\n"+timeline, strings.Join(hints, "\n          ")))
	}
	if rig.bench.Truth != nil {
		checkTruth(prefix, source, edges, armed)
	}
}

// checkTruth holds the captured edges to the fixture's true ones, edge by
// edge: every true edge captured once, none invented, and each timestamp
// within what the edge source can do (edge.Limit), not the jitter
// tolerance.
func checkTruth(prefix string, source edge.Source, edges []edge.Edge, armed time.Time) {
	GinkgoHelper()
	match := edge.MatchTruth(edges, rig.bench.Truth(), armed, cfg.BlinkHalf/2)
	unmatched := match.String(armed)
	missed := record(stats.Measure(prefix+".truth_missed", "edges", float64(len(match.Missed)), stats.AtMost(0)))
	extra := record(stats.Measure(prefix+".truth_extra", "edges", float64(len(match.Extra)), stats.AtMost(0)))
	for _, m := range []stats.Measurement{missed, extra} {
		expectWithin(m, "captured edges against the fixture's true edges, in sequence (times from arming):\n"+unmatched+"edges seen:\n"+edge.Timeline(edges),
			"the capture lost or invented an edge: a queue overflow or a wake-up that saw two edges as one (host overloaded)")
	}
	limit := edge.Limit(source)
	m := record(stats.Measure(prefix+".timestamp_error", "us", stats.Percentile(sorted(match.ErrorsUs), 99), stats.AtMost(us(limit))).WithSamples(match.ErrorsUs))
	expectWithin(m, fmt.Sprintf("harness edge time minus the fixture's true edge time, p99 of %d pairs; the %s source is held to %v", len(match.ErrorsUs), source, limit),
		"the host is too loaded to timestamp edges as finely as its edge source can")
}

// cadenceCheck is a blink measurement and what to check when it fails.
type cadenceCheck struct {
	m    stats.Measurement
	hint string
}

// edgeSource is where the LED's edge times come from: a fixture's simulated
// pin, or on a Pi the kernel or user space (harness/pin chooses).
func edgeSource() edge.Source {
	if cfg.Target == bench.Virtual || cfg.Target == bench.MicroPython {
		return edge.Simulated
	}
	return edge.SourceOf(rig.bench.LED)
}

var _ = Describe("Blink", labelBlink, onBench, func() {
	BeforeEach(func(ctx SpecContext) {
		requireLED()
		if rig.ctl != nil {
			ms := int(cfg.BlinkHalf / time.Millisecond)
			expectNoError(rig.ctl.SetBlink(ctx, ms), fmt.Sprintf("BLINK %d answered OK", ms), "the control channel")
		}
	}, NodeTimeout(timeouts.Reply))

	It("toggles at the configured half-period with 50% duty and low jitter", labelTiming, SpecTimeout(timeouts.Blink), func(ctx SpecContext) {
		checkCadence(ctx, "blink")
	})

	It("keeps its cadence while the UART is saturated with echo traffic", labelTiming, labelEcho, SpecTimeout(timeouts.Blink), func(ctx SpecContext) {
		flushData(ctx)
		load, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		var loadErr error
		var moved int
		wg.Go(func() {
			chunk := randomPayload(baud.BurstLen(cfg.Baud, 100*time.Millisecond))
			for load.Err() == nil {
				tr, err := echo.Pipelined(load, rig.data, chunk, 256)
				moved += tr.Bytes
				if err != nil && load.Err() == nil {
					loadErr = err
					return
				}
			}
		})
		defer func() { stop(); wg.Wait() }()
		checkCadence(ctx, "blink.load")
		stop()
		wg.Wait()
		if errors.Is(loadErr, context.Canceled) {
			loadErr = nil
		}
		expectNoError(loadErr, "the echo traffic stayed byte-exact while the LED blinked", echoHint)
		m := record(stats.Measure("blink.load.bytes_echoed", "bytes", float64(moved), stats.AtLeast(1)))
		expectWithin(m, "bytes echoed while the LED edges were captured", "the echo load did not run: "+echoHint)
	})
})

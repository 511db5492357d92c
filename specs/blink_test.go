package specs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/measure/verdict"
)

const blinkHint = "the LED mirror wire Pico GP15 -> Pi LED input pin, and that the blink task awaits asyncio.sleep (a blocking call anywhere stalls it)"

// blinkCapture is one capture of the LED: its edges, when the pin began
// listening and when the capture ended, and the device's own stamps of
// the same edges where the target has a device clock.
type blinkCapture struct {
	edges      []edge.Edge
	device     []edge.Edge // nil without a device clock
	armed, end time.Time
	err        error
}

// timed is the edges the cadence is judged on: the device's stamps where
// it has them, the captured edges' times otherwise.
func (c blinkCapture) timed() []edge.Edge {
	if c.device != nil {
		return c.device
	}
	return c.edges
}

// checkCadence captures blinkEdges edges and records the cadence under the
// given measurement prefix.
func checkCadence(ctx context.Context, prefix string) {
	GinkgoHelper()
	judgeCadence(prefix, captureBlink(ctx, prefix))
}

// captureBlink captures blinkEdges edges and keeps their timeline.
func captureBlink(ctx context.Context, prefix string) blinkCapture {
	var c blinkCapture
	mark := ledMark()
	c.edges, c.armed, c.err = edge.CaptureArmed(ctx, rig.Bench.LED, blinkEdges, timeouts.BlinkWindow)
	c.end = time.Now()
	c.device = deviceEdges(mark, c.edges)
	rig.RecordCapture(c.armed, c.end, c.edges, c.device)
	trace := edge.Trace(prefix+stats.Edges, c.timed())
	trace.Source = string(edgeSource())
	hil.Keep(trace)
	if rig.Bench.Truth != nil && len(c.edges) > 0 {
		hil.Keep(edge.TraceFrom(prefix+stats.Truth, truthDuring(c), c.edges[0].At))
	}
	return c
}

// truthDuring is the fixture's true edges while c listened, for drawing
// them beside the captured ones.
func truthDuring(c blinkCapture) []edge.Edge {
	var out []edge.Edge
	for _, e := range rig.Bench.Truth() {
		if !e.At.Before(c.armed) && !e.At.After(c.end) {
			out = append(out, e)
		}
	}
	return out
}

// judgeCadence records the cadence of a capture and fails on what is out
// of its limits.
func judgeCadence(prefix string, capture blinkCapture) {
	GinkgoHelper()
	edges := capture.timed()
	source := edgeSource()
	AddReportEntry("edge_source", string(source))
	if capture.device != nil {
		hil.NoteClock("device")
	}
	hil.Record(verdict.EdgesSeen(prefix, len(edges), blinkEdges))
	hil.ExpectNoError(capture.err, fmt.Sprintf("%s: %d LED edges within %v", prefix, blinkEdges, timeouts.BlinkWindow), blinkHint+"\nedges seen:\n"+edge.Timeline(edges))
	checks, err := verdict.Cadence(prefix, edges, judged(), source)
	hil.ExpectNoError(err, "edges of alternating level", blinkHint+"\nedges seen:\n"+edge.Timeline(edges))
	timeline := "edge timeline:\n" + edge.Timeline(edges)
	var expected, seen, hints []string
	for _, ch := range checks {
		hil.Record(ch.M)
		if !ch.M.Pass {
			expected = append(expected, fmt.Sprintf("%s within %s %s", ch.M.Name, ch.M.Limits, ch.M.Unit))
			seen = append(seen, ch.M.String())
			hints = append(hints, ch.Hint)
		}
	}
	if len(expected) > 0 {
		Fail(hil.Explain(strings.Join(expected, "; "), strings.Join(seen, "\n          ")+"\n"+timeline, strings.Join(hints, "\n          ")))
	}
	if rig.Bench.Truth != nil {
		checkTruth(prefix, source, capture.edges, capture.armed, capture.device == nil)
	}
}

// checkTruth holds the captured edges to the fixture's true ones, edge by
// edge, where the captured edges are the ones the cadence was judged on
// (timed): every true edge captured once, none invented, and each
// timestamp within what the edge source can do (edge.Limit), not the
// jitter tolerance. Where the device's own stamps were judged, the
// capture's misses are recorded and counted host-late.
func checkTruth(prefix string, source edge.Source, edges []edge.Edge, armed time.Time, timed bool) {
	GinkgoHelper()
	match := edge.MatchTruth(edges, rig.Bench.Truth(), armed, cfg.BlinkHalf/2)
	unmatched := match.String(armed)
	missed := hil.Record(stats.Measure(prefix+stats.TruthMissed, "edges", float64(len(match.Missed)), stats.AtMost(0)))
	extra := hil.Record(stats.Measure(prefix+stats.TruthExtra, "edges", float64(len(match.Extra)), stats.AtMost(0)))
	if !timed {
		// The device's own stamps timed the cadence: an edge the host's
		// capture lost or saw twice is the host's, not the firmware's.
		hil.NoteHostLate(len(match.Missed) + len(match.Extra))
		return
	}
	for _, m := range []stats.Measurement{missed, extra} {
		hil.ExpectWithin(m, "captured edges against the fixture's true edges, in sequence (times from arming):\n"+unmatched+"edges seen:\n"+edge.Timeline(edges),
			"the capture lost or invented an edge: a queue overflow or a wake-up that saw two edges as one (host overloaded)")
	}
	limit := edge.Limit(source)
	m := hil.Record(stats.Measure(prefix+stats.TimestampError, "us", stats.Percentile(sorted(match.ErrorsUs), 99), stats.AtMost(us(limit))).WithSamples(match.ErrorsUs))
	hil.ExpectWithin(m, fmt.Sprintf("harness edge time minus the fixture's true edge time, p99 of %d pairs; the %s source is held to %v", len(match.ErrorsUs), source, limit),
		"the host is too loaded to timestamp edges as finely as its edge source can")
}

// edgeSource is where the LED's edge times come from: a fixture's simulated
// pin, or on a Pi the kernel or user space (harness/gpio/pin chooses).
func edgeSource() edge.Source {
	if hil.Target().Fixture {
		return edge.Simulated
	}
	return edge.SourceOf(rig.Bench.LED)
}

var _ = Describe("Blink", labelBlink, onBench, Ordered, ContinueOnFailure, func() {
	BeforeEach(func(ctx SpecContext) {
		rig.RequireLED()
		if rig.Control != nil {
			ms := int(cfg.BlinkHalf / time.Millisecond)
			hil.ExpectNoError(rig.Control.SetBlink(ctx, ms), fmt.Sprintf("BLINK %d answered OK", ms), "the control channel")
		}
	}, NodeTimeout(timeouts.Reply))

	It("toggles at the configured half-period with 50% duty and low jitter", labelTiming, SpecTimeout(timeouts.Blink), func(ctx SpecContext) {
		checkCadence(ctx, stats.Blink)
	})

	It("keeps its cadence while the UART is saturated with echo traffic", labelTiming, labelEcho, SpecTimeout(timeouts.Blink), func(ctx SpecContext) {
		flushData(ctx)
		chunk := randomPayload(baud.BurstLen(cfg.Baud, loadWindow))
		perChunk := onDevice(baud.ByteTime(cfg.Baud)*time.Duration(len(chunk))+cfg.Turnaround) + opGrace
		load, stop := context.WithCancel(ctx)
		started := make(chan struct{})
		var wg sync.WaitGroup
		var flow echo.Flow
		var loadErr error
		t := timing()
		wg.Go(func() { flow, loadErr = t.Sustain(load, rig.Data, chunk, perChunk, started) })
		defer func() { stop(); wg.Wait() }()
		// The capture begins on a running load: its first chunk is back.
		select {
		case <-started:
		case <-time.After(perChunk):
		}
		capture := captureBlink(ctx, stats.BlinkLoad)
		stop()
		wg.Wait()
		checkLoad(flow, loadErr, capture)
		judgeCadence(stats.BlinkLoad, capture)
	})

	countDevice("blink")
})

// listedWindows is how many windows below the line a failure lists.
const listedWindows = 10

// checkLoad holds the echo load to at least loadMin of line rate in every
// loadWindow of the capture, byte-exact: a load that stalls or slows
// proves nothing about the cadence under load. The windows are the
// device's (its TX stamps, between the capture's first and last edge on
// its clock) where it has a clock, else the host's. A window the host
// spoiled (the device waited for the host's bytes, or the host stalled)
// is not counted: the capture's other windows measure the same load again;
// with fewer than half of them clean the spec is inconclusive.
func checkLoad(flow echo.Flow, loadErr error, capture blinkCapture) {
	GinkgoHelper()
	rate := verdict.LineRate(judged())
	least := rate * verdict.LoadMin / 100
	var windows []echo.Window
	clock := "host"
	if d := capture.device; len(d) > 1 {
		clock = "device"
		windows = flow.DeviceWindows(d[0].At.Sub(time.Time{}), d[len(d)-1].At.Sub(time.Time{}), loadWindow, rate, least)
	} else {
		windows = flow.HostWindows(capture.armed, capture.end, loadWindow, rate, least)
	}
	var pct, clean []float64
	trace := stats.Trace{Name: stats.BlinkLoadThroughput, Columns: []string{"t_ms", "percent", "host_late"}}
	late := 0
	for i, w := range windows {
		p := 100 * w.Rate / rate
		pct = append(pct, p)
		spoiled := 0.0
		if w.HostLate {
			late, spoiled = late+1, 1
		} else {
			clean = append(clean, w.Rate)
		}
		trace.Rows = append(trace.Rows, []float64{float64(time.Duration(i) * loadWindow / time.Millisecond), p, spoiled})
	}
	hil.Keep(trace)
	hil.NoteHostLate(late)
	if len(windows) > 0 && 2*len(clean) < len(windows) {
		hil.ExpectConclusive(&stall.HostLateError{What: "echo load windows", Clean: len(clean), Want: (len(windows) + 1) / 2, Late: late, Tries: len(windows)})
	}
	m, _ := verdict.Load(clean, judged())
	hil.Record(m)
	// Only the windows below the line are listed; report.html draws them all.
	var table strings.Builder
	first, below := -1, 0
	for i, p := range pct {
		if p >= loadMin || windows[i].HostLate {
			continue
		}
		if first < 0 {
			first = i
		}
		if below++; below <= listedWindows {
			fmt.Fprintf(&table, "  window %2d  +%4d..%4d ms  %5.1f%%  < %v\n", i, i*int(loadWindow/time.Millisecond), (i+1)*int(loadWindow/time.Millisecond), p, loadMin)
		}
	}
	if below > listedWindows {
		fmt.Fprintf(&table, "  and %d more windows below the line\n", below-listedWindows)
	}
	if below > 0 {
		fmt.Fprintf(&table, "  (%d of %d windows below the line; report.html draws every window against it)\n", below, len(pct))
	}
	var stopped string
	switch {
	case first >= 0:
		stopped = fmt.Sprintf("the load fell below %.0f%% of line rate in window %d (+%d ms of the capture, on the %s's clock)\n", loadMin, first, first*int(loadWindow/time.Millisecond), clock)
	case len(pct) == 0:
		stopped = fmt.Sprintf("the capture (%v) was shorter than one %v window\n", capture.end.Sub(capture.armed), loadWindow)
	}
	if loadErr != nil {
		stopped += "load: " + loadErr.Error() + "\n"
	}
	if !m.Pass {
		Fail(hil.Explain(fmt.Sprintf("%s: the echo load byte-exact at >= %.0f%% of line rate (%.0f B/s) in every %v window of the capture the host did not spoil", m.Name, loadMin, rate, loadWindow),
			stopped+fmt.Sprintf("%d bytes echoed in %d chunks; %d windows host-late, not counted; the counted windows below the line:\n", flow.Bytes(), flow.Chunks, late)+table.String(),
			"the firmware must keep echoing at line rate while it blinks: stream reads, no per-byte sleeps, no task that blocks the scheduler; "+echoHint))
	}
	hil.ExpectConclusive(loadErr)
	hil.ExpectNoError(loadErr, "the echo traffic stayed byte-exact while the LED blinked, each chunk within its deadline", echoHint)
}

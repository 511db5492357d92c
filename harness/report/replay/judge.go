// Package replay judges a tape (harness/report/tape) again, offline, with the
// verdict logic of this harness (harness/measure/verdict): the echo round trips,
// the payloads, the echo load's windows and the blink's cadence are
// measured from the tape's recorded bytes and edges, on the clock the run
// judged on (the device's stamps where the tape holds them, as
// harness/measure/echo takes them; the host's otherwise), and judged against the
// tape's settings. hil replay prints the outcome beside the verdicts the
// run reached live. On the host's clock a replay leaves out the samples
// the host's recorded stalls explain (host-late), as the run did.
package replay

import (
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/measure/verdict"
	"github.com/picohil/picohil/harness/report/tape"
)

// Verdict is one measurement judged again.
type Verdict struct {
	Spec  string
	Live  stats.Measurement // as the run judged it
	Again stats.Measurement // as judged from the tape
}

// Same reports whether the replay reached the run's verdict.
func (v Verdict) Same() bool { return v.Live.Pass == v.Again.Pass }

// Judged lists the measurements Judge measures again; a tape's others are
// left to the run.
var Judged = []string{stats.EchoRTT, stats.EchoPayloads, stats.BlinkLoadThroughput, "blink[.load].{edges_seen,edges_missed,half_period,duty,jitter_p99}"}

// Bench is the settings a tape's verdicts are judged with.
func Bench(h tape.Header) verdict.Bench {
	s := h.Settings
	return verdict.Bench{Baud: s.Baud, Turnaround: tape.Ms(s.TurnaroundMs), BlinkHalf: tape.Ms(s.BlinkHalfMs), Jitter: tape.Ms(s.JitterMs)}
}

// Judge measures again, spec by spec, every measurement of Judged the run
// judged live, and judges it with the tape's settings.
func Judge(t tape.Tape) []Verdict {
	b := Bench(t.Header)
	var out []Verdict
	for _, seg := range t.Specs() {
		for _, live := range tape.Of(seg.Events, tape.KindVerdict) {
			if again, ok := measure(*live.Measurement, seg.Events, b); ok {
				out = append(out, Verdict{Spec: seg.Name, Live: *live.Measurement, Again: again})
			}
		}
	}
	return out
}

// measure takes the named measurement again from a spec's events, on
// the device's clock where the tape holds its stamps, as the run did.
func measure(live stats.Measurement, events []tape.Event, b verdict.Bench) (stats.Measurement, bool) {
	if dev := deviceUART(events); len(dev) > 0 {
		if m, ok := onDevice(live.Name, dev, events, b); ok {
			return m, true
		}
	}
	name := live.Name
	late := watch(events)
	switch {
	case name == stats.EchoRTT:
		budget := verdict.RTTBudget(b)
		var rtts []time.Duration
		for _, tr := range trips(events) {
			rtt := tr.end.Sub(tr.start)
			if tr.size != 1 || !tr.done || rtt > budget && late.Explains(tr.start, tr.end, rtt-budget) {
				continue // host-late: the run measured it again
			}
			rtts = append(rtts, rtt)
		}
		return verdict.RoundTrips(rtts, b), len(rtts) > 0
	case stats.IsEchoPayload(name):
		return payload(name, trips(events), late, b)
	case name == stats.BlinkLoadThroughput:
		captures := tape.Of(events, tape.KindCapture)
		if len(captures) == 0 {
			return stats.Measurement{}, false
		}
		c := captures[0]
		var arrivals []echo.Arrival
		for _, e := range data(events) {
			if e.Dir == tape.Rx {
				arrivals = append(arrivals, echo.Arrival{At: e.At, Bytes: len(e.Bytes)})
			}
		}
		rate := verdict.LineRate(b)
		chunk := time.Duration(baud.BurstLen(b.Baud, verdict.LoadWindow)) * baud.ByteTime(b.Baud)
		flow := echo.RecordedFlow(arrivals, nil, echo.Timing{Frame: baud.ByteTime(b.Baud), Watch: late}, chunk)
		var clean []float64
		for _, w := range flow.HostWindows(c.At, c.Until, verdict.LoadWindow, rate, rate*verdict.LoadMin/100) {
			if !w.HostLate {
				clean = append(clean, w.Rate)
			}
		}
		m, _ := verdict.Load(clean, b)
		return m, true
	}
	return cadence(live, capturedEdges(events), b)
}

// payload judges the payload round trip name names: its first try the
// host did not spoil, as the run took it (a try is as many bytes written
// as the payload holds, ending with the read of its last echo byte).
func payload(name string, ts []trip, late *stall.Watch, b verdict.Bench) (stats.Measurement, bool) {
	size := 0
	for n := 1; n <= 1<<16 && size == 0; n++ {
		if stats.EchoPayload(n) == name {
			size = n
		}
	}
	budget := verdict.PayloadBudget(size, b)
	for len(ts) > 0 && size > 0 {
		var start time.Time
		n, i := 0, 0
		for ; i < len(ts) && n < size; i++ {
			if n == 0 {
				start = ts[i].start
			}
			n += ts[i].size
		}
		last := ts[i-1]
		ts = ts[i:]
		if n != size || !last.done {
			return stats.Measurement{}, false
		}
		rtt := last.end.Sub(start)
		if rtt > budget && late.Explains(start, last.end, rtt-budget) {
			continue
		}
		return verdict.Payload(size, rtt, b), true
	}
	return stats.Measurement{}, false
}

// watch is the host's lateness the tape recorded during a spec.
func watch(events []tape.Event) *stall.Watch {
	w := &stall.Watch{}
	for _, e := range tape.Of(events, tape.KindStall) {
		w.Late(e.At, e.Until)
	}
	return w
}

// cadence judges a blink measurement again from the captured edges.
func cadence(live stats.Measurement, edges []edge.Edge, b verdict.Bench) (stats.Measurement, bool) {
	for _, prefix := range stats.Cadences {
		what, ok := strings.CutPrefix(live.Name, prefix+".")
		if !ok || strings.Contains(what, ".") {
			continue
		}
		if what == "edges_seen" && live.Limits.Min != nil {
			return verdict.EdgesSeen(prefix, len(edges), int(*live.Limits.Min)), true
		}
		checks, err := verdict.Cadence(prefix, edges, b, edge.Simulated)
		if err != nil {
			return stats.Measurement{}, false
		}
		for _, c := range checks {
			if c.M.Name == live.Name {
				return c.M, true
			}
		}
	}
	return stats.Measurement{}, false
}

// data is the host-stamped data events: the times the harness judged by.
func data(events []tape.Event) []tape.Event {
	var out []tape.Event
	for _, e := range tape.Of(events, tape.KindData) {
		if e.Stamp == tape.Host {
			out = append(out, e)
		}
	}
	return out
}

// capturedEdges is the LED edges the spec judged: the captured ones, at
// the device's times where the capture holds them.
func capturedEdges(events []tape.Event) []edge.Edge {
	var out []edge.Edge
	for _, e := range tape.Of(events, tape.KindEdge) {
		if e.Stamp == tape.Host {
			out = append(out, edge.Edge{Level: levelOf(e), At: e.At})
		}
	}
	captures := tape.Of(events, tape.KindCapture)
	if len(captures) == 0 || len(captures[0].DeviceNs) != len(out) {
		return out
	}
	for i, ns := range captures[0].DeviceNs {
		out[i].At = time.Time{}.Add(time.Duration(ns))
	}
	return out
}

// trip is one write and when the echo of its last byte came back.
type trip struct {
	start, end time.Time
	size       int
	done       bool // every byte came back
}

// trips pairs the bytes read with the bytes written, first in first out,
// as an echo returns them: each write is a trip, ending with the read that
// brought its last byte back. What was read before the first write (a
// flush's leftovers) is no echo.
func trips(events []tape.Event) []trip {
	var out []trip
	next, owed := 0, 0 // the first trip not yet done, and its bytes still to come
	for _, e := range data(events) {
		if e.Dir == tape.Tx {
			out = append(out, trip{start: e.At, size: len(e.Bytes)})
			if len(out) == next+1 {
				owed = len(e.Bytes)
			}
			continue
		}
		for n := len(e.Bytes); n > 0 && next < len(out); {
			took := min(n, owed)
			n, owed = n-took, owed-took
			if owed > 0 {
				break
			}
			out[next].end, out[next].done = e.At, true
			if next++; next < len(out) {
				owed = out[next].size
			}
		}
	}
	return out
}
func levelOf(e tape.Event) gpio.Level { return gpio.Level(e.Level != nil && *e.Level) }

package replay

import (
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report/tape"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

func bytesAt(dir tape.Dir, ms float64, b ...byte) tape.Event {
	return tape.Event{Kind: tape.KindData, At: at(ms), Stamp: tape.Host, Dir: dir, Bytes: b}
}

func live(name string, pass bool) tape.Event {
	m := stats.Measurement{Name: name, Pass: pass}
	return tape.Event{Kind: tape.KindVerdict, At: at(1000), Measurement: &m}
}

// spec wraps events in a spec's span.
func spec(name string, events ...tape.Event) []tape.Event {
	out := []tape.Event{{Kind: tape.KindSpec, At: t0, Text: name}}
	return append(append(out, events...), tape.Event{Kind: tape.KindEnd, At: at(2000), Text: "passed"})
}

func judge(t *testing.T, events ...[]tape.Event) map[string]stats.Measurement {
	t.Helper()
	tp := tape.Tape{Header: tape.Header{Settings: tape.Settings{Baud: 115200, TurnaroundMs: 5, BlinkHalfMs: 100, JitterMs: 12}}}
	for _, e := range events {
		tp.Events = append(tp.Events, e...)
	}
	out := map[string]stats.Measurement{}
	for _, v := range Judge(tp) {
		out[v.Again.Name] = v.Again
	}
	return out
}

func TestRoundTripsArePairedFirstInFirstOut(t *testing.T) {
	got := judge(t, spec("Echo rtt",
		bytesAt(tape.Rx, 0, 0xff), // a flush's leftover: no echo
		bytesAt(tape.Tx, 1, 0x00), bytesAt(tape.Rx, 1.4, 0x00),
		bytesAt(tape.Tx, 2, 0x01), bytesAt(tape.Rx, 8, 0x01), // 6 ms: over the 5.17 ms budget
		bytesAt(tape.Tx, 9, 0x02), bytesAt(tape.Rx, 9.3, 0x02),
		live("echo.rtt.1B", false)))
	m := got["echo.rtt.1B"]
	if want := []float64{400, 6000, 300}; len(m.Series) != 3 || m.Pass || !near(m.Series, want) {
		t.Errorf("echo.rtt.1B = %v %s; want samples %v, failed", m.Series, m, want)
	}
}

func TestPayloadEndsWithTheReadOfItsLastByte(t *testing.T) {
	got := judge(t, spec("Echo payload 16",
		bytesAt(tape.Tx, 0, make([]byte, 10)...), bytesAt(tape.Tx, 0.1, make([]byte, 6)...),
		bytesAt(tape.Rx, 1, make([]byte, 15)...), bytesAt(tape.Rx, 2.5, 0),
		live("echo.payload.16B", true)))
	if m := got["echo.payload.16B"]; m.Value != 2500 || !m.Pass {
		t.Errorf("echo.payload.16B = %s, want 2500 us within the budget", m)
	}
	if got := judge(t, spec("Echo payload 16", bytesAt(tape.Tx, 0, make([]byte, 16)...), bytesAt(tape.Rx, 1, 1), live("echo.payload.16B", false))); len(got) != 0 {
		t.Errorf("a payload that never came back whole was judged: %v", got)
	}
}

func TestCadenceIsJudgedFromTheCapturedEdges(t *testing.T) {
	var edges []tape.Event
	for i := range 12 {
		high := i%2 == 0
		edges = append(edges, tape.Event{Kind: tape.KindEdge, At: at(float64(i) * 102), Stamp: tape.Host, Level: &high})
	}
	got := judge(t, spec("Blink", append(edges, live("blink.half_period", true), live("blink.duty", true))...))
	if m := got["blink.half_period"]; m.Pass || m.Value < 101.9 || m.Value > 102.1 {
		t.Errorf("blink.half_period = %s, want 102 ms outside 100 +- 1 %%", m)
	}
	if m := got["blink.duty"]; !m.Pass {
		t.Errorf("blink.duty = %s", m)
	}
}

func TestOnlyWhatTheRunJudgedIsJudgedAgain(t *testing.T) {
	got := judge(t, spec("Echo line rate", bytesAt(tape.Tx, 0, 1), bytesAt(tape.Rx, 1, 1), live("echo.line_rate", true)))
	if len(got) != 0 {
		t.Errorf("judged %v; echo.line_rate is not one replay measures", got)
	}
	if !strings.Contains(strings.Join(Judged, " "), "echo.rtt.1B") {
		t.Errorf("Judged = %v", Judged)
	}
}

func near(got, want []float64) bool {
	for i := range want {
		if d := got[i] - want[i]; d > 0.01 || d < -0.01 {
			return false
		}
	}
	return true
}

// deviceBytes is a device-stamped data event: bytes at the device's UART at
// device times in microseconds.
func deviceBytes(dir tape.Dir, us []int64, b ...byte) tape.Event {
	ns := make([]int64, len(us))
	for i, u := range us {
		ns[i] = u * 1000
	}
	return tape.Event{Kind: tape.KindData, At: at(1500), Stamp: tape.Device, Dir: dir, Bytes: b, DeviceNs: ns}
}

func TestRoundTripsAreJudgedOnTheDevicesClockWhereTheTapeHasIt(t *testing.T) {
	// The host saw 6 ms (a late read); the device echoed in 200 us.
	got := judge(t, spec("Echo rtt",
		bytesAt(tape.Tx, 1, 0x00), bytesAt(tape.Rx, 7, 0x00),
		deviceBytes(tape.Tx, []int64{100}, 0x00), deviceBytes(tape.Rx, []int64{300}, 0x00),
		live("echo.rtt.1B", true)))
	m := got["echo.rtt.1B"]
	// 200 us from its stop bit in to the echo's out, and the request's own character time, 86.8 us.
	if len(m.Series) != 1 || m.Series[0] < 286 || m.Series[0] > 287 || !m.Pass {
		t.Errorf("echo.rtt.1B = %v %s; want 286.8 us on the device's clock", m.Series, m)
	}
}

func stallAt(from, to float64) tape.Event {
	return tape.Event{Kind: tape.KindStall, At: at(from), Until: at(to)}
}

func TestHostLateSamplesAreLeftOutAsTheRunLeftThemOut(t *testing.T) {
	got := judge(t, spec("Echo rtt",
		bytesAt(tape.Tx, 1, 0x00), bytesAt(tape.Rx, 1.3, 0x00),
		bytesAt(tape.Tx, 2, 0x01), bytesAt(tape.Rx, 10, 0x01), // 8 ms: the host stalled 7 ms of it
		stallAt(2.5, 9.5),
		bytesAt(tape.Tx, 11, 0x02), bytesAt(tape.Rx, 17, 0x02), // 6 ms, no stall: the firmware's
		live("echo.rtt.1B", false)))
	if m := got["echo.rtt.1B"]; len(m.Series) != 2 || m.Series[1] != 6000 {
		t.Errorf("echo.rtt.1B samples %v, want 300 and 6000 us: the host-late 8 ms left out", m.Series)
	}
	got = judge(t, spec("Echo payload 1",
		bytesAt(tape.Tx, 0, 7), bytesAt(tape.Rx, 9, 7), stallAt(0.5, 8.5), // host-late try
		bytesAt(tape.Tx, 20, 7), bytesAt(tape.Rx, 20.4, 7),
		live("echo.payload.1B", true)))
	if m := got["echo.payload.1B"]; m.Value != 400 || !m.Pass {
		t.Errorf("echo.payload.1B = %s, want the second try's 400 us", m)
	}
}

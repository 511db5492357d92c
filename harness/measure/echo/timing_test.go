package echo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/target"
)

const us = time.Microsecond

// log builds a device's events: each is (dir, at in µs), bytes 0, 1, ...
func log(evs ...any) []target.UARTEvent {
	var out []target.UARTEvent
	for i := 0; i < len(evs); i += 2 {
		out = append(out, target.UARTEvent{Seq: uint64(i / 2), Dir: evs[i].(target.Direction), At: time.Duration(evs[i+1].(int)) * us})
	}
	return out
}

func TestEchoSpanTakesTheLastRequestAndItsEcho(t *testing.T) {
	rx, tx := target.RX, target.TX
	// A stale byte, then a 2-byte request and its echo.
	events := log(rx, 10, tx, 20, rx, 1000, rx, 1087, tx, 1190, tx, 1277)
	span, ok := echoSpan(events, 2)
	if !ok || span != 277*us {
		t.Fatalf("echoSpan = %v, %v; want 277µs (from the request's first RX to its echo's last TX)", span, ok)
	}
	if _, ok := echoSpan(log(rx, 1000), 1); ok {
		t.Fatal("a request without an echo has a span")
	}
}

// A payload over budget on the device's clock is the host's only as far as
// its request reached the device late: the rest is the device's.
func TestLateRequestExcusesOnlyItsOwnLateness(t *testing.T) {
	rx, tx := target.RX, target.TX
	frame := 100 * us
	budget := 5*frame + time.Millisecond
	for _, c := range []struct {
		name   string
		events []target.UARTEvent
		host   bool
	}{
		{"on time, echoed 30 ms late", log(rx, 100, rx, 200, rx, 300, rx, 400, tx, 30400, tx, 30500, tx, 30600, tx, 30700), false},
		{"30 ms gap in the request, echoed at once", log(rx, 100, rx, 200, rx, 30300, rx, 30400, tx, 30500, tx, 30600, tx, 30700, tx, 30800), true},
		{"10 ms gap in the request, echoed 30 ms late", log(rx, 100, rx, 200, rx, 10300, rx, 10400, tx, 40400, tx, 40500, tx, 40600, tx, 40700), false},
	} {
		span, ok := echoSpan(c.events, 4)
		if !ok {
			t.Fatalf("%s: no span", c.name)
		}
		if got := hostExplains(span+frame-budget, inputLate(c.events, 4, frame)); got != c.host {
			t.Errorf("%s: host-late %v, want %v (rtt %v, input late %v)", c.name, got, c.host, span+frame, inputLate(c.events, 4, frame))
		}
	}
}

func TestStarvedIsOnlyWaitingForTheHost(t *testing.T) {
	rx, tx := target.RX, target.TX
	frame := 87 * us
	// Held bytes all along (a slow firmware): never starved, however
	// late its echoes.
	slow := log(rx, 100, rx, 187, rx, 274, tx, 5000, tx, 5087, tx, 5174)
	if got := Starved(slow, frame).Within(0, 5174*us); got != 0 {
		t.Fatalf("a device holding bytes was starved for %v", got)
	}
	// Everything echoed at 1000, the next byte's start bit at 50000: the
	// device waited 49 ms for the host. Logged out of time order, as a
	// fixture logs TX when it queues it.
	late := log(rx, 100, tx, 1000, rx, 50087, tx, 50300)
	late[1], late[2] = late[2], late[1]
	if got := Starved(late, frame).Within(0, 50300*us); got != 49*time.Millisecond {
		t.Fatalf("starved %v, want 49ms", got)
	}
	// Everything echoed and nothing more logged: the device waits on.
	if got := Starved(late, frame).Within(60*time.Millisecond, 70*time.Millisecond); got != 10*time.Millisecond {
		t.Fatalf("a wait open at the end of the log: %v of 10ms", got)
	}
}

func TestDeviceWindowsBlameTheHostOnlyForItsOwnGaps(t *testing.T) {
	frame := 100 * us // 10 000 B/s
	rate := 10000.0
	var events []target.UARTEvent
	seq := uint64(0)
	add := func(dir target.Direction, at time.Duration) {
		events = append(events, target.UARTEvent{Seq: seq, Dir: dir, At: at})
		seq++
	}
	// 300 ms: the host feeds at line rate except 150..180 ms, when it
	// wrote nothing (the device echoes each byte 200 µs after it came).
	for at := time.Duration(0); at < 300*time.Millisecond; at += frame {
		if at >= 150*time.Millisecond && at < 180*time.Millisecond {
			continue
		}
		add(target.RX, at+frame)
		add(target.TX, at+frame+200*us)
	}
	f := Flow{Events: events, timing: Timing{Frame: frame, Turnaround: time.Millisecond}}
	w := f.DeviceWindows(0, 300*time.Millisecond, 100*time.Millisecond, rate, 0.9*rate)
	if len(w) != 3 || w[0].HostLate || w[2].HostLate || !w[1].HostLate || w[1].Rate > 0.75*rate {
		t.Fatalf("windows %+v: want the middle one low and the host's", w)
	}
	// The same gap in the echo alone (the device held the bytes): the
	// firmware's.
	events = events[:0]
	seq = 0
	for at := time.Duration(0); at < 300*time.Millisecond; at += frame {
		add(target.RX, at+frame)
		echo := at + frame + 200*us
		if echo >= 150*time.Millisecond && echo < 180*time.Millisecond {
			echo = 210 * time.Millisecond
		}
		add(target.TX, echo)
	}
	f.Events = events
	w = f.DeviceWindows(0, 300*time.Millisecond, 100*time.Millisecond, rate, 0.9*rate)
	if w[1].HostLate || w[1].Rate >= 0.9*rate {
		t.Fatalf("a device that held its bytes: window %+v, want low and not the host's", w[1])
	}
	// The host's bytes trickle in at 80 % of line rate, and the device
	// echoes each 200 µs after it came, so it always holds a byte while its
	// line is idle: the window is short of bytes, not of speed.
	events, seq = events[:0], 0
	for at := time.Duration(0); at < 300*time.Millisecond; at += frame * 5 / 4 {
		add(target.RX, at+frame)
		add(target.TX, at+frame+200*us)
	}
	f.Events = events
	for i, w := range f.DeviceWindows(0, 300*time.Millisecond, 100*time.Millisecond, rate, 0.9*rate) {
		if !w.HostLate || w.Rate > 0.81*rate {
			t.Fatalf("a trickle from the host: window %d %+v, want about 80 %% and the host's", i, w)
		}
	}
	// The same trickle, and a device that echoes at 70 %: its bytes pile
	// up, so the windows are its own.
	events, seq = events[:0], 0
	for i, at := 0, time.Duration(0); at < 300*time.Millisecond; i, at = i+1, at+frame*5/4 {
		add(target.RX, at+frame)
		add(target.TX, time.Duration(i+1)*frame*10/7+200*us)
	}
	f.Events = events
	for i, w := range f.DeviceWindows(0, 300*time.Millisecond, 100*time.Millisecond, rate, 0.9*rate) {
		if i > 0 && w.HostLate {
			t.Fatalf("a device slower than the trickle: window %d %+v counted as the host's", i, w)
		}
	}
}

// TestHostLateSamplesAreMeasuredAgain: a sample over budget that the
// host's stalls explain is not counted; one they do not explain is.
func TestHostLateSamplesAreMeasuredAgain(t *testing.T) {
	w := &stall.Watch{}
	now := time.Now()
	w.Late(now.Add(-time.Hour), now.Add(time.Hour)) // the host stalled throughout
	slow := func(p []byte) []byte { time.Sleep(3 * time.Millisecond); return same(p) }
	s, err := Timing{Watch: w}.SingleBytes(t.Context(), newLoop(slow), 20, time.Second, time.Millisecond)
	var late *stall.HostLateError
	if !errors.As(err, &late) || len(s.RTTs) != 0 || s.HostLate != 3 {
		t.Fatalf("every sample explained by the host: %+v, %v; want inconclusive after 3 host-late", s, err)
	}
	s, err = Timing{Watch: &stall.Watch{}}.SingleBytes(t.Context(), newLoop(slow), 20, time.Second, time.Millisecond)
	if err != nil || s.HostLate != 0 || len(s.RTTs) == 0 {
		t.Fatalf("no host stall: %+v, %v; want the samples counted", s, err)
	}
}

// heldDevice is a device clock that says how much time its device has
// had: step more at each look (0: the host holds it).
type heldDevice struct{ had, step time.Duration }

func (d *heldDevice) UARTEvents(uint64) ([]target.UARTEvent, uint64) { return nil, 0 }

func (d *heldDevice) Progress() (time.Duration, bool) {
	d.had += d.step
	return d.had, true
}

// resyncLoop is a loop port that can drop a late answer.
type resyncLoop struct{ *loop }

func (resyncLoop) Resync(context.Context) (int, error) { return 0, nil }

// A deadline that passed while the device's own clock advanced less than
// the budget is the host's: the device was not given the time. One that
// passed while the device had its time, or a wrong answer, is the device's.
func TestDeadlineTheHostDeniedIsTheHosts(t *testing.T) {
	silent := newLoop(func([]byte) []byte { return nil })
	budget := 5 * time.Millisecond
	try := func(d DeviceUART, p Port, payload []byte) (Sample, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		return Timing{Device: d, Frame: 87 * us}.RoundTrip(ctx, p, payload, budget)
	}
	if s, err := try(&heldDevice{}, silent, []byte{1}); err != nil || !s.HostLate {
		t.Errorf("no answer while the host held the device: %+v, %v; want host-late", s, err)
	}
	if s, err := try(&heldDevice{step: budget}, silent, []byte{1}); err == nil || s.HostLate {
		t.Errorf("no answer though the device had its time: %+v, %v; want the device's failure", s, err)
	}
	wrongStart := newLoop(func([]byte) []byte { return []byte{9, 2} })
	if s, err := try(&heldDevice{}, wrongStart, []byte{1, 2, 3, 4}); err == nil || s.HostLate {
		t.Errorf("a wrong byte before the deadline: %+v, %v; want the device's failure", s, err)
	}
	if s, err := try(&loopDevice{}, silent, []byte{1}); err == nil || s.HostLate {
		t.Errorf("a target that does not say how much time its device had: %+v, %v; want the device's failure", s, err)
	}
	// A series: every trip held is measured again, then inconclusive.
	_, err := Timing{Device: &heldDevice{}, Frame: 87 * us}.SingleBytes(t.Context(), resyncLoop{silent}, 20, 20*time.Millisecond, budget)
	if _, ok := errors.AsType[*stall.HostLateError](err); !ok {
		t.Errorf("a series the host held throughout: %v; want inconclusive", err)
	}
}

// loopDevice is a device clock without Progress.
type loopDevice struct{}

func (loopDevice) UARTEvents(uint64) ([]target.UARTEvent, uint64) { return nil, 0 }

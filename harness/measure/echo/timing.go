package echo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/target"
)

// DeviceUART is a target's log of its data UART's bytes on the device's
// own clock: harness/target's DeviceClock has it.
type DeviceUART interface {
	UARTEvents(from uint64) ([]target.UARTEvent, uint64)
}

// Timing says where a measurement takes its times from: the device's
// stamps where the target has them, the host's clock where it does not,
// and then the host's own lateness, which spoils a sample.
type Timing struct {
	// Device is the target's UART log; nil times on the host's clock.
	Device DeviceUART
	// Frame is one character's time at the line's rate: the first request
	// byte's own time on the wire, before the device's UART has it.
	Frame time.Duration
	// Turnaround is the device's allowance to answer a byte, on top of the
	// wire time: a load window the host starved may end with that much
	// still unanswered (Flow.DeviceWindows).
	Turnaround time.Duration
	// Watch is the host's lateness; nil watches none.
	Watch *stall.Watch
}

// Clock names the clock a measurement used, for the report.
func (t Timing) Clock() string {
	if t.Device != nil {
		return "device"
	}
	return "host"
}

// Sample is one timed echo.
type Sample struct {
	RTT time.Duration
	// HostLate is true for a sample over its budget by no more than the
	// host was late: on the host's clock, by how long the host stalled
	// during it (stall.Watch.Explains); on the device's, by how late the
	// request reached the device. It says nothing about the firmware.
	HostLate bool
}

// mark is where the device's log stands before a measurement.
func (t Timing) mark() uint64 {
	if t.Device == nil {
		return 0
	}
	_, next := t.Device.UARTEvents(math.MaxUint64)
	return next
}

// RoundTrip is RoundTrip timed by t: on the device's clock, from the
// first request byte's start bit at the device to the last echo byte's
// stop bit, host-late when it is over budget and the request reached the
// device late enough to explain the excess (hostExplains); on the host's
// clock, from the write to the last byte read, host-late when it is over
// budget and the host's stalls meanwhile explain the excess.
func (t Timing) RoundTrip(ctx context.Context, p Port, payload []byte, budget time.Duration) (Sample, error) {
	mark := t.mark()
	had := t.had()
	start := time.Now()
	rtt, err := RoundTrip(ctx, p, payload)
	s := Sample{RTT: rtt}
	if err != nil {
		s.HostLate = t.deniedTime(ctx, err, had, budget)
		if s.HostLate {
			return s, nil
		}
		return s, err
	}
	if t.Device == nil {
		s.HostLate = rtt > budget && t.Watch.Explains(start, time.Now(), rtt-budget)
		return s, nil
	}
	events, _ := t.Device.UARTEvents(mark)
	span, ok := echoSpan(events, len(payload))
	if !ok {
		return s, &StampError{Bytes: len(payload), Events: len(events)}
	}
	s.RTT = span + t.Frame
	s.HostLate = hostExplains(s.RTT-budget, inputLate(events, len(payload), t.Frame))
	return s, nil
}

// had is how much device time t's device has had, where its target says
// (harness/target's Progress); -1 where it does not.
func (t Timing) had() time.Duration {
	if p, ok := t.Device.(target.Progress); ok {
		if d, ok := p.Progress(); ok {
			return d
		}
	}
	return -1
}

// deniedTime is true when a measurement failed only because its deadline
// (ctx's) passed, with a correct answer so far, while the device's clock
// advanced by less than budget since had: the host did not give the
// device the time the measurement allows it. Where the target does not
// report its device's time, the deadline is the device's to meet.
func (t Timing) deniedTime(ctx context.Context, err error, had, budget time.Duration) bool {
	var mm *MismatchError
	if had < 0 || ctx.Err() == nil || errors.As(err, &mm) && mm.Offset() < len(mm.Got) {
		return false
	}
	now := t.had()
	return now >= 0 && now-had < budget
}

// inputLate is how much longer than the line's pace the request, the last
// n bytes received in events, took to reach the device: the host wrote it
// late or in pieces, so the device could not answer sooner.
func inputLate(events []target.UARTEvent, n int, frame time.Duration) time.Duration {
	var rx []time.Duration
	for _, e := range events {
		if e.Dir == target.RX {
			rx = append(rx, e.At)
		}
	}
	if len(rx) < n || n < 2 {
		return 0
	}
	return max(0, rx[len(rx)-1]-rx[len(rx)-n]-time.Duration(n-1)*frame)
}

// hostExplains is true for a measurement over its budget by excess (on the
// device's clock) when the host's lateness in feeding the device, late, is
// more than stall.Bound and at least the excess: a device can answer no
// sooner than its bytes come, so the sample says nothing about it. Only the
// host's share is excused: a device later than that is judged.
func hostExplains(excess, late time.Duration) bool {
	return excess > 0 && late > stall.Bound && late >= excess
}

// StampError is a round trip whose bytes the target's device clock did
// not stamp: a target that records them late or not at all.
type StampError struct {
	Bytes, Events int
}

func (e *StampError) Error() string {
	return fmt.Sprintf("echo: the target's device clock has no stamps for the %d-byte round trip (%d events logged during it) (hint: a target must log a byte's RX before the firmware can answer it and its TX before the host can read it; see harness/target)",
		e.Bytes, e.Events)
}

// echoSpan is, in events logged during one round trip of n bytes, the
// device time from the request's first byte reaching the UART to its
// echo's last byte leaving it (echoBounds).
func echoSpan(events []target.UARTEvent, n int) (time.Duration, bool) {
	from, to, ok := echoBounds(events, n)
	return to - from, ok
}

// echoBounds is when, in events logged during one round trip of n bytes,
// the request's first byte reached the UART and its echo's last byte left
// it. The request is the last n bytes received (anything before was left
// over from earlier); its echo, the first n bytes sent after the request
// began.
func echoBounds(events []target.UARTEvent, n int) (from, to time.Duration, ok bool) {
	var rx []target.UARTEvent
	for _, e := range events {
		if e.Dir == target.RX {
			rx = append(rx, e)
		}
	}
	if len(rx) < n || n == 0 {
		return 0, 0, false
	}
	first := rx[len(rx)-n]
	sent := 0
	for _, e := range events {
		if e.Dir == target.TX && e.Seq > first.Seq {
			if sent++; sent == n {
				return first.At, e.At, true
			}
		}
	}
	return 0, 0, false
}

// Series is a run of one-byte round trips.
type Series struct {
	RTTs     []time.Duration // the clean samples
	HostLate int             // samples the host spoiled, measured again
}

// SingleBytes runs count one-byte round trips (byte values 0..255 in turn),
// each with its own deadline of perTrip, and returns every clean RTT. A
// host-late sample is measured again, up to count/10 of them; beyond that
// the series ends in a *stall.HostLateError. It stops at the first
// failure, and early once more than 1% of the trips exceeded budget,
// because the p99 verdict is then certain.
func (t Timing) SingleBytes(ctx context.Context, p Port, count int, perTrip, budget time.Duration) (Series, error) {
	s := Series{RTTs: make([]time.Duration, 0, count)}
	over := 0
	for i := 0; len(s.RTTs) < count; i++ {
		tctx, cancel := context.WithTimeout(ctx, perTrip)
		sample, err := t.RoundTrip(tctx, p, []byte{byte(i)}, budget)
		cancel()
		if err == nil && sample.HostLate && errors.Is(tctx.Err(), context.DeadlineExceeded) {
			err = resync(ctx, p) // its echo may still come: not into the next trip
		}
		if err != nil {
			return s, fmt.Errorf("round trip %d of %d: %w", i+1, count, err)
		}
		if sample.HostLate {
			if s.HostLate++; s.HostLate > count/10 {
				return s, &stall.HostLateError{What: "one-byte round trips", Clean: len(s.RTTs), Want: count, Late: s.HostLate, Tries: i + 1}
			}
			continue
		}
		s.RTTs = append(s.RTTs, sample.RTT)
		if sample.RTT > budget {
			if over++; over > count/100 {
				break
			}
		}
	}
	return s, nil
}

// resync waits for the line to go quiet where p can (a link's Resync), so
// that an answer that missed its deadline does not meet the next request;
// where it cannot, that is an error.
func resync(ctx context.Context, p Port) error {
	r, ok := p.(interface {
		Resync(context.Context) (int, error)
	})
	if !ok {
		return fmt.Errorf("echo: the port cannot drop a late answer before the next request (hint: give a port with Resync)")
	}
	_, err := r.Resync(ctx)
	return err
}

// Pipelined is Pipelined timed by t: on the device's clock, Elapsed runs
// from the first byte's start bit at the device to the last echo byte's
// stop bit, and the device's idle time waiting for a late host is left
// out of it; the transfer is host-late when it took longer than budget and
// the rest of the host's lateness in feeding it explains the excess. On
// the host's clock it is host-late when it took longer than budget and the
// host's stalls meanwhile explain the excess.
func (t Timing) Pipelined(ctx context.Context, p Port, data []byte, chunk int, budget time.Duration) (Transfer, bool, error) {
	mark := t.mark()
	had := t.had()
	start := time.Now()
	tr, err := Pipelined(ctx, p, data, chunk)
	if err != nil {
		if t.deniedTime(ctx, err, had, budget) {
			return tr, true, nil
		}
		return tr, false, err
	}
	if t.Device == nil {
		return tr, tr.Elapsed > budget && t.Watch.Explains(start, time.Now(), tr.Elapsed-budget), nil
	}
	events, _ := t.Device.UARTEvents(mark)
	from, to, ok := echoBounds(events, len(data))
	if !ok {
		return tr, false, &StampError{Bytes: len(data), Events: len(events)}
	}
	idle := Starved(events, t.Frame).Within(from, to)
	tr.Elapsed = to - from + t.Frame - idle
	// The waits already left out are not excused twice.
	return tr, hostExplains(tr.Elapsed-budget, inputLate(events, len(data), t.Frame)-idle), nil
}

// Idle is a span of device time during which the device had echoed every
// byte it had received and the next had not begun to arrive: it waited
// for the host.
type Idle struct {
	From, To time.Duration
}

// IdleSpans are the device's waits for the host.
type IdleSpans []Idle

// Starved finds, in a device's UART events, the spans it waited for the
// host: from the echo of the last byte it held to the start bit of the
// next byte it received (its RX stamp less one character time, frame). A
// firmware that is slow to echo always holds bytes, so its slowness never
// shows as the host's; only a host that wrote late leaves the device with
// nothing to do. Events are taken in device time, whatever order a target
// logged them in; a wait still open at the last event lasts for good (the
// log ends while the device waits).
func Starved(events []target.UARTEvent, frame time.Duration) IdleSpans {
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b target.UARTEvent) int { return cmp.Compare(a.At, b.At) })
	var spans IdleSpans
	held := 0
	var emptied time.Duration
	waiting := false
	for _, e := range events {
		switch e.Dir {
		case target.RX:
			if waiting && e.At-frame > emptied {
				spans = append(spans, Idle{From: emptied, To: e.At - frame})
			}
			waiting = false
			held++
		case target.TX:
			if held--; held <= 0 {
				held, emptied, waiting = 0, e.At, true
			}
		}
	}
	if waiting {
		spans = append(spans, Idle{From: emptied, To: math.MaxInt64})
	}
	return spans
}

// Within is the device time the spans cover between from and to.
func (s IdleSpans) Within(from, to time.Duration) time.Duration {
	var total time.Duration
	for _, i := range s {
		if lo, hi := max(i.From, from), min(i.To, to); hi > lo {
			total += hi - lo
		}
	}
	return total
}

// Tries is how many times a single measurement (a payload, a pipelined
// transfer) is taken before a run of host-late ones ends it inconclusive.
const Tries = 3

// Again takes a measurement up to Tries times until the host did not spoil
// it: measure returns whether it was host-late. It returns how many were,
// and a *stall.HostLateError naming what when every try was.
func Again(what string, measure func() (hostLate bool, err error)) (int, error) {
	late := 0
	for range Tries {
		spoiled, err := measure()
		if err != nil || !spoiled {
			return late, err
		}
		late++
	}
	return late, &stall.HostLateError{What: what, Want: 1, Late: late, Tries: late}
}

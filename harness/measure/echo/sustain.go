package echo

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/target"
)

// Streamer is a Port that can also hand over whatever bytes have arrived.
type Streamer interface {
	Port
	ReadSome(ctx context.Context, p []byte) (int, error)
}

// inFlight is how many chunks Sustain keeps written ahead of the echo: two,
// so the device always has the next chunk while the host checks the last.
const inFlight = 2

// Arrival is one read of a sustained echo: when it returned and how many
// bytes it carried.
type Arrival struct {
	At    time.Time
	Bytes int
}

// Flow is what a sustained echo moved.
type Flow struct {
	Start    time.Time // the first write
	Chunks   int       // chunks echoed whole and byte-exact
	Arrivals []Arrival
	// Events are the device's UART events during the flow, where the
	// target stamps them (Timing.Device).
	Events []target.UARTEvent

	timing    Timing
	chunkTime time.Duration // one chunk's time on the wire
}

// Bytes is the total echoed.
func (f Flow) Bytes() int {
	n := 0
	for _, a := range f.Arrivals {
		n += a.Bytes
	}
	return n
}

// StallError is a chunk whose echo did not complete by its deadline.
type StallError struct {
	Chunk    int           // 0-based
	Got      int           // bytes of it that came back
	Want     int           // its length
	Since    time.Duration // from the flow's start to the last byte that came
	Deadline time.Duration
	Err      error
}

func (e *StallError) Error() string {
	return fmt.Sprintf("echo: chunk %d: %d of %d bytes within %v; the echo stopped %v after the load began (%v)",
		e.Chunk, e.Got, e.Want, e.Deadline, e.Since.Round(time.Millisecond), e.Err)
}

func (e *StallError) Unwrap() error { return e.Err }

// Sustain keeps the echo busy until ctx ends: chunk after chunk, two
// written ahead, each to come back byte-exact within perChunk of the
// previous chunk's last byte (the first: of the first write). started, if
// not nil, is closed once the first chunk is back, so a measurement can
// begin on a running load. ctx ending is the normal end, not an error; a
// late chunk is a *StallError, a wrong one a *MismatchError. The writer
// reports to t.Watch each chunk it wrote late: begun more than stall.Bound
// after its turn came, or taking longer than the chunk's time on the wire
// by more than that.
func (t Timing) Sustain(ctx context.Context, p Streamer, chunk []byte, perChunk time.Duration, started chan<- struct{}) (Flow, error) {
	if len(chunk) == 0 {
		return Flow{}, fmt.Errorf("echo: empty chunk (hint: pass the bytes to keep echoing)")
	}
	wctx, stop := context.WithCancel(ctx)
	tokens := make(chan time.Time, inFlight) // each: when the chunk's turn came
	werr := make(chan error, 1)
	mark := t.mark()
	f := Flow{Start: time.Now(), timing: t, chunkTime: time.Duration(len(chunk)) * t.Frame}
	for range inFlight {
		tokens <- f.Start
	}
	go func() {
		for {
			var due time.Time
			select {
			case <-wctx.Done():
				werr <- nil
				return
			case due = <-tokens:
			}
			// A write under way finishes when the load stops (it is only
			// a chunk, bounded by perChunk): cut short, it would discard
			// queued bytes the device's counters then never see.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), perChunk)
			begin := time.Now()
			err := p.WriteContext(cctx, chunk)
			cancel()
			if err != nil {
				werr <- err
				return
			}
			t.writeLate(due, begin, f.chunkTime)
		}
	}()
	err := f.read(ctx, p, chunk, perChunk, started, tokens)
	stop()
	select {
	case e := <-werr:
		if err == nil {
			err = e
		}
	case <-time.After(2 * perChunk): // a writer that ignores its deadline must not hold the caller
	}
	if t.Device != nil {
		settle(t.Device)
		f.Events, _ = t.Device.UARTEvents(mark)
	}
	return f, err
}

// writeLate reports a chunk written late: begun more than stall.Bound
// after due, or done more than that after its own time on the wire.
func (t Timing) writeLate(due, begin time.Time, wire time.Duration) {
	if begin.Sub(due) > stall.Bound {
		t.Watch.Late(due, begin)
	}
	if end := time.Now(); end.Sub(begin) > wire+stall.Bound {
		t.Watch.Late(begin.Add(wire), end)
	}
}

// read takes the echo of chunk after chunk, handing a write token back as
// each one is complete.
func (f *Flow) read(ctx context.Context, p Streamer, chunk []byte, perChunk time.Duration, started chan<- struct{}, tokens chan<- time.Time) error {
	got := make([]byte, len(chunk))
	last := f.Start
	had := f.timing.had()
	for k := 0; ; k++ {
		cctx, cancel := context.WithDeadline(ctx, last.Add(perChunk))
		n, err := f.readChunk(cctx, p, got)
		cancel()
		if n > 0 {
			last = f.Arrivals[len(f.Arrivals)-1].At
		}
		if firstDiff(chunk[:n], got[:n]) >= 0 {
			return fmt.Errorf("echo: chunk %d: %w", k, &MismatchError{Want: chunk, Got: got[:n]})
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			stalled := &StallError{Chunk: k, Got: n, Want: len(chunk), Since: last.Sub(f.Start), Deadline: perChunk, Err: err}
			// The device's answer is due one chunk and a turnaround after
			// the last came back; a device given less time than that by
			// the host did not miss it.
			if now := f.timing.had(); had >= 0 && now >= 0 && now-had < f.chunkTime+f.timing.Turnaround {
				return &stall.HostLateError{What: fmt.Sprintf("the echo load (%v; the device had %v of its own time)", stalled, now-had), Clean: k, Want: k + 1, Late: 1, Tries: k + 1}
			}
			return stalled
		}
		had = f.timing.had()
		f.Chunks++
		if k == 0 && started != nil {
			close(started)
		}
		tokens <- time.Now()
	}
}

// readChunk fills got, recording each read as an arrival.
func (f *Flow) readChunk(ctx context.Context, p Streamer, got []byte) (int, error) {
	n := 0
	for n < len(got) {
		m, err := p.ReadSome(ctx, got[n:])
		if m > 0 {
			f.Arrivals = append(f.Arrivals, Arrival{At: time.Now(), Bytes: m})
			n += m
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Windows is the throughput in bytes per second of each whole window of
// width from from to to. A read tells only that its bytes had come by the
// time it returned, and no line carries them faster than rate (bytes per
// second): each byte is placed at the latest time both allow, working back
// from the last read. A host late to read, or a fixture late to hand over
// what its model had sent, therefore moves no bytes into a later window,
// while a device that sent fewer leaves its window short.
func (f Flow) Windows(from, to time.Time, width time.Duration, rate float64) []float64 {
	if width <= 0 || rate <= 0 || !to.After(from) {
		return nil
	}
	bytes := make([]float64, int(to.Sub(from)/width))
	var begin time.Time
	for i := len(f.Arrivals) - 1; i >= 0; i-- {
		a := f.Arrivals[i]
		end := a.At
		if i < len(f.Arrivals)-1 && begin.Before(end) {
			end = begin
		}
		begin = end.Add(-time.Duration(float64(a.Bytes) / rate * float64(time.Second)))
		spread(bytes, from, width, begin, end, float64(a.Bytes))
	}
	for i := range bytes {
		bytes[i] /= width.Seconds()
	}
	return bytes
}

// spread adds n bytes, arriving evenly over [begin, end], to the windows
// of width starting at from.
func spread(windows []float64, from time.Time, width time.Duration, begin, end time.Time, n float64) {
	if !end.After(begin) {
		if i := int(end.Sub(from) / width); end.After(from) && i < len(windows) {
			windows[i] += n
		}
		return
	}
	total := end.Sub(begin)
	for i := range windows {
		lo, hi := from.Add(time.Duration(i)*width), from.Add(time.Duration(i+1)*width)
		if lo.Before(begin) {
			lo = begin
		}
		if hi.After(end) {
			hi = end
		}
		if hi.After(lo) {
			windows[i] += n * float64(hi.Sub(lo)) / float64(total)
		}
	}
}

// Window is one window of a sustained echo.
type Window struct {
	Rate float64 // bytes per second echoed in it
	// HostLate is true for a window the host spoiled: it wrote late or
	// stalled, so the window says nothing about the firmware.
	HostLate bool
}

// HostWindows is Windows, each window below least (bytes per second)
// host-late when the host's lateness (t.Watch, the writer's late chunks)
// within it, or within one chunk's time before it (a chunk written late
// starves the device about one chunk later), explains its shortfall: the
// line time of the bytes it lacks.
func (f Flow) HostWindows(from, to time.Time, width time.Duration, rate, least float64) []Window {
	rates := f.Windows(from, to, width, rate)
	out := make([]Window, len(rates))
	for i, r := range rates {
		lo := from.Add(time.Duration(i) * width)
		out[i] = Window{Rate: r, HostLate: r < least && f.timing.Watch.Explains(lo.Add(-f.chunkTime), lo.Add(width), shortfall(r, least, rate, width))}
	}
	return out
}

// shortfall is the line time of the bytes a window of width at r bytes
// per second lacks to reach least, on a line of rate.
func shortfall(r, least, rate float64, width time.Duration) time.Duration {
	return time.Duration((least - r) * width.Seconds() / rate * float64(time.Second))
}

// DeviceWindows is the throughput of each whole window of width between
// device times from and to, counted from the device's TX stamps (a byte
// counts where its stop bit left), each window below least (bytes per
// second) host-late where the host did not give the device the bytes to
// reach it: what the device had to send in it (held at the window's start,
// or received up to a turnaround before its end: t.Turnaround, the
// suite's allowance, so a byte that came too late to be answered in the
// window is not expected in it) falls short of least, and the device sent
// all of that but at most one byte. A device that sent slower than its
// bytes came holds more and more of them, so its windows stay its own
// however the host fed it; one that echoed whatever came, however late the
// host's bytes came or however they trickled, was short of bytes, not of
// speed.
func (f Flow) DeviceWindows(from, to, width time.Duration, rate, least float64) []Window {
	if width <= 0 || to <= from {
		return nil
	}
	out := make([]Window, int((to-from)/width))
	for i := range out {
		lo := from + time.Duration(i)*width
		had, sent := f.supplied(lo, lo+width, f.timing.Turnaround)
		out[i].Rate = float64(sent) / width.Seconds()
		out[i].HostLate = out[i].Rate < least && float64(had) < least*width.Seconds() && had-sent <= 1
	}
	return out
}

// supplied is, for the device times lo to hi of a flow, the bytes the
// device had to send by hi (those it held at lo, received and not yet
// sent, and those that reached it before hi less answer) and the bytes it
// sent.
func (f Flow) supplied(lo, hi, answer time.Duration) (had, sent int) {
	for _, e := range f.Events {
		switch {
		case e.Dir == target.RX && e.At < hi-answer:
			had++
		case e.Dir == target.TX && e.At < lo:
			had--
		case e.Dir == target.TX && e.At < hi:
			sent++
		}
	}
	return had, sent
}

// Settling: a target may log a byte's stamp some time after the device
// sent it (a fixture stamps a byte when its runner reports it), so the
// flow's log is taken once it has grown by nothing for settleQuiet, or
// after settleMost: windows at the flow's end then hold every byte the
// device sent in them.
const (
	settleQuiet = 50 * time.Millisecond
	settleMost  = 2 * time.Second
)

func settle(d DeviceUART) {
	_, n := d.UARTEvents(math.MaxUint64)
	deadline := time.Now().Add(settleMost)
	for time.Now().Before(deadline) {
		time.Sleep(settleQuiet)
		_, m := d.UARTEvents(math.MaxUint64)
		if m == n {
			return
		}
		n = m
	}
}

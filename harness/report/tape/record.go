package tape

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Recorder collects events while the suite runs. Its methods are safe
// for concurrent use: the data line, the LED and the control channel are
// told of by different goroutines. Events wait in memory until Take,
// which hands them over (for a spec's report) and, when the recorder has
// a Writer, appends them to the tape.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	w      *Writer // nil: nothing is stored
	err    error   // the first write error, kept for Close
}

// NewRecorder returns a recorder that appends to w, or keeps events only
// until Take when w is nil.
func NewRecorder(w *Writer) *Recorder { return &Recorder{w: w} }

// Store makes the recorder append what it takes from now on to w.
func (r *Recorder) Store(w *Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w = w
}

// Add records e; an event without a time gets the current one.
func (r *Recorder) Add(e Event) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Data records bytes that crossed the data line, on the host's clock.
func (r *Recorder) Data(dir Dir, at time.Time, p []byte) {
	if len(p) == 0 {
		return
	}
	r.Add(Event{Kind: KindData, At: at, Stamp: Host, Dir: dir, Bytes: slices.Clone(p)})
}

// DeviceData records bytes that crossed the device's UART with the
// device's time of each (dev, one per byte), taken from the target at at.
func (r *Recorder) DeviceData(dir Dir, at time.Time, p []byte, dev []time.Duration) {
	if len(p) == 0 || len(dev) != len(p) {
		return
	}
	r.Add(Event{Kind: KindData, At: at, Stamp: Device, Dir: dir, Bytes: slices.Clone(p), DeviceNs: nanos(dev)})
}

// DeviceEdge records one LED edge at device time dev, taken at at.
func (r *Recorder) DeviceEdge(at time.Time, high bool, dev time.Duration) {
	r.Add(Event{Kind: KindEdge, At: at, Stamp: Device, Level: &high, DeviceNs: nanos([]time.Duration{dev})})
}

func nanos(ds []time.Duration) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = int64(d)
	}
	return out
}

// Line records one control-channel line.
func (r *Recorder) Line(dir Dir, at time.Time, text string) {
	r.Add(Event{Kind: KindLine, At: at, Dir: dir, Text: text})
}

// Edge records one LED edge: the level after it, and whose clock at is.
func (r *Recorder) Edge(at time.Time, high bool, stamp Stamp) {
	r.Add(Event{Kind: KindEdge, At: at, Stamp: stamp, Level: &high})
}

// Take returns the events since the last Take in time order and, when
// the recorder stores a tape, appends them to it.
func (r *Recorder) Take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	slices.SortStableFunc(out, func(a, b Event) int { return a.At.Compare(b.At) })
	if r.w != nil {
		for _, e := range out {
			r.err = cmp.Or(r.err, r.w.Write(e))
		}
	}
	return out
}

// Close stores what is left and closes the tape; it returns the first
// error any write met.
func (r *Recorder) Close() error {
	r.Take()
	if r.w == nil {
		return nil
	}
	return cmp.Or(r.err, r.w.Close())
}

// Package stall watches the harness's own lateness, so that a measurement
// the host spoiled is told from one the firmware failed.
//
// A Watch wakes every Tick and notes each wake-up later than Bound: the
// harness process was off the CPU (descheduled, stopped, paging) and any
// byte or edge it read meanwhile got a late timestamp. Code on a schedule
// (a load's writer) reports its own late starts with Late. A measurement
// that overlaps more than Bound of stalls is host-late: it is measured
// again and never counted against the firmware; a spec that cannot get
// enough clean measurements within its tries ends inconclusive (see
// HostLateError), never passed and never failed.
//
// Times taken on the device's clock (harness/target's DeviceClock) need
// none of this: the host's lateness does not reach them.
package stall

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

const (
	// Tick is how often a Watch wakes.
	Tick = time.Millisecond
	// Bound is the host lateness a measurement tolerates: less than half
	// the smallest turnaround allowance a target runs with (5 ms), and
	// above the Go runtime's own wake-up granularity on Linux (up to 1 ms
	// past a timer), so that an idle host never reports a stall.
	Bound = 2 * time.Millisecond
)

// Span is an interval during which the host was late.
type Span struct {
	From, To time.Time
}

// Watch records the host's stalls while it runs. Its methods are safe for
// concurrent use; a nil *Watch sees no stalls.
type Watch struct {
	mu     sync.Mutex
	stalls []Span
	stop   chan struct{}
	done   chan struct{}
}

// Start begins watching; Stop ends it.
func Start() *Watch {
	w := &Watch{stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *Watch) run() {
	defer close(w.done)
	t := time.NewTicker(Tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			now = time.Now() // the tick's own time is when it was due, not when this ran
			if now.Sub(last) > Tick+Bound {
				w.Late(last, now)
			}
			last = now
		}
	}
}

// Stop ends the watch and waits for it; it is safe to call more than once.
func (w *Watch) Stop() {
	if w == nil {
		return
	}
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

// Late records that the host was late from from to to: something on a
// schedule started late, or the watch itself woke late.
func (w *Watch) Late(from, to time.Time) {
	if w == nil || !to.After(from) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stalls = append(w.stalls, Span{From: from, To: to})
}

// Within is how long the host was late between from and to: the union of
// the stalls overlapping that interval.
func (w *Watch) Within(from, to time.Time) time.Duration {
	if w == nil {
		return 0
	}
	stalls := w.Stalls()
	slices.SortFunc(stalls, func(a, b Span) int { return a.From.Compare(b.From) })
	var total time.Duration
	var end time.Time // the union so far ends here
	for _, s := range stalls {
		lo, hi := later(s.From, from), earlier(s.To, to)
		lo = later(lo, end)
		if hi.After(lo) {
			total += hi.Sub(lo)
			end = hi
		}
	}
	return total
}

// Spoiled is true when the host was late for more than Bound between from
// and to.
func (w *Watch) Spoiled(from, to time.Time) bool { return w.Within(from, to) > Bound }

// Stalls returns the stalls recorded so far.
func (w *Watch) Stalls() []Span {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Span(nil), w.stalls...)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// HostLateError is a measurement that could not be made cleanly: too many
// of its samples overlapped host stalls. It is neither a pass nor a
// failure of the firmware.
type HostLateError struct {
	What        string // the measurement
	Clean, Want int    // clean samples got and needed
	Late        int    // samples the host spoiled
	Tries       int    // samples taken in all
}

func (e *HostLateError) Error() string {
	return fmt.Sprintf("stall: inconclusive: host late: %s: %d clean of %d needed after %d tries; %d spoiled by the host stalling for more than %v (hint: run the suite on a quieter host, or below other work's priority with nothing beside it)",
		e.What, e.Clean, e.Want, e.Tries, e.Late, Bound)
}

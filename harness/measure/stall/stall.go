// Package stall watches the harness's own lateness, so that a measurement
// the host spoiled is told from one the firmware failed.
//
// A Watch wakes every Tick and notes each wake-up later than Bound: the
// harness process was off the CPU (descheduled, stopped, paging) and any
// byte or edge it read meanwhile got a late timestamp. Code on a schedule
// (a load's writer) reports its own late starts with Late. A measurement
// over its budget whose overlap with stalls is more than Bound and at
// least its excess is host-late: the stalls explain it, so it is measured
// again and never counted against the firmware. A spec that cannot get
// enough clean measurements within its tries ends inconclusive (see
// HostLateError), never passed and never failed. A measurement within its
// budget, or over it by more than the host's stalls, counts as it is.
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
	woke   time.Time // the watch's last wake-up; zero when it does not run
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
	w.wake(time.Now())
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.wake(time.Now()) // the tick's own time is when it was due, not when this ran
		}
	}
}

// wake notes a wake-up at now, and a stall since the last one if it was
// more than Tick+Bound ago.
func (w *Watch) wake(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.woke.IsZero() && now.Sub(w.woke) > Tick+Bound {
		w.stalls = append(w.stalls, Span{From: w.woke, To: now})
	}
	w.woke = now
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

// Explains is true when the host's lateness between from and to can
// account for excess, a measurement's excess over its budget: the host
// was late for more than Bound, and for at least excess. Only then is a
// failed measurement the host's; one the host's stalls cannot account
// for is the device's, however busy the host was.
func (w *Watch) Explains(from, to time.Time, excess time.Duration) bool {
	late := w.Within(from, to)
	return late > Bound && late >= excess
}

// Stalls returns the stalls recorded so far, and one under way: a watch
// that has not woken for more than Tick+Bound (the host resumed the
// caller before the watch).
func (w *Watch) Stalls() []Span {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := append([]Span(nil), w.stalls...)
	if now := time.Now(); !w.woke.IsZero() && now.Sub(w.woke) > Tick+Bound {
		out = append(out, Span{From: w.woke, To: now})
	}
	return out
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

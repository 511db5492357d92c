// Package edge captures timestamped transitions of an input pin through
// periph's gpio.PinIn and analyses the blink cadence they describe.
package edge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/measure/clock"
	"github.com/picohil/picohil/harness/measure/stats"
)

// waitSlice bounds one WaitForEdge so cancellation is noticed promptly.
const waitSlice = 100 * time.Millisecond

// Edge is one observed transition: the level after it and when it was seen.
type Edge struct {
	Level gpio.Level `json:"level"`
	At    time.Time  `json:"at"`
	// Lost is how many edges the source says it dropped just before this
	// one (the kernel's sequence numbers); 0 where the source cannot tell.
	Lost int `json:"lost,omitempty"`
	// Within is how far from At a ground-truth edge may really lie, where
	// the instrument that logged it knows only an interval (a write to the
	// line that took a while); 0 for an exact truth and for captured edges.
	Within time.Duration `json:"within,omitempty"`
}

// Stamped is an input that timestamps its own edges closer to the
// hardware than a user-space wake-up can: gpioev.Line, with the time the
// kernel took in the GPIO interrupt handler. Capture prefers it.
type Stamped interface {
	gpio.PinIn
	// NextEdge waits until ctx ends for the next edge and returns the level
	// after it, when it happened, and how many edges were dropped before it.
	NextEdge(ctx context.Context) (level gpio.Level, at time.Time, lost int, err error)
}

// Source says where edge timestamps come from; the report records it.
type Source string

const (
	// Kernel timestamps are taken by the kernel in the GPIO interrupt
	// handler and read through the GPIO character device (a Stamped pin).
	Kernel Source = "kernel"
	// User timestamps are time.Now() when the capturing goroutine wakes
	// after periph's WaitForEdge: later than the edge by the wake-up latency.
	User Source = "user"
	// Simulated edges come from a fixture's simulated pin; only the bench
	// knows a pin is one, so SourceOf never says it.
	Simulated Source = "simulated"
)

// SourceOf is where Capture takes p's edge timestamps from.
func SourceOf(p gpio.PinIn) Source {
	if _, ok := p.(Stamped); ok {
		return Kernel
	}
	return User
}

// Lost is how many edges the source dropped during a capture.
func Lost(edges []Edge) int {
	n := 0
	for _, e := range edges {
		n += e.Lost
	}
	return n
}

// ShortError reports a capture that ended before it saw enough edges.
type ShortError struct {
	Pin    string
	Want   int
	Got    int
	Window time.Duration
	Level  gpio.Level
}

func (e *ShortError) Error() string {
	return fmt.Sprintf("edge: %s: saw %d of %d edges in %v; pin stuck %s at the end (hint: check the LED mirror wire Pico GP15 -> Pi LED input pin and that the firmware's blink task runs)",
		e.Pin, e.Got, e.Want, e.Window, e.Level)
}

// nextEdge is Stamped.NextEdge.
type nextEdge func(ctx context.Context) (gpio.Level, time.Time, int, error)

// Capture waits for n edges on pin, for at most window (or until ctx ends).
// A Stamped pin times its own edges; any other is timestamped on wake with
// the monotonic clock. It returns the edges seen; fewer than n by the end
// of the window gives a *ShortError alongside them, and ctx ending first
// an error wrapping its cause.
func Capture(parent context.Context, p gpio.PinIn, n int, window time.Duration) ([]Edge, error) {
	edges, _, err := CaptureArmed(parent, p, n, window)
	return edges, err
}

// CaptureArmed is Capture that also returns when the pin began listening:
// every edge after that instant is in the capture (see MatchTruth).
func CaptureArmed(parent context.Context, p gpio.PinIn, n int, window time.Duration) ([]Edge, time.Time, error) {
	if err := p.In(gpio.PullNoChange, gpio.BothEdges); err != nil {
		return nil, time.Time{}, fmt.Errorf("edge: %s: enable edge detection: %w", p, err)
	}
	armed := time.Now()
	defer p.In(gpio.PullNoChange, gpio.NoEdge)
	ctx, cancel := context.WithTimeout(parent, window)
	defer cancel()
	next := Next(p)
	edges := make([]Edge, 0, n)
	for len(edges) < n {
		level, at, lost, err := next(ctx)
		switch {
		case err == nil:
			edges = append(edges, Edge{Level: level, At: at, Lost: lost})
		case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
			if cause := clock.Ended(parent); cause != nil {
				return edges, armed, fmt.Errorf("edge: %s: capture stopped after %d of %d edges, before its %v window ended: %w (hint: an interrupt or the caller's timeout stopped it, not the pin)", p, len(edges), n, window, cause)
			}
			return edges, armed, &ShortError{Pin: p.String(), Want: n, Got: len(edges), Window: window, Level: p.Read()}
		default:
			return edges, armed, fmt.Errorf("edge: %s: %w", p, err)
		}
	}
	return edges, armed, nil
}

// Next is how Capture waits for p's next edge: a Stamped pin's NextEdge,
// else periph's WaitForEdge with the time taken on wake. It returns the
// level after the edge, when it happened and how many edges were dropped
// before it; ctx must have a deadline.
func Next(p gpio.PinIn) func(ctx context.Context) (gpio.Level, time.Time, int, error) {
	if s, ok := p.(Stamped); ok {
		return s.NextEdge
	}
	return onWake(p)
}

// onWake is NextEdge through periph's WaitForEdge, the time taken when this
// goroutine wakes after the edge. ctx must have a deadline.
func onWake(p gpio.PinIn) nextEdge {
	return func(ctx context.Context) (gpio.Level, time.Time, int, error) {
		deadline, _ := ctx.Deadline()
		for {
			left := time.Until(deadline)
			if left <= 0 || ctx.Err() != nil {
				return p.Read(), time.Time{}, 0, context.DeadlineExceeded
			}
			if p.WaitForEdge(min(left, waitSlice)) {
				at := time.Now()
				return p.Read(), at, 0, nil
			}
		}
	}
}

// Timeline renders edges as "+12.345ms H" lines relative to the first edge,
// with the interval since the previous edge — for failure messages.
func Timeline(edges []Edge) string {
	if len(edges) == 0 {
		return "(no edges)"
	}
	var b strings.Builder
	for i, e := range edges {
		fmt.Fprintf(&b, "  #%-3d %+10.3fms %s", i, ms(e.At.Sub(edges[0].At)), e.Level)
		if i > 0 {
			fmt.Fprintf(&b, "  (+%.3fms)", ms(e.At.Sub(edges[i-1].At)))
		}
		if e.Lost > 0 {
			fmt.Fprintf(&b, "  [%d edges dropped before it]", e.Lost)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Trace is the edge timeline for the report: per edge, the time since the
// first edge (ms) and the level after it (0 or 1).
func Trace(name string, edges []Edge) stats.Trace {
	if len(edges) == 0 {
		return TraceFrom(name, nil, time.Time{})
	}
	return TraceFrom(name, edges, edges[0].At)
}

// TraceFrom is Trace with times since origin, so that two timelines (the
// captured edges and the true ones) share one axis.
func TraceFrom(name string, edges []Edge, origin time.Time) stats.Trace {
	t := stats.Trace{Name: name, Columns: []string{"t_ms", "level"}, Rows: make([][]float64, len(edges))}
	for i, e := range edges {
		level := 0.0
		if e.Level == gpio.High {
			level = 1
		}
		t.Rows[i] = []float64{ms(e.At.Sub(origin)), level}
	}
	return t
}

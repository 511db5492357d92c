// Package edge captures timestamped transitions of an input pin through
// periph's gpio.PinIn and analyses the blink cadence they describe.
package edge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/stats"
)

// waitSlice bounds one WaitForEdge so cancellation is noticed promptly.
const waitSlice = 100 * time.Millisecond

// Edge is one observed transition: the level after it and when it was seen.
type Edge struct {
	Level gpio.Level `json:"level"`
	At    time.Time  `json:"at"`
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

// Capture waits for n edges on pin, for at most window (or until ctx ends),
// timestamping each on wake with the monotonic clock. It returns the edges
// seen; fewer than n gives a *ShortError alongside them.
func Capture(ctx context.Context, p gpio.PinIn, n int, window time.Duration) ([]Edge, error) {
	if err := p.In(gpio.PullNoChange, gpio.BothEdges); err != nil {
		return nil, fmt.Errorf("edge: %s: enable edge detection: %w", p, err)
	}
	defer p.In(gpio.PullNoChange, gpio.NoEdge)
	deadline := time.Now().Add(window)
	edges := make([]Edge, 0, n)
	for len(edges) < n {
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			return edges, &ShortError{Pin: p.String(), Want: n, Got: len(edges), Window: window, Level: p.Read()}
		}
		if p.WaitForEdge(min(left, waitSlice)) {
			at := time.Now()
			edges = append(edges, Edge{Level: p.Read(), At: at})
		}
	}
	return edges, nil
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
		b.WriteByte('\n')
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Trace is the edge timeline for the report: per edge, the time since the
// first edge (ms) and the level after it (0 or 1).
func Trace(name string, edges []Edge) stats.Trace {
	t := stats.Trace{Name: name, Columns: []string{"t_ms", "level"}, Rows: make([][]float64, len(edges))}
	for i, e := range edges {
		level := 0.0
		if e.Level == gpio.High {
			level = 1
		}
		t.Rows[i] = []float64{ms(e.At.Sub(edges[0].At)), level}
	}
	return t
}

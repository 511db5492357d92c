package edge

import (
	"fmt"
	"strings"
	"time"
)

// Timestamp limits per source: how far a captured edge's time may lie from
// the instant the edge really happened. They come from what each source
// can do, not from the blink's jitter tolerance.
const (
	// SimulatedLimit: a fixture's pin wakes the capturing goroutine through
	// a channel. Measured on a shared two-core host (10 ms blink, 3 × 10
	// captures of 20 edges): idle p50 19 µs, p99 86-108 µs; under a 99 %
	// echo load at 921600 baud p50 3-5 µs, p99 71-135 µs (`go test -run
	// '^$' -bench TimestampError -benchtime 10x -count 3 ./harness/gpio/edge`).
	// The limit leaves the scheduler a few slices of headroom and stays
	// sub-millisecond.
	SimulatedLimit = time.Millisecond
	// KernelLimit: the kernel stamps the edge in the GPIO interrupt
	// handler; on the jumper bench the true time is the drive instant taken
	// around a GPIO write, one syscall (tens of µs) away.
	KernelLimit = 500 * time.Microsecond
	// UserLimit: a user-space wake-up after WaitForEdge, a scheduler
	// latency of up to a few milliseconds on a Pi running the suite.
	UserLimit = 3 * time.Millisecond
)

// Limit is the timestamp error source can be held to.
func Limit(source Source) time.Duration {
	switch source {
	case Kernel:
		return KernelLimit
	case User:
		return UserLimit
	}
	return SimulatedLimit
}

// Match pairs captured edges with the true edges one to one.
type Match struct {
	ErrorsUs []float64 // |captured - true| of each pair, µs, in order
	Missed   []Edge    // true edges after arming that were never captured
	Extra    []Edge    // captured edges no true edge accounts for
}

// MatchTruth pairs captured edges with truth edge by edge, in sequence: the
// k-th captured edge is the next true edge of its level, not the nearest
// one, so a capture a whole period late does not score zero. armed is when
// the capture began listening: a true edge before it may be missing, any
// later one up to the last capture must be there. A captured edge pairs
// with the next true edge only if it has its level and lies within window
// of it (half a half-period tells neighbours apart); a true edge that falls
// behind the capture by more than window is missed, a captured edge that
// pairs with none is extra.
func MatchTruth(captured, truth []Edge, armed time.Time, window time.Duration) Match {
	var m Match
	j := 0
	for j < len(truth) && truth[j].At.Before(armed.Add(-window)) {
		j++
	}
	for _, c := range captured {
		for j < len(truth) && truth[j].At.Before(c.At.Add(-window)) {
			if !truth[j].At.Before(armed) {
				m.Missed = append(m.Missed, truth[j])
			}
			j++
		}
		if j < len(truth) && truth[j].Level == c.Level && absDur(c.At.Sub(truth[j].At)) <= window {
			// The error is the distance past what the truth itself is
			// sure of: a stamp inside the truth's interval is exact.
			m.ErrorsUs = append(m.ErrorsUs, float64(max(0, absDur(c.At.Sub(truth[j].At))-truth[j].Within))/float64(time.Microsecond))
			j++
			continue
		}
		m.Extra = append(m.Extra, c)
	}
	return m
}

// String lists the missed and extra edges relative to base, for failure
// messages; "" when every edge paired.
func (m Match) String(base time.Time) string {
	var b strings.Builder
	for _, e := range m.Missed {
		fmt.Fprintf(&b, "  missed: true edge %s at %+.3fms was never captured\n", e.Level, ms(e.At.Sub(base)))
	}
	for _, e := range m.Extra {
		fmt.Fprintf(&b, "  extra:  captured edge %s at %+.3fms matches no true edge\n", e.Level, ms(e.At.Sub(base)))
	}
	return b.String()
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Package baud measures the rate a device really transmits at, from the
// arrival times of a known burst of back-to-back characters.
package baud

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/measure/stats"
)

// BitsPerByte is 8N1: start, 8 data, stop.
const BitsPerByte = 10

// ByteTime is how long one 8N1 character takes at rate.
func ByteTime(rate int) time.Duration {
	return time.Duration(float64(time.Second) * BitsPerByte / float64(rate))
}

// Reader is what a measurement needs from a link.
type Reader interface {
	ReadSome(ctx context.Context, p []byte) (int, error)
}

// Arrival is how many bytes had arrived by a read's return.
type Arrival struct {
	Count int
	At    time.Time
}

// Burst is a received burst with its arrival timeline.
type Burst struct {
	Data     []byte
	Arrivals []Arrival
}

// ErrTooShort means the burst arrived in a single read, so no rate can be
// computed from it; ask for a longer burst.
var ErrTooShort = errors.New("baud: burst arrived in one read; too short to time")

// ReadBurst reads a burst of n bytes, timestamping every read with the
// monotonic clock. It stops early when the line stays quiet for gap after
// the first byte (a receiver at the wrong rate loses or merges characters),
// and returns what arrived, even on error.
func ReadBurst(ctx context.Context, r Reader, n int, gap time.Duration) (Burst, error) {
	b := Burst{Data: make([]byte, 0, n)}
	buf := make([]byte, 4096)
	for len(b.Data) < n {
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if len(b.Data) > 0 {
			rctx, cancel = context.WithTimeout(ctx, gap)
		}
		m, err := r.ReadSome(rctx, buf[:min(len(buf), n-len(b.Data))])
		cancel()
		at := time.Now()
		if m > 0 {
			b.Data = append(b.Data, buf[:m]...)
			b.Arrivals = append(b.Arrivals, Arrival{Count: len(b.Data), At: at})
		}
		if err != nil {
			return b, fmt.Errorf("baud: burst: %d of %d bytes arrived: %w", len(b.Data), n, err)
		}
	}
	return b, nil
}

// Effective is the rate implied by the arrivals of a burst of sent bytes.
//
// Delays on the receiving side (scheduling, FIFO thresholds, USB frames)
// only ever make a read later than the byte's arrival on the wire, never
// earlier, so the wire timeline is the lower envelope of the (count, time)
// points. The rate is the slope between the earliest-relative points of the
// first and last thirds of the burst, refined a few times; a stalled reader
// that catches up does not inflate it. When a mismatched receiver decoded
// more or fewer characters than were sent, counts are scaled to the sent
// count.
func (b Burst) Effective(sent int) (float64, error) {
	n := len(b.Arrivals)
	if n < 2 {
		return 0, ErrTooShort
	}
	scale := float64(sent) / float64(b.Arrivals[n-1].Count)
	count := func(i int) float64 { return float64(b.Arrivals[i].Count) * scale }
	at := func(i int) float64 { return b.Arrivals[i].At.Sub(b.Arrivals[0].At).Seconds() }
	lo, hi := 0, n-1
	for range 3 {
		if count(hi) <= count(lo) || at(hi) <= at(lo) {
			return 0, ErrTooShort
		}
		perByte := (at(hi) - at(lo)) / (count(hi) - count(lo))
		residual := func(i int) float64 { return at(i) - count(i)*perByte }
		lo = argmin(0, max(1, n/3), residual)
		hi = argmin(min(n-1, n-n/3), n, residual)
	}
	if count(hi) <= count(lo) || at(hi) <= at(lo) {
		return 0, ErrTooShort
	}
	return (count(hi) - count(lo)) * BitsPerByte / (at(hi) - at(lo)), nil
}

func argmin(from, to int, f func(int) float64) int {
	best := from
	for i := from + 1; i < to; i++ {
		if f(i) < f(best) {
			best = i
		}
	}
	return best
}

// HostLate is true for a burst timed on the host's clock whose effective
// rate eff is off nominal by more than tolPct percent, when the host's
// stalls while it came (w, see stall.Watch.Explains) account for the
// excess: the time the burst's bytes seemed to take beyond the tolerance,
// or fall short of it. A reader the host stopped reads late and in a
// heap, which Effective mostly sees through; what it cannot, the stalls
// must explain, or the rate is the device's.
func (b Burst) HostLate(eff float64, nominal int, tolPct float64, w *stall.Watch) bool {
	n := len(b.Arrivals)
	if n < 2 || eff <= 0 || nominal <= 0 {
		return false
	}
	bytes := float64(b.Arrivals[n-1].Count)
	want := bytes * BitsPerByte / float64(nominal)
	excess := math.Abs(bytes*BitsPerByte/eff-want) - want*tolPct/100
	if excess <= 0 {
		return false
	}
	return w.Explains(b.Arrivals[0].At, b.Arrivals[n-1].At, time.Duration(excess*float64(time.Second)))
}

// BurstLen is the number of bytes that take about d on the wire at rate,
// at least 64.
func BurstLen(rate int, d time.Duration) int {
	return max(64, int(d.Seconds()*float64(rate)/BitsPerByte))
}

// Trace is the burst's arrival timeline for the report: per read, the time
// since the first read returned (ms) and the bytes received so far.
func (b Burst) Trace(name string, nominal int) stats.Trace {
	t := stats.Trace{Name: name, Columns: []string{"baud", "t_ms", "bytes"}, Rows: make([][]float64, len(b.Arrivals))}
	for i, a := range b.Arrivals {
		t.Rows[i] = []float64{float64(nominal), float64(a.At.Sub(b.Arrivals[0].At)) / float64(time.Millisecond), float64(a.Count)}
	}
	return t
}

// At is the effective rate measured at a nominal rate, held within
// nominal ± tolPct percent.
func At(nominal int, effective, tolPct float64) stats.Point {
	n := float64(nominal)
	l := stats.Around(n, n*tolPct/100)
	return stats.Point{At: n, Value: effective, Limits: l, Pass: l.Contains(effective)}
}

// Measure makes the rates measured one measurement, whose name does not
// depend on them: each rate is a point, and the value is the error from
// nominal with the largest magnitude, in percent, within ± tolPct. It
// passes when every rate does; with no rates it is NaN and fails.
func Measure(name string, tolPct float64, rates ...stats.Point) stats.Measurement {
	worst := math.NaN()
	for _, p := range rates {
		if e := p.ErrorPct(); math.IsNaN(worst) || math.Abs(e) > math.Abs(worst) {
			worst = e
		}
	}
	m := stats.Measure(name, "%", worst, stats.Around(0, tolPct))
	m.Points = rates
	for _, p := range rates {
		m.Pass = m.Pass && p.Pass
	}
	return m
}

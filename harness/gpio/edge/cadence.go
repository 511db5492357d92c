package edge

import (
	"errors"
	"math"
	"slices"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/measure/stats"
)

// ErrTooFewEdges means a cadence needs at least three edges.
var ErrTooFewEdges = errors.New("edge: need at least 3 edges for a cadence")

// HalfTolerancePct is how far the least-squares half-period may be from
// the nominal, in percent: the limit the suite's blink specs and hil soak's
// windows both judge by.
const HalfTolerancePct = 1.0

// Cadence describes a square wave from its edges. Durations are in
// milliseconds so they can be recorded as measurements directly.
type Cadence struct {
	High      stats.Summary // high half-periods, ms
	Low       stats.Summary // low half-periods, ms
	Half      stats.Summary // all half-periods, ms
	HalfFit   float64       // least-squares half-period over all edge times, ms
	PeriodMs  float64       // mean high + mean low
	Duty      float64       // fraction of the period spent high, 0..1
	JitterP99 float64       // p99 of |half-period - mean half-period|, ms
	Missed    int           // edges that must have happened but were not seen
	HalfMs    []float64     // every usable half-period in order, ms
}

// Analyze computes the cadence of edges. An edge followed by another of the
// same level means one was missed. A high (or low) interval longer than 1.5
// times the median of its kind hides pairs of missed edges. Intervals
// spanning missed edges are not used as half-periods.
func Analyze(edges []Edge) (Cadence, error) {
	if len(edges) < 3 {
		return Cadence{}, ErrTooFewEdges
	}
	var c Cadence
	byLevel := map[gpio.Level][]float64{}
	for i := 1; i < len(edges); i++ {
		if edges[i].Level == edges[i-1].Level {
			c.Missed++
			continue
		}
		byLevel[edges[i-1].Level] = append(byLevel[edges[i-1].Level], ms(edges[i].At.Sub(edges[i-1].At)))
	}
	if len(byLevel[gpio.High]) == 0 || len(byLevel[gpio.Low]) == 0 {
		return c, ErrTooFewEdges
	}
	median := map[gpio.Level]float64{}
	for l, v := range byLevel {
		median[l] = stats.Percentile(sortedCopy(v), 50)
	}
	period := median[gpio.High] + median[gpio.Low]
	var high, low []float64
	for i := 1; i < len(edges); i++ {
		prev := edges[i-1]
		if edges[i].Level == prev.Level {
			continue
		}
		d := ms(edges[i].At.Sub(prev.At))
		if d > 1.5*median[prev.Level] {
			c.Missed += 2 * max(1, int(math.Round((d-median[prev.Level])/period)))
			continue
		}
		c.HalfMs = append(c.HalfMs, d)
		if prev.Level == gpio.High {
			high = append(high, d)
		} else {
			low = append(low, d)
		}
	}
	if len(high) == 0 || len(low) == 0 {
		return c, ErrTooFewEdges
	}
	c.High, c.Low, c.Half = stats.Summarize(high), stats.Summarize(low), stats.Summarize(c.HalfMs)
	c.HalfFit = fitHalf(edges, period/2)
	c.PeriodMs = c.High.Mean + c.Low.Mean
	c.Duty = c.High.Mean / c.PeriodMs
	dev := make([]float64, len(c.HalfMs))
	for i, d := range c.HalfMs {
		dev[i] = math.Abs(d - c.Half.Mean)
	}
	c.JitterP99 = stats.Percentile(sortedCopy(dev), 99)
	return c, nil
}

// fitHalf is the half-period that best explains every edge time: the
// least-squares slope of edge time against half-period count (a gap of
// missed edges counts as the half-periods it spans). The mean of the
// half-periods depends only on the first and last edge, so one late
// timestamp there moves it by its whole error; the fit spreads it.
func fitHalf(edges []Edge, half float64) float64 {
	var k, sk, st, skk, skt float64
	for i, e := range edges {
		if i > 0 {
			k += max(1, math.Round(ms(e.At.Sub(edges[i-1].At))/half))
		}
		t := ms(e.At.Sub(edges[0].At))
		sk, st, skk, skt = sk+k, st+t, skk+k*k, skt+k*t
	}
	n := float64(len(edges))
	return (n*skt - sk*st) / (n*skk - sk*sk)
}

func sortedCopy(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

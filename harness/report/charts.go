package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/picohil/picohil/harness/measure/stats"
)

// rttChart is the histogram of echo.rtt.1B on a log axis with its CDF and
// the budget line.
func rttChart(m stats.Measurement) *Chart {
	sorted := slices.Sorted(slices.Values(m.Series))
	lo, hi := sorted[0], sorted[len(sorted)-1]
	if m.Limits.Max != nil {
		hi = math.Max(hi, *m.Limits.Max)
	}
	x := axis{lo: math.Max(lo/1.2, 1e-3), hi: hi * 1.2, log: true}
	const bins = 40
	counts := make([]float64, bins)
	for _, v := range sorted {
		i := min(bins-1, max(0, int(x.frac(v)*bins)))
		counts[i]++
	}
	p := newPlot("rtt", stats.EchoRTT+": one-byte round trips", x, axis{lo: 0, hi: slices.Max(counts) * 1.1})
	p.axes("round trip ("+m.Unit+", log scale)", "count")
	w := (p.W - p.left - p.right) / bins
	for i, c := range counts {
		p.add(shape{Kind: "rect", X: p.left + float64(i)*w, Y: p.py(c), W: w - 1, H: p.py(0) - p.py(c), Class: "bar"})
	}
	// The CDF uses the right-hand scale, 0..1.
	cdf := &plot{Chart: p.Chart, x: x, y: axis{lo: 0, hi: 1}, left: p.left, right: p.right, top: p.top, bottom: p.bottom}
	ys := make([]float64, len(sorted))
	for i := range sorted {
		ys[i] = float64(i+1) / float64(len(sorted))
	}
	cdf.polyline(sorted, ys, "cdf")
	for _, v := range []float64{0, 0.5, 0.99} {
		cdf.text(p.W-p.right+6, cdf.py(v)+4, "start", "tick cdf-label", "CDF "+short(v))
	}
	if m.Summary != nil {
		p.vline(m.Summary.P99, "p99", "p99 "+short(m.Summary.P99))
	}
	if m.Limits.Max != nil {
		p.vline(*m.Limits.Max, "limit", "budget "+short(*m.Limits.Max))
	}
	p.Caption = fmt.Sprintf("%d samples; bars: histogram, line: cumulative fraction; %s", len(sorted), verdict(m))
	return p.Chart
}

// timelineChart draws the LED level over time, logic-analyser style, from
// consecutive half-periods.
func timelineChart(ms []stats.Measurement) *Chart {
	var total float64
	for _, m := range ms {
		total = math.Max(total, sum(m.Series))
	}
	p := newPlot("led-timeline", "LED timeline", axis{lo: 0, hi: total}, axis{lo: 0, hi: float64(2 * len(ms)), bare: true})
	p.H = 60 + 50*float64(len(ms))
	p.axes("time since first edge (ms)", "")
	for i, m := range ms {
		low, high := float64(2*i)+0.3, float64(2*i)+1.5
		xs, ys := []float64{0}, []float64{high}
		var t float64
		level := high
		for _, d := range m.Series {
			t += d
			xs, ys = append(xs, t, t), append(ys, level, low+high-level)
			level = low + high - level
		}
		p.polyline(xs, ys, "trace s"+strconv.Itoa(i))
		p.text(p.left+4, p.py(high)-4, "start", "tick", m.Name)
	}
	p.Caption = "each step is one measured edge; the first level is drawn high"
	return p.Chart
}

// halfPeriodChart scatters each half-period against the tolerance band.
func halfPeriodChart(ms []stats.Measurement) *Chart {
	vals := []float64{}
	var n int
	for _, m := range ms {
		vals = append(vals, m.Series...)
		n = max(n, len(m.Series))
		if m.Limits.Min != nil && m.Limits.Max != nil {
			vals = append(vals, *m.Limits.Min, *m.Limits.Max)
		}
	}
	p := newPlot("half-period", "Blink half-periods", axis{lo: 0, hi: float64(n + 1)}, span(0.1, vals...))
	p.axes("half-period #", "half-period (ms)")
	first := ms[0]
	if first.Limits.Min != nil && first.Limits.Max != nil {
		p.band(*first.Limits.Min, *first.Limits.Max, "mean tolerance "+first.Limits.String())
	}
	var captions []string
	for i, m := range ms {
		for j, v := range m.Series {
			p.add(shape{Kind: "circle", X: p.px(float64(j + 1)), Y: p.py(v), H: 4, Class: "dot s" + strconv.Itoa(i)})
		}
		p.polyline([]float64{0, float64(n + 1)}, []float64{m.Value, m.Value}, "mean s"+strconv.Itoa(i))
		captions = append(captions, fmt.Sprintf("%s (series %d): mean %s ms, %s", m.Name, i+1, short(m.Value), verdict(m)))
	}
	p.Caption = strings.Join(captions, "; ")
	return p.Chart
}

// baudChart shows each rate's error from nominal against its tolerance.
func baudChart(rates []stats.Point) *Chart {
	errs := make([]float64, len(rates))
	tol := 0.0
	for i, r := range rates {
		errs[i] = r.ErrorPct()
		if r.Limits.Max != nil {
			tol = math.Max(tol, 100*(*r.Limits.Max-r.At)/r.At)
		}
	}
	p := newPlot("baud", "Effective baud vs nominal", axis{lo: 0, hi: float64(len(rates)), bare: true}, span(0.15, append(slices.Clone(errs), tol, -tol)...))
	p.axes("nominal rate", "error from nominal (%)")
	p.band(-tol, tol, fmt.Sprintf("±%s %%", short(tol)))
	for i, r := range rates {
		class := "bar"
		if !r.Pass {
			class = "bar fail"
		}
		y0, y1 := p.py(0), p.py(errs[i])
		p.add(shape{Kind: "rect", X: p.px(float64(i) + 0.2), Y: math.Min(y0, y1), W: p.px(0.6) - p.px(0), H: math.Max(math.Abs(y1-y0), 1), Class: class})
		p.text(p.px(float64(i)+0.5), p.H-p.bottom+16, "middle", "tick", short(r.At))
		p.text(p.px(float64(i)+0.5), math.Min(y0, y1)-4, "middle", "tick", fmt.Sprintf("%+.2f", errs[i]))
	}
	p.Caption = fmt.Sprintf("%d rates; bars outside the band failed", len(rates))
	return p.Chart
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

func verdict(m stats.Measurement) string {
	if m.Pass {
		return "within " + m.Limits.String()
	}
	return "OUTSIDE " + m.Limits.String()
}

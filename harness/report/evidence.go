package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/picohil/picohil/harness/measure/stats"
)

// row is one spec in report.html with the charts of its evidence.
type row struct {
	Spec
	Charts []*Chart
}

// specCharts draws what a spec's traces hold: the echo load's windows
// against the line they must reach, and the captured LED edges against
// the true ones where the target knows them.
func specCharts(i int, s Spec) []*Chart {
	var out []*Chart
	for _, t := range s.Traces {
		id := fmt.Sprintf("spec%d-%s", i, strings.ReplaceAll(t.Name, ".", "-"))
		switch {
		case t.Name == stats.BlinkLoadThroughput && len(t.Rows) > 0:
			if m, ok := s.measurement(t.Name); ok {
				out = append(out, windowsChart(id, t, m))
			}
		case strings.HasSuffix(t.Name, stats.Edges) && len(t.Rows) > 0:
			truth, _ := s.trace(strings.TrimSuffix(t.Name, stats.Edges) + stats.Truth)
			out = append(out, edgesChart(id, t, truth))
		}
	}
	return out
}

func (s Spec) measurement(name string) (stats.Measurement, bool) {
	i := slices.IndexFunc(s.Measurements, func(m stats.Measurement) bool { return m.Name == name })
	if i < 0 {
		return stats.Measurement{}, false
	}
	return s.Measurements[i], true
}

func (s Spec) trace(name string) (stats.Trace, bool) {
	i := slices.IndexFunc(s.Traces, func(t stats.Trace) bool { return t.Name == name })
	if i < 0 {
		return stats.Trace{}, false
	}
	return s.Traces[i], true
}

// windowsChart draws each window's share of line rate as a bar, red below
// the measurement's lower limit, with that limit as a line.
func windowsChart(id string, t stats.Trace, m stats.Measurement) *Chart {
	width := 100.0
	if len(t.Rows) > 1 {
		width = t.Rows[1][0] - t.Rows[0][0]
	}
	end := t.Rows[len(t.Rows)-1][0] + width
	top := 110.0
	for _, r := range t.Rows {
		top = max(top, r[1]*1.05)
	}
	p := newPlot(id, m.Name+": each window's echo throughput", axis{lo: 0, hi: end}, axis{lo: 0, hi: top})
	p.axes("time since the capture began (ms)", "% of line rate")
	below := 0
	for _, r := range t.Rows {
		class := "bar"
		switch {
		case len(r) > 2 && r[2] == 1: // host-late: not counted
			class = "bar hostlate"
		case m.Limits.Min != nil && r[1] < *m.Limits.Min:
			class, below = "bar fail", below+1
		}
		x0, x1 := p.px(r[0]), p.px(r[0]+width)
		p.add(shape{Kind: "rect", X: x0 + 0.5, Y: p.py(r[1]), W: max(x1-x0-1, 1), H: p.py(0) - p.py(r[1]), Class: class})
	}
	if m.Limits.Min != nil {
		y := p.py(*m.Limits.Min)
		p.add(shape{Kind: "line", X1: p.left, Y1: y, X2: p.W - p.right, Y2: y, Class: "limit"})
		p.text(p.W-p.right-4, y-4, "end", "limit", short(*m.Limits.Min)+" % line")
	}
	p.Caption = fmt.Sprintf("%d windows of %s ms, %d below the line; lowest %s %%, %s", len(t.Rows), short(width), below, short(m.Value), verdict(m))
	return p.Chart
}

// edgesChart draws the captured LED levels over time and, below them on
// the same axis, the true ones.
func edgesChart(id string, captured, truth stats.Trace) *Chart {
	traces := []stats.Trace{captured}
	if len(truth.Rows) > 0 {
		traces = append(traces, truth)
	}
	end := 0.0
	for _, t := range traces {
		end = max(end, t.Rows[len(t.Rows)-1][0])
	}
	start := min(0, traces[len(traces)-1].Rows[0][0])
	p := newPlot(id, captured.Name+": the LED's edges", axis{lo: start, hi: end}, axis{lo: 0, hi: float64(2 * len(traces)), bare: true})
	p.H = 60 + 50*float64(len(traces))
	p.axes("time since the first captured edge (ms)", "")
	labels := []string{"captured", "true"}
	for i, t := range traces {
		base := float64(2*(len(traces)-1-i)) + 0.3
		var xs, ys []float64
		level := 1 - t.Rows[0][1] // the level before the first edge
		for _, r := range t.Rows {
			xs, ys = append(xs, r[0], r[0]), append(ys, base+1.2*level, base+1.2*r[1])
			level = r[1]
		}
		xs, ys = append(xs, end), append(ys, base+1.2*level)
		p.polyline(xs, ys, "trace s"+strconv.Itoa(i))
		p.text(p.left+4, p.py(base+1.2)-4, "start", "tick", labels[i])
	}
	p.Caption = fmt.Sprintf("%d edges captured", len(captured.Rows))
	if len(traces) > 1 {
		p.Caption += fmt.Sprintf(" against %d true edges of the fixture's pin while the capture listened", len(truth.Rows))
	} else {
		p.Caption += "; the target does not know the true edges"
	}
	return p.Chart
}

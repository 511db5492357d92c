package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// shape is one SVG element of a chart; Kind selects which fields apply.
type shape struct {
	Kind           string // rect, line, polyline, circle, text
	X, Y, W, H     float64
	X1, Y1, X2, Y2 float64
	Points         string
	Text           string
	Class          string
	Anchor         string
	Rotate         bool // text turned to run upwards about (X, Y)
}

// axis maps data values onto a pixel range, linearly or in log10.
type axis struct {
	lo, hi float64
	log    bool
	bare   bool // no ticks: categories or levels
}

func (a axis) frac(v float64) float64 {
	if a.log {
		return (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	}
	if a.hi == a.lo {
		return 0.5
	}
	return (v - a.lo) / (a.hi - a.lo)
}

// ticks are round values inside the axis.
func (a axis) ticks() []float64 {
	var out []float64
	if a.bare {
		return nil
	}
	if a.log {
		for d := math.Pow(10, math.Floor(math.Log10(a.lo))); d <= a.hi; d *= 10 {
			for _, m := range []float64{1, 2, 5} {
				if v := d * m; v >= a.lo && v <= a.hi {
					out = append(out, v)
				}
			}
		}
		return out
	}
	step := math.Pow(10, math.Floor(math.Log10((a.hi-a.lo)/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (a.hi-a.lo)/(step*m) <= 6 {
			step *= m
			break
		}
	}
	for v := math.Ceil(a.lo/step) * step; v <= a.hi+step/1e6; v += step {
		out = append(out, v)
	}
	return out
}

// Chart is one inline SVG figure.
type Chart struct {
	ID, Title, Caption string
	W, H               float64
	Shapes             []shape
}

// plot draws into a Chart inside margins around the plotting area.
type plot struct {
	*Chart
	x, y                     axis
	left, right, top, bottom float64
}

func newPlot(id, title string, x, y axis) *plot {
	return &plot{Chart: &Chart{ID: id, Title: title, W: 720, H: 300}, x: x, y: y, left: 70, right: 60, top: 20, bottom: 45}
}

func (p *plot) px(v float64) float64 { return p.left + p.x.frac(v)*(p.W-p.left-p.right) }
func (p *plot) py(v float64) float64 { return p.H - p.bottom - p.y.frac(v)*(p.H-p.top-p.bottom) }

func (p *plot) add(s shape) { p.Shapes = append(p.Shapes, s) }

func (p *plot) text(x, y float64, anchor, class, text string) {
	p.add(shape{Kind: "text", X: x, Y: y, Anchor: anchor, Class: class, Text: text})
}

// axes draws the frame, the ticks of both axes and their labels.
func (p *plot) axes(xlabel, ylabel string) {
	x0, x1, y0, y1 := p.left, p.W-p.right, p.H-p.bottom, p.top
	p.add(shape{Kind: "rect", X: x0, Y: y1, W: x1 - x0, H: y0 - y1, Class: "frame"})
	for _, v := range p.x.ticks() {
		p.add(shape{Kind: "line", X1: p.px(v), Y1: y0, X2: p.px(v), Y2: y0 + 5, Class: "tickmark"})
		p.text(p.px(v), y0+18, "middle", "tick", short(v))
	}
	for _, v := range p.y.ticks() {
		p.add(shape{Kind: "line", X1: x0, Y1: p.py(v), X2: x1, Y2: p.py(v), Class: "grid"})
		p.text(x0-6, p.py(v)+4, "end", "tick", short(v))
	}
	p.text((x0+x1)/2, p.H-6, "middle", "label", xlabel)
	p.add(shape{Kind: "text", X: 16, Y: (y0 + y1) / 2, Anchor: "middle", Class: "label", Text: ylabel, Rotate: true})
}

// vline marks x = v across the plot with a label at the top.
func (p *plot) vline(v float64, class, label string) {
	p.add(shape{Kind: "line", X1: p.px(v), Y1: p.top, X2: p.px(v), Y2: p.H - p.bottom, Class: class})
	p.text(p.px(v)-4, p.top+12, "end", class, label)
}

// band shades lo <= y <= hi across the plot.
func (p *plot) band(lo, hi float64, label string) {
	p.add(shape{Kind: "rect", X: p.left, Y: p.py(hi), W: p.W - p.left - p.right, H: p.py(lo) - p.py(hi), Class: "band"})
	p.text(p.W-p.right-4, p.py(hi)-4, "end", "bandlabel", label)
}

// polyline joins data points.
func (p *plot) polyline(xs, ys []float64, class string) {
	var b strings.Builder
	for i := range xs {
		fmt.Fprintf(&b, "%.1f,%.1f ", p.px(xs[i]), p.py(ys[i]))
	}
	p.add(shape{Kind: "polyline", Points: strings.TrimSpace(b.String()), Class: class})
}

// span is the range of values padded by a fraction on each side.
func span(pad float64, values ...float64) axis {
	lo, hi := slices.Min(values), slices.Max(values)
	d := (hi - lo) * pad
	if d == 0 {
		d = math.Max(math.Abs(lo)*pad, 1)
	}
	return axis{lo: lo - d, hi: hi + d}
}

func short(v float64) string {
	if v == 0 {
		v = 0 // a tick at -0 reads as 0
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

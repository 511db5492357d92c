package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed gate.html.tmpl
var gateSource string

var gateTemplate = template.Must(template.Must(htmlTemplate.Clone()).New("gate").Parse(gateSource))

// Gate is a gate's verdict with its history: Runs are the baselines, oldest
// first, then the current run; the last baseline is the one compared.
type Gate struct {
	Labels     []string // each run's file
	Runs       []Report
	Comparison Comparison
	Thresholds Thresholds
}

type gatePage struct {
	Gate
	Baseline, Current           Report
	BaselineLabel, CurrentLabel string
	Blocked                     bool
	History                     int
	Trends                      []*Chart
}

// WriteGateHTML renders the gate page at path: the comparison, and one
// small chart per gated statistic with its value in every run, so that a
// slow drift over releases shows even when no single step blocks.
func WriteGateHTML(path string, g Gate) error {
	n := len(g.Runs)
	if n < 2 || len(g.Labels) != n {
		return fmt.Errorf("report: gate page: %d runs, %d labels; want a baseline and the current run, each labelled", n, len(g.Labels))
	}
	p := gatePage{Gate: g, Baseline: g.Runs[n-2], Current: g.Runs[n-1], BaselineLabel: g.Labels[n-2], CurrentLabel: g.Labels[n-1],
		Blocked: len(g.Comparison.Regressions()) > 0, History: n - 1}
	for i, t := range Trends(g.Runs[n-2], g.Runs, g.Thresholds) {
		p.Trends = append(p.Trends, trendChart(i, t, g.Runs, g.Labels))
	}
	var b bytes.Buffer
	if err := gateTemplate.ExecuteTemplate(&b, "gate", p); err != nil {
		return fmt.Errorf("report: gate page: %w", err)
	}
	return writeFile(path, b.Bytes())
}

// Trend is one gated statistic across runs.
type Trend struct {
	Row    Row       // the last run's comparison row
	Values []float64 // one per run; NaN where a run lacks it
}

// Trends judges every run against ref and collects each gated statistic's
// value per run, in the order of the last run's comparison. A statistic
// measured against the reference (a tail share) is measured against the
// same reference in every run.
func Trends(ref Report, runs []Report, th Thresholds) []Trend {
	if len(runs) == 0 {
		return nil
	}
	type key struct{ spec, name string }
	values := map[key][]float64{}
	var last []Row
	for i, r := range runs {
		rows := Compare(ref, r, th).Rows
		for _, row := range rows {
			k := key{row.Spec, row.Name}
			if values[k] == nil {
				values[k] = nanSlice(len(runs))
			}
			values[k][i] = row.Cur
		}
		last = rows
	}
	var out []Trend
	for _, row := range last {
		if math.IsNaN(row.Base) {
			continue // a spec's state, or a statistic without a number
		}
		out = append(out, Trend{Row: row, Values: values[key{row.Spec, row.Name}]})
	}
	return out
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// trendChart draws one statistic's values, a point per run.
func trendChart(i int, t Trend, runs []Report, labels []string) *Chart {
	var xs, ys []float64
	for j, v := range t.Values {
		if !math.IsNaN(v) {
			xs, ys = append(xs, float64(j)), append(ys, v)
		}
	}
	y := axis{lo: 0, hi: 1}
	if len(ys) > 0 {
		y = span(0.15, append(ys, t.Row.Base)...)
	}
	p := newPlot("trend-"+strconv.Itoa(i), t.Row.Name, axis{lo: -0.5, hi: float64(len(runs)) - 0.5, bare: true}, y)
	p.W, p.H, p.left, p.right, p.top, p.bottom = 340, 170, 60, 10, 12, 38
	p.axes("", t.Row.Unit)
	p.add(shape{Kind: "line", X1: p.left, Y1: p.py(t.Row.Base), X2: p.W - p.right, Y2: p.py(t.Row.Base), Class: "ref"})
	if len(xs) > 1 {
		p.polyline(xs, ys, "trend")
	}
	for j, x := range xs {
		class := "point"
		if int(x) == len(runs)-1 && t.Row.Regressed {
			class = "point fail"
		}
		p.add(shape{Kind: "circle", X: p.px(x), Y: p.py(ys[j]), H: 3.5, Class: class})
	}
	for j := range runs {
		p.text(p.px(float64(j)), p.H-p.bottom+14, "middle", "tick", runLabel(runs, j, labels[j]))
	}
	p.Caption = t.Row.Spec
	if t.Row.Regressed {
		p.Caption += "; REGRESSED: " + t.Row.Why
	}
	return p.Chart
}

// runLabel names a run on a trend axis: its firmware version where the
// runs' versions differ, else its file (a report.json by its directory).
func runLabel(runs []Report, j int, path string) string {
	v := runs[j].FirmwareVersion
	unique := v != ""
	for i, r := range runs {
		unique = unique && (i == j || r.FirmwareVersion != v)
	}
	if unique {
		return v
	}
	if filepath.Base(path) == "report.json" {
		return filepath.Base(filepath.Dir(path))
	}
	return strings.TrimSuffix(filepath.Base(path), ".json")
}

package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"slices"

	"github.com/picohil/picohil/harness/measure/stats"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f": func(v float64) string { return fmt.Sprintf("%.1f", v) },
}).Parse(htmlSource))

// page is what the HTML template renders.
type page struct {
	Report
	Passed, Failed, Skipped, Inconclusive, HostLate int
	Charts                                          []*Chart
	Missing                                         []string
	Rows                                            []row // the specs, each with its evidence drawn
}

// WriteHTML renders r as one self-contained HTML file at path: summary,
// spec table with failures, and inline SVG charts. It fetches nothing.
func WriteHTML(path string, r Report) error {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, pageOf(r)); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return writeFile(path, b.Bytes())
}

// HostLateOnly is true for a run that did not pass only because the host
// was too late to measure some specs.
func (p page) HostLateOnly() bool {
	return !p.Pass && p.Failed == 0 && p.Inconclusive > 0 && p.Stopped == "" && !p.Interrupted
}

func pageOf(r Report) page {
	p := page{Report: r}
	for i, s := range r.Specs {
		p.Rows = append(p.Rows, row{Spec: s, Charts: specCharts(i, s)})
		p.HostLate += s.HostLate
		switch s.State {
		case Inconclusive:
			p.Inconclusive++
		case "passed":
			p.Passed++
		case "skipped", "pending":
			p.Skipped++
		default:
			p.Failed++
		}
	}
	if m, ok := r.Measurement(stats.EchoRTT); ok && len(m.Series) > 0 {
		p.Charts = append(p.Charts, rttChart(m))
	} else {
		p.Missing = append(p.Missing, stats.EchoRTT)
	}
	var halves []stats.Measurement
	for _, name := range []string{stats.Blink + stats.HalfPeriod, stats.BlinkLoad + stats.HalfPeriod} {
		if m, ok := r.Measurement(name); ok && len(m.Series) > 0 {
			halves = append(halves, m)
		} else {
			p.Missing = append(p.Missing, name)
		}
	}
	if len(halves) > 0 {
		p.Charts = append(p.Charts, timelineChart(halves), halfPeriodChart(halves))
	}
	if rates := effectiveRates(r); len(rates) > 0 {
		p.Charts = append(p.Charts, baudChart(rates))
	} else {
		p.Missing = append(p.Missing, stats.BaudEffective+", "+stats.BaudSweep)
	}
	return p
}

// effectiveRates are the rates the baud measurements (baud.effective,
// baud.sweep) hold, one per nominal rate, by rate; a rate measured twice
// shows its failure if one failed.
func effectiveRates(r Report) []stats.Point {
	var out []stats.Point
	for _, s := range r.Specs {
		for _, m := range s.Measurements {
			if m.Name != stats.BaudEffective && m.Name != stats.BaudSweep {
				continue
			}
			for _, p := range m.Points {
				switch i := slices.IndexFunc(out, func(o stats.Point) bool { return o.At == p.At }); {
				case i < 0:
					out = append(out, p)
				case out[i].Pass && !p.Pass: // a rate measured twice shows its failure
					out[i] = p
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b stats.Point) int { return cmpFloat(a.At, b.At) })
	return out
}

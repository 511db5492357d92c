package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/picohil/picohil/harness/stats"
)

// Thresholds say how much worse the current run may be than the baseline.
type Thresholds struct {
	RTTP99     float64 // % rise of echo.rtt.1B's p99
	HalfPeriod float64 // % shift of a blink half-period mean
	Baud       float64 // points of growth of an effective-baud error (%)
	Alpha      float64 // significance a series comparison must reach
	Effect     float64 // Vargha-Delaney A a series comparison must reach (0.5 = no effect)
}

// DefaultThresholds are the release gate's defaults.
var DefaultThresholds = Thresholds{RTTP99: 20, HalfPeriod: 0.5, Baud: 0.5, Alpha: 0.01, Effect: 0.8}

// Row is one line of a comparison: a measurement or a spec.
type Row struct {
	Name      string
	Baseline  string
	Current   string
	Change    string
	Test      string // the distribution test behind the verdict, if any
	Regressed bool
	Why       string
}

// Comparison is the gate's verdict on a current run against a baseline.
type Comparison struct {
	Rows []Row
}

// Regressions lists the rows that regressed.
func (c Comparison) Regressions() []Row {
	return slices.DeleteFunc(slices.Clone(c.Rows), func(r Row) bool { return !r.Regressed })
}

// Compare judges cur against base: echo.rtt.1B's p99, the blink
// half-period means, the effective rate at every nominal rate, and every
// spec's state. A
// gated measurement of the baseline that the current run lacks, and a spec
// that passed in the baseline but was skipped or left out now, regress too:
// a bench that lost its LED pin must not pass a release.
// Series-backed measurements regress only when the threshold is exceeded
// and a Mann-Whitney test on the raw samples agrees (p < Alpha, effect at
// least Effect), so one noisy run does not block.
func Compare(base, cur Report, th Thresholds) Comparison {
	var c Comparison
	for _, k := range keysOf(base) {
		b, _ := find(base, k)
		compare := comparison(k.name)
		if compare == nil {
			continue
		}
		m, ok := find(cur, k)
		if !ok {
			c.Rows = append(c.Rows, Row{Name: k.name, Baseline: num(b.Value, b.Unit), Current: "absent",
				Regressed: true, Why: "measured in the baseline, not in this run"})
			continue
		}
		c.Rows = append(c.Rows, compare(b, m, th))
	}
	c.Rows = append(c.Rows, compareSpecs(base, cur)...)
	return c
}

// comparison is how a gated measurement is judged, or nil for the rest.
func comparison(name string) func(b, m stats.Measurement, th Thresholds) Row {
	switch {
	case name == "echo.rtt.1B":
		return compareRTT
	case strings.HasSuffix(name, ".half_period"):
		return compareHalfPeriod
	case name == "baud.effective", name == "baud.sweep":
		return compareBaud
	}
	return nil
}

type key struct{ spec, name string }

func keysOf(r Report) []key {
	var out []key
	for _, s := range r.Specs {
		for _, m := range s.Measurements {
			out = append(out, key{s.Name, m.Name})
		}
	}
	return out
}

func find(r Report, k key) (stats.Measurement, bool) {
	for _, s := range r.Specs {
		if s.Name != k.spec {
			continue
		}
		for _, m := range s.Measurements {
			if m.Name == k.name {
				return m, true
			}
		}
	}
	return stats.Measurement{}, false
}

func p99(m stats.Measurement) float64 {
	if m.Summary != nil {
		return m.Summary.P99
	}
	return m.Value
}

func compareRTT(b, m stats.Measurement, th Thresholds) Row {
	bv, cv := p99(b), p99(m)
	rise := pct(cv, bv)
	p, a := MannWhitney(b.Series, m.Series)
	row := Row{
		Name:     m.Name + " p99",
		Baseline: num(bv, m.Unit),
		Current:  num(cv, m.Unit),
		Change:   fmt.Sprintf("%+.1f%%", rise),
		Test:     mwText(p, a, len(b.Series), len(m.Series)),
	}
	if rise > th.RTTP99 && significant(p, a, th) {
		row.Regressed = true
		row.Why = fmt.Sprintf("p99 rose %.1f%% (> %g%%) and the RTT distribution shifted up", rise, th.RTTP99)
	}
	return row
}

func compareHalfPeriod(b, m stats.Measurement, th Thresholds) Row {
	shift := pct(m.Value, b.Value)
	pUp, a := MannWhitney(b.Series, m.Series)
	pDown, _ := MannWhitney(m.Series, b.Series)
	p, eff := pUp, a
	if shift < 0 {
		p, eff = pDown, 1-a
	}
	row := Row{
		Name:     m.Name + " mean",
		Baseline: num(b.Value, m.Unit),
		Current:  num(m.Value, m.Unit),
		Change:   fmt.Sprintf("%+.2f%%", shift),
		Test:     mwText(min(1, 2*p), a, len(b.Series), len(m.Series)),
	}
	if math.Abs(shift) > th.HalfPeriod && significant(2*p, eff, th) {
		row.Regressed = true
		row.Why = fmt.Sprintf("mean shifted %+.2f%% (beyond ±%g%%) and the half-period distribution moved", shift, th.HalfPeriod)
	}
	return row
}

// compareBaud judges each rate of a baud measurement on its own: the
// row regresses when the error from nominal grew by more than th.Baud
// points at any rate, or a rate of the baseline was not measured now.
func compareBaud(b, m stats.Measurement, th Thresholds) Row {
	row := Row{Name: m.Name + " error"}
	var was, now, change, why []string
	for _, bp := range b.Points {
		i := slices.IndexFunc(m.Points, func(p stats.Point) bool { return p.At == bp.At })
		rate := strconv.FormatFloat(bp.At, 'f', -1, 64)
		be := math.Abs(bp.ErrorPct())
		was = append(was, fmt.Sprintf("%s: %.2f%%", rate, be))
		if i < 0 {
			now = append(now, rate+": absent")
			why = append(why, rate+" measured in the baseline, not in this run")
			continue
		}
		ce := math.Abs(m.Points[i].ErrorPct())
		now = append(now, fmt.Sprintf("%s: %.2f%%", rate, ce))
		change = append(change, fmt.Sprintf("%s: %+.2f pt", rate, ce-be))
		if ce-be > th.Baud {
			why = append(why, fmt.Sprintf("rate error at %s grew %.2f points (> %g)", rate, ce-be, th.Baud))
		}
	}
	row.Baseline, row.Current, row.Change = strings.Join(was, ", "), strings.Join(now, ", "), strings.Join(change, ", ")
	if len(why) > 0 {
		row.Regressed, row.Why = true, strings.Join(why, "; ")
	}
	return row
}

func compareSpecs(base, cur Report) []Row {
	was := map[string]string{}
	for _, s := range base.Specs {
		was[s.Name] = s.State
	}
	baseFailed := base.Failed()
	var rows []Row
	now := map[string]string{}
	for _, s := range cur.Specs {
		now[s.Name] = s.State
	}
	for _, s := range base.Specs {
		if state, ok := now[s.Name]; s.State == "passed" && (!ok || state == "skipped" || state == "pending") {
			if !ok {
				state = "absent"
			}
			rows = append(rows, Row{Name: "spec: " + s.Name, Baseline: "passed", Current: state, Regressed: true, Why: "passed in the baseline, did not run now"})
		}
	}
	for _, name := range cur.Failed() {
		if slices.Contains(baseFailed, name) {
			continue
		}
		state := "absent"
		if s, ok := was[name]; ok {
			state = s
		}
		rows = append(rows, Row{Name: "spec: " + name, Baseline: state, Current: "failed", Regressed: true, Why: "newly failing"})
	}
	return rows
}

func significant(p, a float64, th Thresholds) bool {
	return p < th.Alpha && a >= th.Effect
}

func pct(v, ref float64) float64 {
	if ref == 0 {
		return math.NaN()
	}
	return 100 * (v - ref) / ref
}

func num(v float64, unit string) string {
	return strconv.FormatFloat(v, 'f', 3, 64) + " " + unit
}

func mwText(p, a float64, n1, n2 int) string {
	if n1 == 0 || n2 == 0 {
		return "no series"
	}
	return fmt.Sprintf("U p=%.2g A=%.2f", p, a)
}

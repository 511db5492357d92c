package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/picohil/picohil/harness/measure/stats"
)

// Thresholds say how much worse the current run may be than the baseline.
// A rule backed by a series needs its threshold exceeded and its test
// significant; a rule on a single value has a relative threshold and an
// absolute floor, so host noise on one sample does not block.
type Thresholds struct {
	Alpha       float64 // significance a series shift must reach (Mann-Whitney U)
	Effect      float64 // Vargha-Delaney A a series shift must reach (0.5 = no effect)
	RTTP99      float64 // % rise of a round-trip series' p99 (shift rule)
	RTTFloor    float64 // % of the turnaround allowance a round trip must rise by (shift and tail rules)
	TailShare   float64 // % of current round trips above the baseline's p99 and the floor that blocks (tail rule)
	TailAlpha   float64 // significance the tail rule's Fisher exact test must reach
	HalfPeriod  float64 // % shift of a blink half-period mean
	Jitter      float64 // % rise of a blink jitter p99
	JitterFloor float64 // and at least this % of the half-period, in p99 and in the median deviation
	Duty        float64 // points of growth of a duty cycle's distance from 50 %
	LineRate    float64 // points of drop of the pipelined line rate
	Payload     float64 // % rise of a payload round trip, and at least the turnaround allowance
	Reset       float64 // % rise of the reset recovery time
	ResetFloor  float64 // and at least this many ms
	Baud        float64 // points of growth of an effective-baud error (%)
}

// DefaultThresholds are the release gate's defaults (harness/report/RULES.md).
var DefaultThresholds = Thresholds{
	Alpha: 0.01, Effect: 0.8,
	RTTP99: 20, RTTFloor: 5, TailShare: 3, TailAlpha: 0.001,
	HalfPeriod: 0.5, Jitter: 50, JitterFloor: 1, Duty: 1,
	LineRate: 3, Payload: 20, Reset: 25, ResetFloor: 500, Baud: 0.5,
}

// defaultTurnaroundMs stands in for a report that does not record its
// turnaround allowance.
const defaultTurnaroundMs = 5

// Row is one line of a comparison: a gated statistic of a measurement, or
// a spec.
type Row struct {
	Spec      string // the spec the measurement belongs to
	Name      string // measurement and statistic, e.g. "echo.rtt.1B tail"
	Baseline  string
	Current   string
	Change    string
	Test      string // the test behind the verdict, if any
	Regressed bool
	Why       string
	// The statistic as numbers, for trends; NaN where there is none.
	Base, Cur float64
	Unit      string
}

// Comparison is the gate's verdict on a current run against a baseline.
type Comparison struct {
	Rows []Row
}

// Regressions lists the rows that regressed.
func (c Comparison) Regressions() []Row {
	return slices.DeleteFunc(slices.Clone(c.Rows), func(r Row) bool { return !r.Regressed })
}

// Compare judges cur against base, every gated family by its own rule (see
// rules), and every spec's state. A gated measurement of the baseline that
// the current run lacks, and a spec that passed in the baseline but was
// skipped or left out now, regress too: a bench that lost its LED pin must
// not pass a release.
func Compare(base, cur Report, th Thresholds) Comparison {
	var c Comparison
	for _, bs := range base.Specs {
		cs, hasSpec := specNamed(cur, bs.Name)
		if bs.State == Inconclusive || cs.State == Inconclusive {
			continue // not measured: compareSpecs says so
		}
		for _, b := range bs.Measurements {
			r := ruleOf(b)
			if r == nil {
				continue
			}
			spec := cs
			m, ok := measurementIn(spec.Measurements, b.Name)
			ok = ok && hasSpec
			if _, _, inOne := onlySpecWith(base, b.Name); !ok && inOne {
				// A spec renamed or split between harness versions: the
				// measurement is the same one where its name is unique
				// in both runs.
				spec, m, ok = onlySpecWith(cur, b.Name)
			}
			if !ok {
				c.Rows = append(c.Rows, Row{Spec: bs.Name, Name: b.Name, Baseline: num(b.Value, b.Unit), Current: "absent",
					Base: b.Value, Cur: math.NaN(), Unit: b.Unit,
					Regressed: true, Why: "measured in the baseline, not in this run"})
				continue
			}
			g := gated{base: b, cur: m, baseSpec: bs.Measurements, curSpec: spec.Measurements, th: th, settings: base.Settings}
			for _, row := range r(g) {
				row.Spec = bs.Name
				c.Rows = append(c.Rows, row)
			}
		}
	}
	c.Rows = append(c.Rows, compareSpecs(base, cur)...)
	if b, ok := preflightMeasurement(base, hostNoise); ok {
		if m, ok := preflightMeasurement(cur, hostNoise); ok {
			// Not gated: how busy each run's host was. A busy host puts
			// slow round trips and late edges into a run that look like
			// a firmware's; this row tells the reader which it may be.
			row := valueRow(b, m, fmt.Sprintf("%.1fx", m.Value/b.Value))
			row.Spec, row.Name, row.Test = "preflight", hostNoise+" (host, not gated)", "a busier host widens tails and jitter"
			c.Rows = append(c.Rows, row)
		}
	}
	return c
}

// hostNoise is the preflight's measure of how late the host wakes.
const hostNoise = stats.HostWakeLate

func preflightMeasurement(r Report, name string) (stats.Measurement, bool) {
	for _, ch := range r.Preflight {
		if m, ok := measurementIn(ch.Measurements, name); ok {
			return m, true
		}
	}
	return stats.Measurement{}, false
}

// gated is one gated measurement in both runs, with the rest of its spec's
// measurements (a jitter rule reads the half-period series beside it).
type gated struct {
	base, cur         stats.Measurement
	baseSpec, curSpec []stats.Measurement
	th                Thresholds
	settings          Settings
}

// allowanceUs is the baseline's turnaround allowance, in us: the scale of
// latency the bench grants the firmware, and so the scale below which a
// change in round trips is the host's noise rather than the firmware's.
func (g gated) allowanceUs() float64 {
	if g.settings.TurnaroundMs <= 0 {
		return 1000 * defaultTurnaroundMs
	}
	return 1000 * g.settings.TurnaroundMs
}

type rule func(gated) []Row

// ruleFor is how a measurement is gated, or nil for those that are not:
// counts the specs already hold to a fixed limit (edges seen and missed,
// bytes echoed, mismatch bytes), and the harness's own health (timestamp
// error, host wake-up lateness, kernel drops).
func ruleFor(name string) rule {
	switch {
	case name == stats.EchoRTT:
		return rttRules
	case stats.IsEchoPayload(name):
		return one(payloadRule)
	case name == stats.EchoLineRate:
		return one(lineRateRule)
	case strings.HasSuffix(name, stats.HalfPeriod):
		return one(halfPeriodRule)
	case strings.HasSuffix(name, stats.JitterP99):
		return one(jitterRule)
	case strings.HasSuffix(name, stats.Duty):
		return one(dutyRule)
	case name == stats.ResetRecovery:
		return one(resetRule)
	case name == stats.BaudEffective, name == stats.BaudSweep:
		return baudRules
	case stats.IsDeviceErrors(name):
		return one(errorsRule)
	}
	return nil
}

// ruleOf is ruleFor, or the measurement's own rule where the gate has no
// built-in one for its name (a suite's own measurement, stats.Gate).
func ruleOf(m stats.Measurement) rule {
	if r := ruleFor(m.Name); r != nil {
		return r
	}
	if m.Gate != nil {
		return one(declaredRule)
	}
	return nil
}

// declaredRule gates a measurement by the rule its baseline declared.
// Where both runs kept the samples behind it, the samples must also have
// shifted the worse way as a whole (Mann-Whitney, as the shift rule), so
// that one run's host noise in a few samples does not block.
func declaredRule(g gated) Row {
	b, m, rule := g.base, g.cur, *g.base.Gate
	by, rise := rule.Worsened(b.Value, m.Value)
	row := valueRow(b, m, fmt.Sprintf("%+.1f%% worse", rise))
	row.Test = fmt.Sprintf("its own rule: %s is worse, by > %g%% and > %s", rule.Worse, rule.Pct, num(rule.Floor, b.Unit))
	shifted := true
	if len(b.Series) > 0 && len(m.Series) > 0 {
		lo, hi := b.Series, m.Series
		if rule.Worse == stats.Lower {
			lo, hi = hi, lo
		}
		p, a := MannWhitney(lo, hi)
		shifted = significant(p, a, g.th)
		row.Test += "; " + mwText(p, a, len(b.Series), len(m.Series))
	}
	if rule.Blocks(b.Value, m.Value) && shifted {
		row.Regressed = true
		row.Why = fmt.Sprintf("%s by %s (%.1f%%)", map[stats.Worse]string{stats.Higher: "rose", stats.Lower: "fell"}[rule.Worse], num(by, b.Unit), rise)
		if len(b.Series) > 0 && len(m.Series) > 0 {
			row.Why += " and its samples shifted " + string(rule.Worse)
		}
	}
	return row
}

func one(f func(gated) Row) rule { return func(g gated) []Row { return []Row{f(g)} } }

// rttRules gate a round-trip series on its bulk (the shift rule) and on its
// tail (the tail rule): a firmware whose every 30th round trip is 4x slower
// moves p99 a lot and the bulk not at all.
func rttRules(g gated) []Row {
	return []Row{shiftRule(g), tailRule(g)}
}

func shiftRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	bv, cv := p99(b), p99(m)
	rise := pct(cv, bv)
	p, a := MannWhitney(b.Series, m.Series)
	row := Row{
		Name:     m.Name + " p99",
		Baseline: num(bv, m.Unit),
		Current:  num(cv, m.Unit),
		Change:   fmt.Sprintf("%+.1f%%", rise),
		Test:     mwText(p, a, len(b.Series), len(m.Series)),
		Base:     bv, Cur: cv, Unit: m.Unit,
	}
	floor := th.RTTFloor / 100 * g.allowanceUs()
	if rise > th.RTTP99 && cv-bv > floor && significant(p, a, th) {
		row.Regressed = true
		row.Why = fmt.Sprintf("p99 rose %.1f%% (> %g%%) and %s (> %s) and the distribution shifted up", rise, th.RTTP99, num(cv-bv, m.Unit), num(floor, m.Unit))
	}
	return row
}

// tailRule counts the current samples more than the floor (a twentieth of the
// turnaround allowance) above the baseline's p99 (under 1 % when nothing
// changed) and compares that share with the baseline's own by Fisher's
// exact test, so the baseline's sampling noise is accounted for.
func tailRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	row := Row{Name: m.Name + " tail", Unit: "%", Base: math.NaN(), Cur: math.NaN()}
	if len(b.Series) == 0 || len(m.Series) == 0 {
		row.Baseline, row.Current, row.Test = "-", "-", "no series"
		return row
	}
	q := p99(b) + th.RTTFloor/100*g.allowanceUs()
	above := func(xs []float64) int {
		n := 0
		for _, x := range xs {
			if x > q {
				n++
			}
		}
		return n
	}
	kb, kc := above(b.Series), above(m.Series)
	sb, sc := 100*float64(kb)/float64(len(b.Series)), 100*float64(kc)/float64(len(m.Series))
	p := FisherGreater(kb, len(b.Series), kc, len(m.Series))
	// Fisher takes the samples as independent; a busy host makes slow
	// round trips cluster in time. The stretches test asks whether the
	// excess is everywhere in the run, as a firmware's tail is.
	ps, a := MannWhitney(stretchShares(b.Series, above), stretchShares(m.Series, above))
	row.Baseline = fmt.Sprintf("%.1f%% > %s", sb, num(q, m.Unit))
	row.Current = fmt.Sprintf("%.1f%% (%d of %d)", sc, kc, len(m.Series))
	row.Change = fmt.Sprintf("%+.1f pt", sc-sb)
	row.Test = fmt.Sprintf("Fisher p=%.2g; stretches U p=%.2g A=%.2f", p, ps, a)
	row.Base, row.Cur = sb, sc
	if sc > th.TailShare && p < th.TailAlpha && significant(ps, a, th) {
		row.Regressed = true
		row.Why = fmt.Sprintf("%.1f%% of round trips above %s, the baseline's p99 plus %g%% of the turnaround allowance (> %g%%, Fisher p < %g), throughout the run: the tail grew", sc, num(q, m.Unit), th.RTTFloor, th.TailShare, th.TailAlpha)
	}
	return row
}

// stretches is how many consecutive stretches the tail rule cuts a series
// into.
const stretches = 10

// stretchShares is the count of samples above the reference in each of
// the series' consecutive stretches.
func stretchShares(xs []float64, above func([]float64) int) []float64 {
	n := len(xs) / stretches
	if n == 0 {
		return nil
	}
	out := make([]float64, stretches)
	for i := range out {
		out[i] = float64(above(xs[i*n : (i+1)*n]))
	}
	return out
}

// payloadRule: one round trip per size, so a relative threshold and a floor
// of the bench's turnaround allowance (host noise on one sample).
func payloadRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	allowance := g.allowanceUs() / 1000
	floor := 1000 * allowance // us
	rise := pct(m.Value, b.Value)
	row := valueRow(b, m, fmt.Sprintf("%+.1f%%", rise))
	if rise > th.Payload && m.Value-b.Value > floor {
		row.Regressed = true
		row.Why = fmt.Sprintf("rose %.1f%% (> %g%%) and %s (> the %g ms turnaround allowance)", rise, th.Payload, num(m.Value-b.Value, m.Unit), allowance)
	}
	return row
}

func lineRateRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	drop := b.Value - m.Value
	row := valueRow(b, m, fmt.Sprintf("%+.2f pt", -drop))
	if drop > th.LineRate {
		row.Regressed = true
		row.Why = fmt.Sprintf("dropped %.2f points (> %g)", drop, th.LineRate)
	}
	return row
}

func halfPeriodRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	shift := pct(m.Value, b.Value)
	p, a := twoSided(b.Series, m.Series, shift < 0)
	row := Row{
		Name:     m.Name + " mean",
		Baseline: num(b.Value, m.Unit),
		Current:  num(m.Value, m.Unit),
		Change:   fmt.Sprintf("%+.2f%%", shift),
		Test:     mwText(p, a, len(b.Series), len(m.Series)),
		Base:     b.Value, Cur: m.Value, Unit: m.Unit,
	}
	if math.Abs(shift) > th.HalfPeriod && significant(p, a, th) {
		row.Regressed = true
		row.Why = fmt.Sprintf("mean shifted %+.2f%% (beyond ±%g%%) and the half-period distribution moved", shift, th.HalfPeriod)
	}
	return row
}

// twoSided is the two-sided Mann-Whitney p-value and the effect size in
// the direction of the shift (down when down is true).
func twoSided(a, b []float64, down bool) (p, effect float64) {
	if down {
		a, b = b, a
	}
	p, effect = MannWhitney(a, b)
	return min(1, 2*p), effect
}

// jitterRule: p99 jitter is the largest deviation of a dozen half-periods,
// one host hiccup away from doubling. It blocks only when it rose past the
// threshold and the floor, and the half-periods' absolute deviations from
// their mean (what jitter_p99 is the p99 of) grew as a whole: by a rank
// test, and in their median by the floor too. (Deviations from the median,
// as Brown-Forsythe takes them, hold one zero in an odd count, which caps
// the effect size at n-1/n.)
func jitterRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	rise := pct(m.Value, b.Value)
	row := valueRow(b, m, fmt.Sprintf("%+.0f%%", rise))
	half := strings.TrimSuffix(m.Name, stats.JitterP99) + stats.HalfPeriod
	bh, _ := measurementIn(g.baseSpec, half)
	ch, _ := measurementIn(g.curSpec, half)
	bs, cs := spread(bh.Series), spread(ch.Series)
	p, a := MannWhitney(bs, cs)
	bmad, cmad := median(bs), median(cs)
	row.Test = mwText(p, a, len(bs), len(cs)) + fmt.Sprintf(" on |dev|, median |dev| %.2f -> %.2f", bmad, cmad)
	floor := th.JitterFloor / 100 * bh.Value
	if rise > th.Jitter && m.Value-b.Value > floor && cmad-bmad > floor && significant(p, a, th) {
		row.Regressed = true
		row.Why = fmt.Sprintf("rose %.0f%% (> %g%%, > %s) and the half-periods spread out (median |dev| +%s)", rise, th.Jitter, num(floor, m.Unit), num(cmad-bmad, m.Unit))
	}
	return row
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return stats.Percentile(slices.Sorted(slices.Values(xs)), 50)
}

// spread is each sample's absolute deviation from the mean.
func spread(xs []float64) []float64 {
	mu := mean(xs)
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Abs(x - mu)
	}
	return out
}

// dutyRule: the duty's distance from 50 % grew, and in the current run the
// alternate half-periods (high and low) differ by a rank test, so one late
// edge does not block.
func dutyRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	bd, cd := math.Abs(b.Value-50), math.Abs(m.Value-50)
	row := valueRow(b, m, fmt.Sprintf("%+.2f pt from 50", cd-bd))
	half, _ := measurementIn(g.curSpec, strings.TrimSuffix(m.Name, stats.Duty)+stats.HalfPeriod)
	var odd, even []float64
	for i, v := range half.Series {
		if i%2 == 0 {
			even = append(even, v)
		} else {
			odd = append(odd, v)
		}
	}
	p, _ := twoSided(odd, even, mean(even) < mean(odd))
	row.Test = "no series"
	if len(half.Series) > 0 {
		row.Test = fmt.Sprintf("U p=%.2g high vs low", p)
	}
	if cd-bd > th.Duty && p < th.Alpha {
		row.Regressed = true
		row.Why = fmt.Sprintf("%.2f points further from 50%% (> %g) and the high and low half-periods differ", cd-bd, th.Duty)
	}
	return row
}

func mean(xs []float64) float64 {
	m, _ := stats.MeanStd(xs)
	return m
}

func resetRule(g gated) Row {
	b, m, th := g.base, g.cur, g.th
	rise := pct(m.Value, b.Value)
	row := valueRow(b, m, fmt.Sprintf("%+.1f%%", rise))
	if rise > th.Reset && m.Value-b.Value > th.ResetFloor {
		row.Regressed = true
		row.Why = fmt.Sprintf("rose %.1f%% (> %g%%) and %s (> %g ms)", rise, th.Reset, num(m.Value-b.Value, m.Unit), th.ResetFloor)
	}
	return row
}

// baudRules: each rate of a baud measurement (its points) on its own. A
// rate regresses when its error from nominal grew by more than th.Baud
// points, or when it was measured in the baseline and not now.
func baudRules(g gated) []Row {
	var rows []Row
	for _, bp := range g.base.Points {
		rate := strconv.FormatFloat(bp.At, 'f', -1, 64)
		be := math.Abs(bp.ErrorPct())
		row := Row{Name: g.cur.Name + " error at " + rate, Baseline: fmt.Sprintf("%.2f%%", be), Current: "absent",
			Base: be, Cur: math.NaN(), Unit: "%"}
		i := slices.IndexFunc(g.cur.Points, func(p stats.Point) bool { return p.At == bp.At })
		if i < 0 {
			row.Regressed, row.Why = true, "rate measured in the baseline, not in this run"
			rows = append(rows, row)
			continue
		}
		ce := math.Abs(g.cur.Points[i].ErrorPct())
		row.Current, row.Change, row.Cur = fmt.Sprintf("%.2f%%", ce), fmt.Sprintf("%+.2f pt", ce-be), ce
		if ce-be > g.th.Baud {
			row.Regressed = true
			row.Why = fmt.Sprintf("rate error grew %.2f points (> %g)", ce-be, g.th.Baud)
		}
		rows = append(rows, row)
	}
	return rows
}

// errorsRule: the device's own error counter over a family; any growth
// blocks.
func errorsRule(g gated) Row {
	b, m := g.base, g.cur
	row := valueRow(b, m, fmt.Sprintf("%+.0f", m.Value-b.Value))
	if m.Value > b.Value {
		row.Regressed = true
		row.Why = fmt.Sprintf("the device counted %.0f errors, the baseline %.0f: any growth blocks", m.Value, b.Value)
	}
	return row
}

func valueRow(b, m stats.Measurement, change string) Row {
	return Row{Name: m.Name, Baseline: num(b.Value, b.Unit), Current: num(m.Value, m.Unit), Change: change,
		Base: b.Value, Cur: m.Value, Unit: m.Unit}
}

// onlySpecWith is the one spec of r that holds the named measurement,
// and the measurement; false when none or several do.
func onlySpecWith(r Report, name string) (Spec, stats.Measurement, bool) {
	var found []Spec
	for _, s := range r.Specs {
		if _, ok := measurementIn(s.Measurements, name); ok {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return Spec{}, stats.Measurement{}, false
	}
	m, _ := measurementIn(found[0].Measurements, name)
	return found[0], m, true
}

func specNamed(r Report, name string) (Spec, bool) {
	i := slices.IndexFunc(r.Specs, func(s Spec) bool { return s.Name == name })
	if i < 0 {
		return Spec{}, false
	}
	return r.Specs[i], true
}

func measurementIn(ms []stats.Measurement, name string) (stats.Measurement, bool) {
	i := slices.IndexFunc(ms, func(m stats.Measurement) bool { return m.Name == name })
	if i < 0 {
		return stats.Measurement{}, false
	}
	return ms[i], true
}

func p99(m stats.Measurement) float64 {
	if m.Summary != nil {
		return m.Summary.P99
	}
	return m.Value
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
			rows = append(rows, specRow(s.Name, "passed", state, "passed in the baseline, did not run now"))
		}
	}
	for _, name := range cur.Inconclusives() {
		rows = append(rows, specRow(name, cmp.Or(was[name], "absent"), Inconclusive, "inconclusive: host late: not measured, so not compared; run again on a quieter host"))
	}
	for _, name := range cur.Failed() {
		if slices.Contains(baseFailed, name) {
			continue
		}
		state := "absent"
		if s, ok := was[name]; ok {
			state = s
		}
		rows = append(rows, specRow(name, state, "failed", "newly failing"))
	}
	return rows
}

func specRow(name, was, now, why string) Row {
	return Row{Spec: name, Name: "spec: " + name, Baseline: was, Current: now, Regressed: true, Why: why, Base: math.NaN(), Cur: math.NaN()}
}

func significant(p, a float64, th Thresholds) bool {
	return p < th.Alpha && a >= th.Effect
}

// pct is v's change from ref in percent; from a ref of 0 any rise is
// unbounded (a device-timed jitter of exactly 0 that grew has grown past
// every threshold), and no change is 0.
func pct(v, ref float64) float64 {
	switch {
	case ref == 0 && v == 0:
		return 0
	case ref == 0:
		return math.Copysign(math.Inf(1), v)
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

package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/stats"
)

// synthetic is a run: RTTs around 400 us with a long tail, a 50 ms blink
// with 0.5 ms of jitter, and a sweep of 9600 and 115200 baud within 0.3 %,
// scaled; with a payload round trip, the line rate, the device's error
// count and the reset recovery time beside them.
func synthetic(seed uint64, rttScale, halfScale float64) Report {
	rng := rand.New(rand.NewPCG(seed, 1))
	rtt := make([]float64, 1000)
	for i := range rtt {
		rtt[i] = rttScale * (300 + 100*rng.ExpFloat64())
	}
	half := make([]float64, 11)
	for i := range half {
		half[i] = halfScale * (50 + 0.5*rng.NormFloat64())
	}
	return Report{Schema: Schema, Target: "virtual", Pass: true, Specs: []Spec{
		{Name: "Echo one byte", State: "passed", Measurements: []stats.Measurement{
			rttOf(rtt),
			stats.Measure("echo.payload.16B", "us", rttScale*(1700+200*rng.Float64()), stats.AtMost(6500)),
			stats.Measure("echo.line_rate", "%", 99.9+0.05*rng.Float64(), stats.AtLeast(95)),
			stats.Measure("stats.echo.errors", "errors", 0, stats.AtMost(0)),
		}},
		{Name: "Blink idle", State: "passed", Measurements: cadence(half)},
		{Name: "Baud sweep", State: "passed", Measurements: []stats.Measurement{
			baud.Measure("baud.sweep", 2, baud.At(9600, 9600*(1+0.003*rng.Float64()), 2), baud.At(115200, 115200*(1+0.003*rng.Float64()), 2)),
			stats.Measure("reset.recovery", "ms", 300+20*rng.Float64(), stats.AtMost(5000)),
		}},
	}}
}

func rttOf(rtt []float64) stats.Measurement {
	return stats.Measure("echo.rtt.1B", "us", stats.Percentile(slices.Sorted(slices.Values(rtt)), 99), stats.AtMost(5174)).WithSamples(rtt)
}

// cadence is the blink measurements of a series of half-periods, the first
// high: fitted mean, duty and p99 jitter.
func cadence(half []float64) []stats.Measurement {
	mean, _ := stats.MeanStd(half)
	dev := make([]float64, len(half))
	var high, all float64
	for i, h := range half {
		dev[i] = math.Abs(h - mean)
		all += h
		if i%2 == 0 {
			high += h
		}
	}
	return []stats.Measurement{
		stats.Measure("blink.half_period", "ms", mean, stats.Around(50, 0.5)).WithSamples(half),
		stats.Measure("blink.duty", "%", 100*high/all, stats.Around(50, 2)),
		stats.Measure("blink.jitter_p99", "ms", stats.Percentile(slices.Sorted(slices.Values(dev)), 99), stats.AtMost(5)),
	}
}

func regressed(c Comparison) string {
	var names []string
	for _, r := range c.Regressions() {
		names = append(names, r.Name)
	}
	return strings.Join(names, ",")
}

// with returns r with the named measurement of any spec changed.
func with(r Report, name string, change func(*stats.Measurement)) Report {
	r.Specs = slices.Clone(r.Specs)
	for i := range r.Specs {
		r.Specs[i].Measurements = slices.Clone(r.Specs[i].Measurements)
		for j := range r.Specs[i].Measurements {
			if r.Specs[i].Measurements[j].Name == name {
				change(&r.Specs[i].Measurements[j])
			}
		}
	}
	return r
}

// withBlink replaces the idle blink measurements with those of half.
func withBlink(r Report, half []float64) Report {
	r.Specs = slices.Clone(r.Specs)
	r.Specs[1].Measurements = cadence(half)
	return r
}

func TestGate(t *testing.T) {
	base := synthetic(1, 1, 1)
	cur := synthetic(2, 1, 1)
	failing := synthetic(3, 1, 1)
	failing.Specs[0].State = "failed"
	// A spec the host was too late to measure: its (doubled) round trips
	// are not compared, its state blocks.
	hostLate := synthetic(2, 2, 1)
	hostLate.Specs[0].State = Inconclusive
	noLED := synthetic(2, 1, 1) // a bench that lost its LED pin
	noLED.Specs[1].State, noLED.Specs[1].Measurements = "skipped", nil
	// Every 30th round trip 4x slower: the bulk stays, the tail grows.
	tail := slices.Clone(cur.Specs[0].Measurements[0].Series)
	for i := 29; i < len(tail); i += 30 {
		tail[i] *= 4
	}
	// Each half-period off by up to ±4 ms, the mean and duty unchanged.
	rng := rand.New(rand.NewPCG(9, 9))
	var wobble []float64
	prev := 0.0
	for range 11 {
		off := 8*rng.Float64() - 4
		wobble = append(wobble, 50+off-prev+0.5*rng.NormFloat64())
		prev = off
	}
	// The LED high 53 % of each cycle.
	var duty []float64
	for i := range 11 {
		duty = append(duty, 50+float64(3-6*(i%2))+0.3*rng.NormFloat64())
	}
	for _, tc := range []struct {
		name string
		cur  Report
		want string
	}{
		{"clean vs itself passes", base, ""},
		{"noise: same distribution, another seed, passes", cur, ""},
		{"doubled RTT fails on bulk and tail", synthetic(2, 2, 1), "echo.rtt.1B p99,echo.rtt.1B tail"},
		{"every 30th round trip 4x slower fails on the tail only", with(cur, "echo.rtt.1B", func(m *stats.Measurement) { *m = rttOf(tail) }), "echo.rtt.1B tail"},
		{"half-period +3% fails", synthetic(2, 1, 1.03), "blink.half_period mean"},
		{"half-period -3% fails", synthetic(2, 1, 0.97), "blink.half_period mean"},
		{"jitter alone fails", withBlink(cur, wobble), "blink.jitter_p99"},
		// jitter_p99 is the p99 of each half-period's distance from the mean, so a
		// lopsided duty moves it too.
		{"duty fails, and the jitter it implies", withBlink(cur, duty), "blink.duty,blink.jitter_p99"},
		{"baud error growth at one rate fails", with(cur, "baud.sweep", func(m *stats.Measurement) {
			m.Points = slices.Clone(m.Points)
			m.Points[0].Value = 9600 * 0.98
		}), "baud.sweep error at 9600"},
		{"a rate of the sweep not measured now fails", with(cur, "baud.sweep", func(m *stats.Measurement) { m.Points = m.Points[:1] }), "baud.sweep error at 115200"},
		{"line rate -5 points fails", with(cur, "echo.line_rate", func(m *stats.Measurement) { m.Value -= 5 }), "echo.line_rate"},
		{"line rate -1 point passes", with(cur, "echo.line_rate", func(m *stats.Measurement) { m.Value -= 1 }), ""},
		{"payload +20 ms fails", with(cur, "echo.payload.16B", func(m *stats.Measurement) { m.Value += 20000 }), "echo.payload.16B"},
		{"payload +3 ms, inside the turnaround allowance, passes", with(cur, "echo.payload.16B", func(m *stats.Measurement) { m.Value += 3000 }), ""},
		{"reset recovery +7 s fails", with(cur, "reset.recovery", func(m *stats.Measurement) { m.Value += 7000 }), "reset.recovery"},
		{"reset recovery +200 ms passes", with(cur, "reset.recovery", func(m *stats.Measurement) { m.Value += 200 }), ""},
		{"one device error fails", with(cur, "stats.echo.errors", func(m *stats.Measurement) { m.Value = 1 }), "stats.echo.errors"},
		{"newly failing spec fails", failing, "spec: Echo one byte"},
		{"an inconclusive spec is not compared, and blocks by its state", hostLate, "spec: Echo one byte"},
		{"a gated spec skipped now fails", noLED, "blink.half_period,blink.duty,blink.jitter_p99,spec: Blink idle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := regressed(Compare(base, tc.cur, DefaultThresholds)); got != tc.want {
				t.Fatalf("regressed %q, want %q", got, tc.want)
			}
		})
	}
}

func TestGateNoiseAcrossSeeds(t *testing.T) {
	trips := 0
	for seed := uint64(10); seed < 60; seed++ {
		if len(Compare(synthetic(seed, 1, 1), synthetic(seed+100, 1, 1), DefaultThresholds).Regressions()) > 0 {
			trips++
		}
	}
	// At alpha 0.01 with an effect-size floor, clean pairs practically never trip.
	if trips > 0 {
		t.Fatalf("%d of 50 clean pairs tripped the gate", trips)
	}
}

// A burst of scheduler hiccups in one stretch of the run raises p99 and
// the share above the baseline's p99, but not throughout the run.
func TestGateBurstOfHiccupsDoesNotBlock(t *testing.T) {
	base := synthetic(1, 1, 1)
	cur := synthetic(2, 1, 1)
	m := &cur.Specs[0].Measurements[0]
	for i := range 40 {
		m.Series[i] = 5000
	}
	*m = rttOf(m.Series)
	c := Compare(base, cur, DefaultThresholds)
	if got := regressed(c); got != "" {
		t.Fatalf("regressed %q", got)
	}
	i := slices.IndexFunc(c.Rows, func(r Row) bool { return r.Name == "echo.rtt.1B tail" })
	if i < 0 || c.Rows[i].Cur < 4 {
		t.Fatalf("the burst should put > 4%% above the baseline p99: %+v", c.Rows)
	}
}

func TestMannWhitney(t *testing.T) {
	p, a := MannWhitney([]float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10})
	if a != 1 || p > 0.01 {
		t.Fatalf("separated: p=%g A=%g", p, a)
	}
	p, a = MannWhitney([]float64{1, 2, 3}, []float64{1, 2, 3})
	if a != 0.5 || p < 0.4 {
		t.Fatalf("equal: p=%g A=%g", p, a)
	}
	if p, a := MannWhitney(nil, []float64{1}); p != 1 || a != 0.5 {
		t.Fatalf("empty: p=%g A=%g", p, a)
	}
}

func TestFisherGreater(t *testing.T) {
	// 1 of 10 against 9 of 10: (C(10,9)C(10,1) + C(10,10)) / C(20,10).
	if p, want := FisherGreater(1, 10, 9, 10), 101.0/184756; math.Abs(p-want) > 1e-12 {
		t.Fatalf("p = %g, want %g", p, want)
	}
	if p := FisherGreater(10, 1000, 10, 1000); p < 0.5 {
		t.Fatalf("equal shares: p = %g", p)
	}
	if p := FisherGreater(10, 1000, 43, 1000); p > 1e-5 {
		t.Fatalf("1%% against 4.3%%: p = %g", p)
	}
	if p := FisherGreater(0, 0, 5, 10); p != 1 {
		t.Fatalf("empty: p = %g", p)
	}
}

func TestUnlike(t *testing.T) {
	base := synthetic(1, 1, 1)
	base.BenchID, base.FirmwareName, base.SpecSeed = "pico-a", "picohil", 1
	base.Settings = Settings{Baud: 115200, Bauds: []int{9600, 115200}, BlinkHalfMs: 1000, TurnaroundMs: 5, JitterMs: 5}
	if d := Unlike(base, base); d != nil {
		t.Fatalf("alike runs: %q", d)
	}
	other := base
	other.FirmwareVersion, other.HarnessVersion, other.Faults = "1.1.0", "v2", "slow-echo"
	if d := Unlike(base, other); d != nil {
		t.Fatalf("version, harness and faults are not compared: %q", d)
	}
	mpy := base
	mpy.Target, mpy.Settings.TurnaroundMs, mpy.Settings.Bauds = "micropython", 30, []int{9600}
	d := Unlike(base, mpy)
	want := []string{"target virtual (baseline) vs micropython (current)", "bauds 9600,115200 (baseline) vs 9600 (current)", "turnaround allowance (ms) 5 (baseline) vs 30 (current)"}
	if !slices.Equal(d, want) {
		t.Fatalf("got %q\nwant %q", d, want)
	}
	seeded := base
	seeded.SpecSeed = 1234
	if d := Unlike(base, seeded); len(d) != 1 || d[0] != "spec order seed 1 (baseline) vs 1234 (current)" {
		t.Fatalf("seed: %q", d)
	}
}

// How busy each host was is shown beside the rules, never gated.
func TestGateShowsHostNoise(t *testing.T) {
	withHost := func(r Report, late float64) Report {
		r.Preflight = []Check{{Name: "host timer", Status: CheckOK, Measurements: []stats.Measurement{
			stats.Measure("host.wake_late_p99", "us", late, stats.AtMost(1250))}}}
		return r
	}
	c := Compare(withHost(synthetic(1, 1, 1), 100), withHost(synthetic(2, 1, 1), 400), DefaultThresholds)
	i := slices.IndexFunc(c.Rows, func(r Row) bool { return r.Name == "host.wake_late_p99 (host, not gated)" })
	if i < 0 || c.Rows[i].Regressed || c.Rows[i].Change != "4.0x" || len(c.Regressions()) > 0 {
		t.Fatalf("rows %+v", c.Rows)
	}
}

// A measurement whose spec was renamed or split between harness versions
// is still compared, where its name is in one spec of each run.
func TestGateFollowsAMeasurementIntoAnotherSpec(t *testing.T) {
	base := synthetic(1, 1, 1)
	moved := func(errors float64) Report {
		r := synthetic(2, 1, 1)
		r.Specs = slices.Clone(r.Specs)
		echo := r.Specs[0]
		echo.Measurements = slices.DeleteFunc(slices.Clone(echo.Measurements), func(m stats.Measurement) bool { return m.Name == "stats.echo.errors" })
		r.Specs[0] = echo
		r.Specs = append(r.Specs, Spec{Name: "Echo device counters", State: "passed", Measurements: []stats.Measurement{
			stats.Measure("stats.echo.errors", "errors", errors, stats.AtMost(0))}})
		return r
	}
	if got := regressed(Compare(base, moved(0), DefaultThresholds)); got != "" {
		t.Fatalf("moved, unchanged: regressed %q", got)
	}
	if got := regressed(Compare(base, moved(2), DefaultThresholds)); got != "stats.echo.errors" {
		t.Fatalf("moved, grown: regressed %q", got)
	}
}

// A suite's own measurement is gated by the rule it declares: worse by
// more than the percentage and the floor blocks, either alone does not.
func TestGateByADeclaredRule(t *testing.T) {
	run := func(higher, lower, plain float64) Report {
		return Report{Schema: Schema, Target: "virtual", Pass: true, Specs: []Spec{{Name: "Team's check", State: "passed", Measurements: []stats.Measurement{
			stats.Measure("team.reply", "ms", higher, stats.AtMost(100)).Gated(stats.Gate{Worse: stats.Higher, Pct: 50, Floor: 10}),
			stats.Measure("team.rate", "Hz", lower, stats.AtLeast(1)).Gated(stats.Gate{Worse: stats.Lower, Pct: 10, Floor: 5}),
			stats.Measure("team.ungated", "ms", plain, stats.AtMost(100)),
		}}}}
	}
	// withSamples gives r's team.reply samples behind it: 5..15 ms,
	// shifted by shift ms.
	withSamples := func(r Report, shift float64) Report {
		return with(r, "team.reply", func(m *stats.Measurement) {
			var s []float64
			for i := range 40 {
				s = append(s, 5+float64(i%11)+shift)
			}
			*m = m.WithSamples(s)
		})
	}
	base := run(10, 100, 10)
	for _, tc := range []struct {
		name string
		cur  Report
		want string
	}{
		{"the same passes", run(10, 100, 10), ""},
		{"+12 ms (120%) blocks", run(22, 100, 10), "team.reply"},
		{"+8 ms (80%) stays under the floor", run(18, 100, 10), ""},
		{"-12 ms is better", run(-2, 100, 10), ""},
		{"-11 Hz (11%) blocks", run(10, 89, 10), "team.rate"},
		{"+40 Hz is better", run(10, 140, 10), ""},
		{"an ungated measurement never blocks", run(10, 100, 90), ""},
		{"one absent now blocks", Report{Schema: Schema, Target: "virtual", Pass: true, Specs: []Spec{{Name: "Team's check", State: "passed"}}}, "team.reply,team.rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := regressed(Compare(base, tc.cur, DefaultThresholds)); got != tc.want {
				t.Fatalf("regressed %q, want %q", got, tc.want)
			}
		})
	}
	// Where both runs kept the samples, they must have shifted too.
	sampled := withSamples(base, 0)
	if got := regressed(Compare(sampled, withSamples(run(22, 100, 10), 12), DefaultThresholds)); got != "team.reply" {
		t.Errorf("samples shifted up by 12 ms: regressed %q, want team.reply", got)
	}
	if got := regressed(Compare(sampled, withSamples(run(22, 100, 10), 0), DefaultThresholds)); got != "" {
		t.Errorf("the value rose, the samples did not shift: regressed %q, want none", got)
	}
}

// A device-timed baseline blinks exactly (jitter 0): a wobble that grows
// it from 0 is an unbounded rise, and blocks; the same exact run passes.
func TestGateJitterFromZero(t *testing.T) {
	exact := withBlink(synthetic(1, 1, 1), slices.Repeat([]float64{50}, 11))
	rng := rand.New(rand.NewPCG(9, 9))
	var wobble []float64
	prev := 0.0
	for range 11 {
		off := 8*rng.Float64() - 4
		wobble = append(wobble, 50+off-prev)
		prev = off
	}
	if got := regressed(Compare(exact, withBlink(synthetic(2, 1, 1), slices.Repeat([]float64{50}, 11)), DefaultThresholds)); strings.Contains(got, "jitter") {
		t.Fatalf("exact against exact: regressed %q", got)
	}
	if got := regressed(Compare(exact, withBlink(synthetic(2, 1, 1), wobble), DefaultThresholds)); !strings.Contains(got, "blink.jitter_p99") {
		t.Fatalf("a wobble against an exact baseline: regressed %q, want blink.jitter_p99", got)
	}
}

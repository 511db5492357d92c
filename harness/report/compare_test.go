package report

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/baud"
	"github.com/picohil/picohil/harness/stats"
)

// synthetic is a run: RTTs around 400 us with a long tail, a 50 ms blink
// with 0.5 ms of jitter, and a sweep of 9600 and 115200 baud within 0.3 %,
// scaled.
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
	mean, _ := stats.MeanStd(half)
	return Report{Schema: Schema, Pass: true, Specs: []Spec{
		{Name: "Echo one byte", State: "passed", Measurements: []stats.Measurement{
			stats.Measure("echo.rtt.1B", "us", stats.Percentile(slices.Sorted(slices.Values(rtt)), 99), stats.AtMost(5174)).WithSamples(rtt)}},
		{Name: "Blink idle", State: "passed", Measurements: []stats.Measurement{
			stats.Measure("blink.half_period", "ms", mean, stats.Around(50, 0.5)).WithSamples(half)}},
		{Name: "Baud sweep", State: "passed", Measurements: []stats.Measurement{
			baud.Measure("baud.sweep", 2, baud.At(9600, 9600*(1+0.003*rng.Float64()), 2), baud.At(115200, 115200*(1+0.003*rng.Float64()), 2))}},
	}}
}

func regressed(c Comparison) string {
	var names []string
	for _, r := range c.Regressions() {
		names = append(names, r.Name)
	}
	return strings.Join(names, ",")
}

func TestGate(t *testing.T) {
	base := synthetic(1, 1, 1)
	failing := synthetic(3, 1, 1)
	failing.Specs[0].State = "failed"
	slowBaud := synthetic(1, 1, 1)
	slowBaud.Specs[2].Measurements[0].Points[0].Value = 9600 * 0.98
	lostRate := synthetic(1, 1, 1) // the sweep no longer reaches 115200
	lostRate.Specs[2].Measurements[0].Points = lostRate.Specs[2].Measurements[0].Points[:1]
	noLED := synthetic(2, 1, 1) // a bench that lost its LED pin
	noLED.Specs[1].State, noLED.Specs[1].Measurements = "skipped", nil
	for _, tc := range []struct {
		name string
		cur  Report
		want string
	}{
		{"clean vs itself passes", base, ""},
		{"noise: same distribution, another seed, passes", synthetic(2, 1, 1), ""},
		{"doubled RTT fails", synthetic(2, 2, 1), "echo.rtt.1B p99"},
		{"half-period +3% fails", synthetic(2, 1, 1.03), "blink.half_period mean"},
		{"half-period -3% fails", synthetic(2, 1, 0.97), "blink.half_period mean"},
		{"baud error growth at one rate fails", slowBaud, "baud.sweep error"},
		{"a rate of the sweep not measured now fails", lostRate, "baud.sweep error"},
		{"newly failing spec fails", failing, "spec: Echo one byte"},
		{"a gated spec skipped now fails", noLED, "blink.half_period,spec: Blink idle"},
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

func TestGateTailOnlyNoiseDoesNotBlock(t *testing.T) {
	base := synthetic(1, 1, 1)
	cur := synthetic(2, 1, 1)
	m := &cur.Specs[0].Measurements[0]
	for i := range 20 { // a few scheduler hiccups raise p99, not the distribution
		m.Series[i] = 5000
	}
	m.Summary = new(stats.Summarize(m.Series))
	if got := regressed(Compare(base, cur, DefaultThresholds)); got != "" {
		t.Fatalf("regressed %q", got)
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

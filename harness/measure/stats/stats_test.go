package stats

import (
	"math"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	var v []float64
	for i := 100; i >= 1; i-- {
		v = append(v, float64(i))
	}
	s := Summarize(v)
	if s.N != 100 || s.Min != 1 || s.Max != 100 || s.P50 != 50 || s.P99 != 99 || s.Mean != 50.5 {
		t.Fatalf("summary %+v", s)
	}
	if math.Abs(s.Std-29.011) > 0.001 {
		t.Fatalf("std %v", s.Std)
	}
	if v[0] != 100 {
		t.Fatal("Summarize reordered its input")
	}
}

func TestPercentileEdges(t *testing.T) {
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Fatal("empty percentile is not NaN")
	}
	if got := Percentile([]float64{7}, 99); got != 7 {
		t.Fatalf("single sample p99 = %v", got)
	}
	if got := Percentile([]float64{1, 2, 3}, 0); got != 1 {
		t.Fatalf("p0 = %v", got)
	}
}

func TestLimits(t *testing.T) {
	cases := []struct {
		l    Limits
		v    float64
		want bool
	}{
		{AtMost(10), 10, true}, {AtMost(10), 10.1, false},
		{AtLeast(95), 94.9, false}, {AtLeast(95), 99, true},
		{Around(100, 2), 97.9, false}, {Around(100, 2), 102, true},
		{Limits{}, math.NaN(), false},
	}
	for _, c := range cases {
		if got := c.l.Contains(c.v); got != c.want {
			t.Errorf("%s contains %v = %v", c.l, c.v, got)
		}
	}
}

func TestMeasurementString(t *testing.T) {
	m := Measure("echo.rtt.1B", "us", 250, AtMost(200)).WithSamples([]float64{100, 250})
	s := m.String()
	if m.Pass || !strings.Contains(s, "OUTSIDE [-inf, 200.0]") || !strings.Contains(s, "n=2") {
		t.Fatalf("%s", s)
	}
}

package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/stats"
)

// The trend of a statistic measured against a reference (the tail share)
// uses the compared baseline as the reference in every run.
func TestTrends(t *testing.T) {
	runs := []Report{synthetic(1, 1, 1), synthetic(2, 1.5, 1), synthetic(3, 3, 1)}
	trends := Trends(runs[1], runs, DefaultThresholds)
	var tail, p99 *Trend
	for i := range trends {
		switch trends[i].Row.Name {
		case "echo.rtt.1B tail":
			tail = &trends[i]
		case "echo.rtt.1B p99":
			p99 = &trends[i]
		}
		if strings.HasPrefix(trends[i].Row.Name, "spec: ") {
			t.Errorf("a spec's state has no trend: %q", trends[i].Row.Name)
		}
	}
	if tail == nil || p99 == nil {
		t.Fatalf("no tail or p99 trend in %d trends", len(trends))
	}
	if !(tail.Values[0] <= tail.Values[1] && tail.Values[1] < tail.Values[2]) || tail.Values[1] > 1 {
		t.Errorf("tail shares above the reference's p99 and floor %v: want rising, under 1 %% for the reference itself", tail.Values)
	}
	for i, r := range runs {
		if m, _ := r.Measurement("echo.rtt.1B"); p99.Values[i] != m.Summary.P99 {
			t.Errorf("p99 trend %v, run %d has %g", p99.Values, i, m.Summary.P99)
		}
	}
}

func TestGatePageIsSelfContained(t *testing.T) {
	base, cur := synthetic(1, 1, 1), synthetic(2, 1, 1.03)
	cur.Specs[0].Measurements = append(cur.Specs[0].Measurements[:0:0], cur.Specs[0].Measurements...)
	cur.Specs[0].Measurements[1] = stats.Measure("echo.payload.16B", "us", 90000, stats.AtMost(6500))
	path := filepath.Join(t.TempDir(), "gate.html")
	c := Compare(base, cur, DefaultThresholds)
	if err := WriteGateHTML(path, Gate{Labels: []string{"a/report.json", "b/report.json"}, Runs: []Report{base, cur}, Comparison: c, Thresholds: DefaultThresholds}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{`id="verdict">BLOCKED`, `class="regressed"`, `blink.half_period mean`, `class="point fail"`, `>a<`, `>b<`} {
		if !strings.Contains(html, want) {
			t.Errorf("gate.html lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)(https?:|//[a-z0-9.-]+/|<script|<link|<img|@import|url\()`).FindString(html); m != "" {
		t.Fatalf("gate.html refers outside itself: %q", m)
	}
	if err := WriteGateHTML(path, Gate{Labels: []string{"x"}, Runs: []Report{base}}); err == nil {
		t.Fatal("a gate page of one run was written")
	}
}

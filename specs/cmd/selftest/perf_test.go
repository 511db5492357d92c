package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// testdata/perf.txt is unedited output of the benchmarks make perf runs.
func readPerfSample(t *testing.T) perfOutput {
	t.Helper()
	f, err := os.Open("testdata/perf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o, err := parsePerf(f)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestParsePerfSample(t *testing.T) {
	o := readPerfSample(t)
	if o.Config["cpu"] == "" || o.Config["goos"] != "linux" {
		t.Errorf("headers: %v", o.Config)
	}
	if len(o.Failed) != 0 {
		t.Errorf("failures in a passing sample: %q", o.Failed)
	}
	byName := map[string]int{}
	for _, l := range o.Lines {
		byName[l.Name]++
		if l.Procs < 1 || l.Iters < 1 || strings.HasSuffix(l.Name, "-2") || l.Values["ns/op"] <= 0 {
			t.Errorf("line %+v", l)
		}
	}
	for name, pkg := range map[string]string{
		"BenchmarkRTTFloor/alternating":  "github.com/picohil/picohil/harness/measure/echo",
		"BenchmarkRTTFloor/raw":          "github.com/picohil/picohil/harness/measure/echo",
		"BenchmarkRTTFloor/link":         "github.com/picohil/picohil/harness/measure/echo",
		"BenchmarkLineRate/3000000":      "github.com/picohil/picohil/harness/measure/echo",
		"BenchmarkTimestampError/idle":   "github.com/picohil/picohil/harness/gpio/edge",
		"BenchmarkTimestampError/load":   "github.com/picohil/picohil/harness/gpio/edge",
		"BenchmarkLineRate/115200":       "github.com/picohil/picohil/harness/measure/echo",
		"BenchmarkLineRate/921600":       "github.com/picohil/picohil/harness/measure/echo",
		"BenchmarkTimestampError/nosuch": "",
	} {
		if pkg == "" {
			if byName[name] != 0 {
				t.Errorf("%s appeared", name)
			}
			continue
		}
		if byName[name] != 2 {
			t.Errorf("%s: %d runs, want 2 (-count 2)", name, byName[name])
		}
		for _, l := range o.Lines {
			if l.Name == name && l.Pkg != pkg {
				t.Errorf("%s in package %q, want %q", name, l.Pkg, pkg)
			}
		}
	}
}

func TestFiguresAndFloorRatio(t *testing.T) {
	o := readPerfSample(t)
	s := summarizePerf(o)
	var ratio, raw, link []float64
	for _, l := range o.Lines {
		switch l.Name {
		case "BenchmarkRTTFloor/alternating":
			ratio = append(ratio, l.Values["p50-ratio"])
		case "BenchmarkRTTFloor/raw":
			raw = append(raw, l.Values["p50-us"])
		case "BenchmarkRTTFloor/link":
			link = append(link, l.Values["p50-us"])
		}
	}
	f, ok := findPerfFigure(s.Benchmarks, "RTTFloor/raw")
	if !ok || f.Runs != 2 || f.Median["p50-us"] != (raw[0]+raw[1])/2 {
		t.Fatalf("raw figure %+v from %v", f, raw)
	}
	want := (ratio[0] + ratio[1]) / 2
	if s.Floor == nil || s.Floor.P50 != want || s.Floor.Met != (want <= floorGoal) {
		t.Fatalf("floor %+v, want p50 ratio %v", s.Floor, want)
	}
	if alone := (link[0] + link[1]) / (raw[0] + raw[1]); math.Abs(s.Floor.AloneP50-alone) > 1e-9 {
		t.Fatalf("floor %+v, want alone p50 ratio %v", s.Floor, alone)
	}
	if _, ok := findPerfFigure(s.Benchmarks, "TimestampError/load"); !ok {
		t.Fatal("no timestamp error under load")
	}
	if s := summarizePerf(perfOutput{}); s.Floor != nil {
		t.Fatalf("a floor ratio without the benchmark: %+v", s.Floor)
	}
	noP50 := "BenchmarkRTTFloor/alternating-2 \t 2000 \t 76428 ns/op \t 1.023 p99-ratio\n"
	o, err := parsePerf(strings.NewReader(noP50))
	if err != nil {
		t.Fatal(err)
	}
	if s := summarizePerf(o); s.Floor == nil || s.Floor.Met {
		t.Fatalf("floor %+v from a run without a p50 ratio; want it not met", s.Floor)
	}
}

func TestPerfMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := perfMedian(c.in); got != c.want {
			t.Errorf("perfMedian(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParsePerfBadLines(t *testing.T) {
	for _, line := range []string{
		"BenchmarkX-2 ten 5 ns/op",
		"BenchmarkX-2 0 5 ns/op",
		"BenchmarkX-2 10",
		"BenchmarkX-2 10 5",
		"BenchmarkX-2 10 5 ns/op 7",
		"BenchmarkX-2 10 five ns/op",
	} {
		_, err := parsePerf(strings.NewReader("pkg: p\n" + line + "\n"))
		var pe *PerfParseError
		if !errors.As(err, &pe) || pe.Line != 2 || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", line, err)
		}
	}
}

func TestParsePerfFailures(t *testing.T) {
	in := "BenchmarkA\n    bench_test.go:9: UART load: echo: short answer\n--- FAIL: BenchmarkA/load\nFAIL\nFAIL\tgithub.com/x/y\t1.2s\nBenchmarkB 10 5 ns/op 1 lost-bytes\n"
	o, err := parsePerf(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Failed) != 2 || o.Failed[0] != "BenchmarkA/load" || !strings.HasPrefix(o.Failed[1], "github.com/x/y") {
		t.Fatalf("failed = %q", o.Failed)
	}
	if len(o.Lines) != 1 || o.Lines[0].Procs != 1 || o.Lines[0].Values["lost-bytes"] != 1 {
		t.Fatalf("lines = %+v", o.Lines)
	}
	err = summarizePerf(o).problems(o.Failed)
	if err == nil || !strings.Contains(err.Error(), "BenchmarkA/load") || !strings.Contains(err.Error(), "B lost 1 bytes") {
		t.Fatalf("problems: %v", err)
	}
}

func TestParseScaleCounts(t *testing.T) {
	if n, err := parseScaleCounts("1, 2,8"); err != nil || len(n) != 3 || n[2] != 8 {
		t.Fatalf("%v %v", n, err)
	}
	for _, bad := range []string{"", "0", "1,,2", "x", "-1"} {
		if _, err := parseScaleCounts(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeSuite is a stand-in for the compiled suite: it records its arguments
// and environment and copies a prepared report into HIL_OUT.
func fakeSuite(t *testing.T, rep *report.Report) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"args: $*\"\necho \"env: $HIL_TARGET $HIL_BLINK_MS\"\n"
	if rep != nil {
		src := filepath.Join(dir, "report.json")
		if err := report.Write(src, *rep); err != nil {
			t.Fatal(err)
		}
		script += "cp " + src + " \"$HIL_OUT/report.json\"\n"
	}
	path := filepath.Join(dir, "specs.test")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func perfSampleReport() report.Report {
	return report.Report{Schema: report.Schema, Target: "virtual", Specs: []report.Spec{
		{Name: "Echo round-trips", State: "passed", DurationMs: 400, Measurements: []stats.Measurement{stats.Measure(rttMeasurement, "us", 540, stats.AtMost(5000))}},
		{Name: "Echo payloads", State: "failed", Measurements: []stats.Measurement{stats.Measure("echo.payload.1B", "us", 6000, stats.AtMost(5000))}},
		{Name: "Blink toggles", State: "passed", DurationMs: 600, Measurements: []stats.Measurement{stats.Measure(blinkMeasurement, "ms", 50.01, stats.Around(50, 0.5))}},
		{Name: "Blink under load\nsecond line", State: "failed", DurationMs: 1000},
		{Name: "Baud on hardware only", State: "skipped"},
	}}
}

func TestPerfSummaryEndToEnd(t *testing.T) {
	rep := perfSampleReport()
	suite := fakeSuite(t, &rep)
	out := t.TempDir()
	var w bytes.Buffer
	err := runPerfSummary([]string{"--input", "testdata/perf.txt", "--suite", suite, "--out", out, "--scale", "1,2", "--labels", "echo",
		"--env", "HIL_TARGET=virtual HIL_BLINK_MS=100"}, &w)
	if err != nil {
		t.Fatalf("%v\n%s", err, w.String())
	}
	table := w.String()
	t.Log("\n" + table)
	for _, want := range []string{"link/raw", "edge timestamp error", "N=1", "N=2", "passed 2 2 of 5", "echo.rtt.1B p99 540..540 us",
		"bench1 of 1", "bench2 of 2", "out of limits: echo.payload.1B 6000 us; failed \"Blink under load\"\n", "cost (suite process)", "blink && !echo, 500 ms"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "perf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s PerfSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Schema != PerfSchema || len(s.Benchmarks) != 8 || s.Floor == nil || len(s.Scale) != 2 || len(s.Scale[1].Benches) != 2 || s.Cost == nil {
		t.Fatalf("perf.json: %s", b)
	}
	c := s.Cost
	if c.Run.SpecsS != 2 || c.Run.MaxRSSMiB <= 0 || c.CPUPerCaptureS != c.Run.CPUS/2 {
		t.Fatalf("cost: %+v", c)
	}
	log, err := os.ReadFile(filepath.Join(out, "scale", "n2", "bench2", "console.log"))
	if err != nil || !strings.Contains(string(log), "-ginkgo.label-filter=echo") || !strings.Contains(string(log), "env: virtual 100") {
		t.Fatalf("scale run: %s %v", log, err)
	}
	log, err = os.ReadFile(filepath.Join(out, "cost", "console.log"))
	if err != nil || !strings.Contains(string(log), "-ginkgo.label-filter=blink && !echo") || !strings.Contains(string(log), "env: virtual 500") {
		t.Fatalf("cost run: %s %v", log, err)
	}
}

func TestPerfSummaryNoReport(t *testing.T) {
	var w bytes.Buffer
	err := runPerfSummary([]string{"--input", "testdata/perf.txt", "--suite", fakeSuite(t, nil), "--out", t.TempDir(), "--scale", "1"}, &w)
	if err == nil || !strings.Contains(err.Error(), "scale N=1: report:") || !strings.Contains(w.String(), "passed ERR of 0") {
		t.Fatalf("%v\n%s", err, w.String())
	}
}

func TestPerfSummaryRefusesABadEnv(t *testing.T) {
	var w bytes.Buffer
	err := runPerfSummary([]string{"--suite", fakeSuite(t, nil), "--env", "HIL_BLINK_MS=100 BLINK=5"}, &w)
	if err == nil || !strings.Contains(err.Error(), `"BLINK=5" is not a HIL_* setting`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("%v", err)
	}
}

func TestParseBenchmarks(t *testing.T) {
	bs, err := parseBenchmarks([]string{"./harness/measure/echo:RTTFloor:5000x", "./harness/gpio/edge:TimestampError:10x"})
	if err != nil || len(bs) != 2 || bs[0] != (benchmark{"./harness/measure/echo", "RTTFloor", "5000x"}) {
		t.Fatalf("%+v, %v", bs, err)
	}
	for _, bad := range []string{"./harness/measure/echo:RTTFloor", "./harness/measure/echo::5000x", ":RTTFloor:1x", "a:b:c:d"} {
		if _, err := parseBenchmarks([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A benchmark that fails stops perf-summary before the summary, naming it.
func TestPerfSummaryStopsAtAFailedBenchmark(t *testing.T) {
	fakeGo := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(fakeGo, []byte("#!/bin/sh\necho \"--- FAIL: BenchmarkRTTFloor\"\necho FAIL\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(t.TempDir(), "perf.txt")
	var w strings.Builder
	err := runPerfSummary([]string{"--go", fakeGo, "--input", input, "--suite", fakeSuite(t, nil), "--out", t.TempDir(), "--scale", "1", "./harness/measure/echo:RTTFloor:5000x"}, &w)
	if err == nil || !strings.Contains(err.Error(), "RTTFloor") || strings.Contains(w.String(), "virtual benches at once") {
		t.Fatalf("err = %v; output:\n%s", err, w.String())
	}
	if b, _ := os.ReadFile(input); !strings.Contains(string(b), "--- FAIL: BenchmarkRTTFloor") {
		t.Errorf("%s holds %q, want the benchmark's output", input, b)
	}
}

// A benchmark name that matches nothing is an error, not an empty figure.
func TestPerfSummaryRefusesABenchmarkThatDidNotRun(t *testing.T) {
	fakeGo := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(fakeGo, []byte("#!/bin/sh\necho PASS\necho 'ok  \tpkg\t0.01s'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var w strings.Builder
	err := runPerfSummary([]string{"--go", fakeGo, "--input", filepath.Join(t.TempDir(), "perf.txt"), "--suite", fakeSuite(t, nil), "--out", t.TempDir(), "--scale", "1", "./harness/measure/echo:RTTFlor:5000x"}, &w)
	if err == nil || !strings.Contains(err.Error(), "no BenchmarkRTTFlor") {
		t.Fatalf("err = %v; output:\n%s", err, w.String())
	}
}

package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// PerfSchema identifies the layout of perf.json.
const PerfSchema = "picohil.perf/v1"

// floorGoal is the p50 ratio of the harness's echo to the raw floor the
// harness aims to stay within.
const floorGoal = 1.3

// PerfSummary is out/perf/perf.json (fields documented in README.md,
// "Benchmarks").
type PerfSummary struct {
	Schema     string       `json:"schema"`
	Generated  time.Time    `json:"generated"`
	Host       report.Host  `json:"host"`
	CPU        string       `json:"cpu"` // the "cpu:" header of the benchmark output
	Benchmarks []PerfFigure `json:"benchmarks"`
	Floor      *FloorRatio  `json:"rtt_floor,omitempty"`
	Scale      []ScaleStep  `json:"scale"`
	Cost       *PerfCost    `json:"cost,omitempty"`
}

// FloorRatio is the harness's 1-byte echo over the raw syscall floor:
// from the alternating trips (the verdict) and from each kind alone.
type FloorRatio struct {
	P50      float64 `json:"p50_ratio"` // median over the runs of link p50 / raw p50, alternating
	P99      float64 `json:"p99_ratio"`
	AloneP50 float64 `json:"alone_p50_ratio,omitempty"` // link alone p50 / raw alone p50, medians over the runs
	AloneP99 float64 `json:"alone_p99_ratio,omitempty"`
	Goal     float64 `json:"goal_p50_ratio"`
	Met      bool    `json:"met"` // P50 <= Goal, false when the run did not report P50
}

func runPerfSummary(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("perf-summary", flag.ContinueOnError)
	input := fs.String("input", "out/perf/perf.txt", "go test -bench output to summarise; with benchmarks given, where their output is written")
	count := fs.Int("count", 6, "with benchmarks given: go test -count of each")
	goCmd := fs.String("go", "go", "with benchmarks given: the go command")
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs) for the scale and cost runs")
	out := fs.String("out", "out/perf", "directory for perf.json and each run's reports")
	scale := fs.String("scale", "1,2,4,8", "how many virtual benches to run at once, in turn")
	labels := fs.String("labels", "", "Ginkgo label filter for the scale runs (default: the whole suite)")
	costLabels := fs.String("cost-labels", "blink && !echo", "Ginkgo label filter of the capture-heavy cost run")
	costBlink := fs.Int("cost-blink-ms", 500, "HIL_BLINK_MS of the cost run (a longer capture)")
	benchEnv := fs.String("env", "", "HIL_* settings of the scale runs, space-separated (make perf passes the Makefile's QUICK_ENV); they run on perf-summary's own environment too")
	if err := fs.Parse(args); err != nil {
		return err
	}
	env, err := parseEnv(*benchEnv)
	if err != nil {
		return err
	}
	bin, err := suitePath("perf-summary", *suite)
	if err != nil {
		return err
	}
	*suite = bin
	steps, err := parseScaleCounts(*scale)
	if err != nil {
		return err
	}
	benchmarks, err := parseBenchmarks(fs.Args())
	if err != nil {
		return err
	}
	if len(benchmarks) > 0 {
		if err := runBenchmarks(*goCmd, benchmarks, *count, *input, w); err != nil {
			return err
		}
	}
	f, err := os.Open(*input)
	if err != nil {
		return fmt.Errorf("perf-summary: %w (hint: make perf writes it)", err)
	}
	parsed, err := parsePerf(f)
	f.Close()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		return fmt.Errorf("perf-summary: %w", err)
	}
	s := summarizePerf(parsed)
	var filter []string
	if *labels != "" {
		filter = []string{"-ginkgo.label-filter=" + *labels}
	}
	for _, n := range steps {
		fmt.Fprintf(w, "perf-summary: %d virtual benches at once\n", n)
		ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
		s.Scale = append(s.Scale, runScale(ctx, *suite, filepath.Join(abs, "scale"), n, env, filter))
		cancel()
	}
	fmt.Fprintf(w, "perf-summary: cost run (%s, HIL_BLINK_MS=%d)\n", *costLabels, *costBlink)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	run := runSuite(ctx, *suite, filepath.Join(abs, "cost"), []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=" + strconv.Itoa(*costBlink)},
		[]string{"-ginkgo.label-filter=" + *costLabels})
	cancel()
	s.Cost = &PerfCost{Labels: *costLabels, BlinkMs: *costBlink, Run: run}
	if run.SpecsS > 0 {
		s.Cost.CPUPerCaptureS = run.CPUS / run.SpecsS
	}
	printPerfSummary(w, s)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("perf-summary: encode: %w", err)
	}
	path := filepath.Join(abs, "perf.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("perf-summary: %w", err)
	}
	fmt.Fprintf(w, "perf-summary: wrote %s\n", path)
	return s.problems(parsed.Failed)
}

func parseScaleCounts(list string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("perf-summary: --scale %q: %q is not a positive count (hint: e.g. 1,2,4,8)", list, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// summarize reduces the benchmark output to figures and the floor ratio.
func summarizePerf(o perfOutput) PerfSummary {
	s := PerfSummary{Schema: PerfSchema, Generated: time.Now().UTC(), Host: report.ProbeHost(), CPU: o.Config["cpu"], Benchmarks: o.figures()}
	alt, ok := findPerfFigure(s.Benchmarks, "RTTFloor/alternating")
	if !ok {
		return s
	}
	p50, measured := alt.Median["p50-ratio"]
	s.Floor = &FloorRatio{P50: p50, P99: alt.Median["p99-ratio"], Goal: floorGoal, Met: measured && p50 <= floorGoal}
	raw, okRaw := findPerfFigure(s.Benchmarks, "RTTFloor/raw")
	link, okLink := findPerfFigure(s.Benchmarks, "RTTFloor/link")
	if okRaw && okLink && raw.Median["p50-us"] > 0 && raw.Median["p99-us"] > 0 {
		s.Floor.AloneP50 = link.Median["p50-us"] / raw.Median["p50-us"]
		s.Floor.AloneP99 = link.Median["p99-us"] / raw.Median["p99-us"]
	}
	return s
}

func findPerfFigure(figs []PerfFigure, name string) (PerfFigure, bool) {
	i := slices.IndexFunc(figs, func(f PerfFigure) bool { return f.Name == name })
	if i < 0 {
		return PerfFigure{}, false
	}
	return figs[i], true
}

// problems are what makes the summary fail: a failed benchmark, a byte
// lost on the line, a suite run that wrote no report. Timing figures never
// fail it.
func (s PerfSummary) problems(failed []string) error {
	var out []string
	for _, f := range failed {
		out = append(out, "benchmark failed: "+f)
	}
	for _, f := range s.Benchmarks {
		if lost := f.Median["lost-bytes"]; lost > 0 {
			out = append(out, fmt.Sprintf("%s lost %g bytes", f.Name, lost))
		}
	}
	for _, st := range s.Scale {
		for _, r := range st.Benches {
			if r.Error != "" {
				out = append(out, fmt.Sprintf("scale N=%d: %s", st.N, r.Error))
			}
		}
	}
	if s.Cost != nil && s.Cost.Run.Error != "" {
		out = append(out, "cost run: "+s.Cost.Run.Error)
	}
	if len(out) > 0 {
		return errors.New("perf-summary: " + strings.Join(out, "; "))
	}
	return nil
}

// perfTitles names the benchmarks in the table; others keep their name.
var perfTitles = map[string]string{
	"RTTFloor":       "echo RTT 1B (pty, instant echo)",
	"TimestampError": "edge timestamp error",
	"LineRate":       "line rate (pipelined, virtual)",
}

// perfStandardUnits are go test's own; the figures are the custom metrics.
var perfStandardUnits = []string{"ns/op", "B/op", "allocs/op", "MB/s"}

func printPerfSummary(w io.Writer, s PerfSummary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tCASE\tRESULT")
	for _, f := range s.Benchmarks {
		group, sub, _ := strings.Cut(f.Name, "/")
		title := cmp.Or(perfTitles[group], group)
		fmt.Fprintf(tw, "%s\t%s\t%s  (median of %d)\n", title, cmp.Or(sub, "-"), perfMetrics(f.Median), f.Runs)
		if fl := s.Floor; group == "RTTFloor" && sub == "link" && fl != nil {
			verdict := "met"
			if !fl.Met {
				verdict = "NOT met"
			}
			fmt.Fprintf(tw, "%s\tlink/raw\talternating: p50 %.2fx  p99 %.2fx  (goal p50 <= %.1fx: %s);  alone: p50 %.2fx  p99 %.2fx\n",
				title, fl.P50, fl.P99, fl.Goal, verdict, fl.AloneP50, fl.AloneP99)
		}
	}
	var base float64
	for _, st := range s.Scale {
		if base == 0 {
			base = st.WallS
		}
		fmt.Fprintf(tw, "scale (virtual suite)\tN=%d\t%s\n", st.N, scaleResult(st, base))
		for i, r := range st.Benches {
			if len(r.Failures) > 0 {
				fmt.Fprintf(tw, "\t  bench%d of %d\tout of limits: %s\n", i+1, st.N, strings.Join(r.Failures, "; "))
			}
		}
	}
	if c := s.Cost; c != nil {
		r := c.Run
		fmt.Fprintf(tw, "cost (suite process)\t%s, %d ms\tpeak RSS %.1f MiB  CPU %.2f s over %.1f s of specs = %.3f CPU-s per capture-s  (wall %.1f s)\n",
			c.Labels, c.BlinkMs, r.MaxRSSMiB, r.CPUS, r.SpecsS, c.CPUPerCaptureS, r.WallS)
	}
	tw.Flush()
}

// metrics renders the custom metrics as "unit value" pairs in unit order,
// or ns/op when a benchmark has none.
func perfMetrics(median map[string]float64) string {
	units := slices.Sorted(func(yield func(string) bool) {
		for u := range median {
			if !slices.Contains(perfStandardUnits, u) && !yield(u) {
				return
			}
		}
	})
	if len(units) == 0 {
		units = []string{"ns/op"}
	}
	parts := make([]string, len(units))
	for i, u := range units {
		parts[i] = fmt.Sprintf("%s %.4g", u, median[u])
	}
	return strings.Join(parts, "  ")
}

func scaleResult(st ScaleStep, base float64) string {
	var b strings.Builder
	cpu := 0.0
	for _, r := range st.Benches {
		cpu += r.CPUS
	}
	fmt.Fprintf(&b, "wall %.1f s (%.2fx first), CPU %.1f s  passed", st.WallS, st.WallS/base, cpu)
	total := 0
	for _, r := range st.Benches {
		if r.Error != "" {
			b.WriteString(" ERR")
			continue
		}
		fmt.Fprintf(&b, " %d", r.Passed)
		total = max(total, r.Passed+r.Failed+r.Skipped)
	}
	fmt.Fprintf(&b, " of %d", total)
	if lo, hi, ok := runSpan(st.Benches, func(r suiteRun) float64 { return r.RTTP99Us }); ok {
		fmt.Fprintf(&b, "  %s p99 %.0f..%.0f us", rttMeasurement, lo, hi)
	}
	if lo, hi, ok := runSpan(st.Benches, func(r suiteRun) float64 { return r.HalfMs }); ok {
		fmt.Fprintf(&b, "  %s %.2f..%.2f ms", blinkMeasurement, lo, hi)
	}
	return b.String()
}

// parseEnv reads --env: HIL_* settings such as "HIL_TARGET=virtual
// HIL_BLINK_MS=100", space-separated.
func parseEnv(s string) ([]string, error) {
	env := strings.Fields(s)
	for _, kv := range env {
		if name, _, ok := strings.Cut(kv, "="); !ok || !strings.HasPrefix(name, "HIL_") {
			return nil, fmt.Errorf("perf-summary: --env: %q is not a HIL_* setting (hint: give NAME=value pairs such as HIL_BLINK_MS=100, separated by spaces)", kv)
		}
	}
	return env, nil
}

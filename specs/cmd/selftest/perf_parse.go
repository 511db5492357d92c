package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// perfLine is one result line of `go test -bench` output:
//
//	BenchmarkRTTFloor/raw-2   5000   21000 ns/op   12.3 p50-us   30.1 p99-us
type perfLine struct {
	Name   string // without the -GOMAXPROCS suffix, e.g. "BenchmarkRTTFloor/raw"
	Procs  int
	Pkg    string // the "pkg:" header in force
	Iters  int64
	Values map[string]float64 // unit -> value
}

// perfOutput is a parsed `go test -bench` log: the result lines in order
// and the benchmarks or packages that failed.
type perfOutput struct {
	Config map[string]string // the last goos, goarch, cpu headers
	Lines  []perfLine
	Failed []string
}

// PerfParseError is a result line that does not follow the benchmark format.
type PerfParseError struct {
	Line    int
	Text    string
	Problem string
}

func (e *PerfParseError) Error() string {
	return fmt.Sprintf("perf-summary: line %d %q: %s (hint: give the unedited output of go test -bench)", e.Line, e.Text, e.Problem)
}

// parsePerf reads the standard benchmark format: "key: value" headers,
// result lines of a name, an iteration count and value-unit pairs, and
// anything else (PASS, ok, logs) ignored except failures.
func parsePerf(r io.Reader) (perfOutput, error) {
	out := perfOutput{Config: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		fields := strings.Fields(text)
		switch {
		case len(fields) == 0:
		case strings.HasPrefix(text, "--- FAIL: ") || fields[0] == "FAIL" && len(fields) > 1:
			out.Failed = append(out.Failed, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(text, "--- FAIL: "), "FAIL")))
		case strings.HasPrefix(text, "Benchmark") && len(fields) > 1:
			l, err := parsePerfLine(fields)
			if err != nil {
				return out, &PerfParseError{Line: n, Text: text, Problem: err.Error()}
			}
			l.Pkg = out.Config["pkg"]
			out.Lines = append(out.Lines, l)
		default:
			if k, v, ok := strings.Cut(text, ": "); ok && !strings.ContainsAny(k, " \t") {
				out.Config[k] = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("perf-summary: read: %w", err)
	}
	return out, nil
}

func parsePerfLine(fields []string) (perfLine, error) {
	l := perfLine{Name: fields[0], Procs: 1, Values: map[string]float64{}}
	if i := strings.LastIndexByte(l.Name, '-'); i > 0 {
		if p, err := strconv.Atoi(l.Name[i+1:]); err == nil {
			l.Name, l.Procs = l.Name[:i], p
		}
	}
	iters, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || iters <= 0 {
		return l, fmt.Errorf("iteration count %q is not a positive integer", fields[1])
	}
	l.Iters = iters
	pairs := fields[2:]
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return l, fmt.Errorf("%d fields after the iteration count, want value-unit pairs", len(pairs))
	}
	for i := 0; i < len(pairs); i += 2 {
		v, err := strconv.ParseFloat(pairs[i], 64)
		if err != nil {
			return l, fmt.Errorf("value %q of %s is not a number", pairs[i], pairs[i+1])
		}
		l.Values[pairs[i+1]] = v
	}
	return l, nil
}

// PerfFigure is every run of one benchmark reduced to the median of each
// unit, as perf.json stores it.
type PerfFigure struct {
	Name   string             `json:"name"` // without "Benchmark" and the -GOMAXPROCS suffix
	Pkg    string             `json:"pkg"`
	Runs   int                `json:"runs"`   // result lines (go test -count)
	Median map[string]float64 `json:"median"` // unit -> median over the runs
}

// figures groups result lines by package and name, in first-seen order.
func (o perfOutput) figures() []PerfFigure {
	var figs []PerfFigure
	samples := map[int]map[string][]float64{}
	for _, l := range o.Lines {
		name := strings.TrimPrefix(l.Name, "Benchmark")
		i := slices.IndexFunc(figs, func(f PerfFigure) bool { return f.Name == name && f.Pkg == l.Pkg })
		if i < 0 {
			i = len(figs)
			figs = append(figs, PerfFigure{Name: name, Pkg: l.Pkg, Median: map[string]float64{}})
			samples[i] = map[string][]float64{}
		}
		figs[i].Runs++
		for unit, v := range l.Values {
			samples[i][unit] = append(samples[i][unit], v)
		}
	}
	for i := range figs {
		for unit, vs := range samples[i] {
			figs[i].Median[unit] = perfMedian(vs)
		}
	}
	return figs
}

// perfMedian is the median of a non-empty sample; the mean of the middle two for an even count.
func perfMedian(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

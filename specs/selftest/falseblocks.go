package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// runFalseBlocks measures the release gate's false-block rate: pairs of
// clean virtual runs, each pair's first run the baseline of its second.
// Every block is a false one. A block by a spec that failed in the current
// run is the suite's flake (load), told apart from a block by a gated
// measurement, which is the gate's own.
func runFalseBlocks(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("false-blocks", flag.ContinueOnError)
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs)")
	out := fs.String("out", "out/false-blocks", "directory for the runs' reports")
	pairs := fs.Int("pairs", 20, "clean pairs to gate")
	seed := fs.Int64("seed", 1, "spec order seed of every run")
	rejudge := fs.Bool("rejudge", false, "judge the runs already in --out again instead of running the suite")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pairs < 1 {
		return errors.New("false-blocks: --pairs must be at least 1")
	}
	if *suite == "" && !*rejudge {
		return errors.New("false-blocks: --suite is required (hint: go test -c -o out/bin/specs.test ./specs)")
	}
	var byRule, bySpec int
	for i := range *pairs {
		var runs [2]report.Report
		for j, side := range []string{"a", "b"} {
			p := probe{name: fmt.Sprintf("pair-%02d-%s", i+1, side), env: []string{"HIL_TARGET=virtual"}}
			if !*rejudge {
				bin, err := filepath.Abs(*suite)
				if err != nil {
					return err
				}
				if o := runOne(bin, *out, []string{fmt.Sprintf("-ginkgo.seed=%d", *seed)}, p); o.err != nil {
					return fmt.Errorf("false-blocks: run %s: %w", p.name, o.err)
				}
			}
			r, err := report.Read(filepath.Join(*out, p.name, "report.json"))
			if err != nil {
				return fmt.Errorf("false-blocks: %w", err)
			}
			runs[j] = r
		}
		if diffs := report.Unlike(runs[0], runs[1]); len(diffs) > 0 {
			return fmt.Errorf("false-blocks: pair %d is unlike: %s", i+1, strings.Join(diffs, "; "))
		}
		var rules, specs []string
		for _, r := range report.Compare(runs[0], runs[1], report.DefaultThresholds).Regressions() {
			if strings.HasPrefix(r.Name, "spec: ") {
				specs = append(specs, r.Name)
			} else {
				rules = append(rules, fmt.Sprintf("%s (%s -> %s: %s)", r.Name, r.Baseline, r.Current, r.Why))
			}
		}
		verdict := "passed"
		switch {
		case len(rules) > 0:
			byRule++
			verdict = "BLOCKED by the gate's rules: " + strings.Join(rules, "; ")
		case len(specs) > 0:
			bySpec++
			verdict = "blocked by the suite: " + strings.Join(specs, "; ")
		}
		fmt.Fprintf(w, "false-blocks: pair %2d %s load %s: %s\n", i+1, runs[1].Started.Format(time.TimeOnly), loadAvg(), verdict)
	}
	fmt.Fprintf(w, "false-blocks: %d of %d clean pairs blocked by a gated measurement; %d more by a spec that failed in the current run\n", byRule, *pairs, bySpec)
	if byRule+bySpec > 0 {
		return fmt.Errorf("false-blocks: %d of %d clean pairs blocked", byRule+bySpec, *pairs)
	}
	return nil
}

// loadAvg is the host's 1-minute load average, "?" where unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

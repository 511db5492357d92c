package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// runFalseBlocks measures the release gate's false-block rate: pairs of
// clean virtual runs, each pair's first run the baseline of its second.
// A pair counts when both runs passed the suite (a run that failed a spec,
// as the suite may under heavy load, is not a clean run; such pairs are
// counted apart); then every block is a false one.
func runFalseBlocks(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("false-blocks", flag.ContinueOnError)
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs)")
	out := fs.String("out", "out/false-blocks", "directory for the runs' reports")
	pairs := fs.Int("pairs", 20, "clean pairs to gate")
	most := fs.Int("max-pairs", 0, "pairs to try at most, counting those with a failed run (default 2 × --pairs)")
	seed := fs.Int64("seed", 1, "spec order seed of every run")
	rejudge := fs.Bool("rejudge", false, "judge the runs already in --out again instead of running the suite")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pairs < 1 {
		return errors.New("false-blocks: --pairs must be at least 1")
	}
	if *most < *pairs {
		*most = 2 * *pairs
	}
	if *suite == "" && !*rejudge {
		return errors.New("false-blocks: --suite is required (hint: go test -c -o out/bin/specs.test ./specs)")
	}
	bin, err := filepath.Abs(*suite)
	if err != nil {
		return err
	}
	var judged, blocked, discarded int
	// Blocks by host load: the 1-minute load average against the cores.
	var quiet, quietBlocked int
	cores := float64(runtime.NumCPU())
	for i := 0; judged < *pairs && i < *most; i++ {
		var runs [2]report.Report
		for j, side := range []string{"a", "b"} {
			p := probe{name: fmt.Sprintf("pair-%02d-%s", i+1, side), env: []string{"HIL_TARGET=virtual"}}
			path := filepath.Join(*out, p.name, "report.json")
			if _, err := os.Stat(path); *rejudge && errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("false-blocks: %d clean pairs judged, %d discarded, and no more runs in %s", judged, discarded, *out)
			}
			if !*rejudge {
				if o := runOne(bin, *out, []string{fmt.Sprintf("-ginkgo.seed=%d", *seed)}, p); o.err != nil {
					return fmt.Errorf("false-blocks: run %s: %w", p.name, o.err)
				}
			}
			r, err := report.Read(path)
			if err != nil {
				return fmt.Errorf("false-blocks: %w", err)
			}
			runs[j] = r
		}
		head := fmt.Sprintf("false-blocks: pair %2d, %s", i+1, runs[1].Started.Format(time.TimeOnly))
		load, loadOK := loadAvg()
		isQuiet := !*rejudge && loadOK && load < cores
		if !*rejudge && loadOK {
			head += fmt.Sprintf(", load %.2f", load)
		}
		head += ":"
		if failed := append(runs[0].Failed(), runs[1].Failed()...); len(failed) > 0 {
			discarded++
			fmt.Fprintf(w, "%s not counted, a run failed its own specs: %s\n", head, strings.Join(failed, "; "))
			continue
		}
		if diffs := report.Unlike(runs[0], runs[1]); len(diffs) > 0 {
			return fmt.Errorf("false-blocks: pair %d is unlike: %s", i+1, strings.Join(diffs, "; "))
		}
		judged++
		if isQuiet {
			quiet++
		}
		var rows []string
		for _, r := range report.Compare(runs[0], runs[1], report.DefaultThresholds).Regressions() {
			rows = append(rows, fmt.Sprintf("%s (%s -> %s: %s)", r.Name, r.Baseline, r.Current, r.Why))
		}
		verdict := "passed"
		if len(rows) > 0 {
			blocked++
			if isQuiet {
				quietBlocked++
			}
			verdict = "FALSE BLOCK: " + strings.Join(rows, "; ")
		}
		fmt.Fprintf(w, "%s %s\n", head, verdict)
	}
	fmt.Fprintf(w, "false-blocks: %d of %d clean pairs blocked; %d more pairs not counted, a run having failed its own specs\n", blocked, judged, discarded)
	if !*rejudge {
		fmt.Fprintf(w, "false-blocks: with the host's 1-minute load below its %.0f cores: %d of %d blocked; at or above: %d of %d\n", cores, quietBlocked, quiet, blocked-quietBlocked, judged-quiet)
	}
	switch {
	case blocked > 0:
		return fmt.Errorf("false-blocks: %d of %d clean pairs blocked", blocked, judged)
	case judged < *pairs:
		return fmt.Errorf("false-blocks: only %d clean pairs in %d tried (the suite failed under load); want %d", judged, *most, *pairs)
	}
	return nil
}

// loadAvg is the host's 1-minute load average, where the host tells it.
func loadAvg() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// errRegressed is the gate's verdict; main prints it and exits 1.
var errRegressed = errors.New("gate: regression")

// unlikeError refuses to compare runs that differ in more than the firmware
// under test; hil exits 2.
type unlikeError struct{ diffs []string }

// ExitStatus is 2: the runs were not compared.
func (e *unlikeError) ExitStatus() int { return 2 }

func (e *unlikeError) Error() string {
	more := ""
	if len(e.diffs) > 1 {
		more = "; also " + strings.Join(e.diffs[1:], "; ")
	}
	return "gate: refused, unlike runs: " + e.diffs[0] + more +
		" (hint: gate against a baseline from the same target, bench and settings, run with make hil SEED=1; --allow-unlike compares anyway)"
}

func runGate(args []string, w io.Writer) error {
	th := report.DefaultThresholds
	fs := flag.NewFlagSet("gate", flag.ContinueOnError)
	var baselines []string
	fs.Func("baseline", "baseline report (firmware/baselines/<version>.json); repeat it, oldest first, for a trend: the last is compared", func(s string) error {
		baselines = append(baselines, s)
		return nil
	})
	current := fs.String("current", "out/hil/report.json", "report of the run under test")
	html := fs.String("html", "", "gate page with each gated measurement's trend (default: gate.html beside --current)")
	allowUnlike := fs.Bool("allow-unlike", false, "compare even when target, bench, firmware, platform, settings or spec order differ")
	fs.Float64Var(&th.RTTP99, "rtt-p99", th.RTTP99, "shift rule: allowed rise of a round-trip p99, %")
	fs.Float64Var(&th.RTTFloor, "rtt-floor", th.RTTFloor, "shift and tail rules: a round trip must rise by this % of the turnaround allowance too")
	fs.Float64Var(&th.TailShare, "tail-share", th.TailShare, "tail rule: share of round trips above the baseline's p99 that blocks, %")
	fs.Float64Var(&th.TailAlpha, "tail-alpha", th.TailAlpha, "tail rule: significance of Fisher's exact test")
	fs.Float64Var(&th.HalfPeriod, "half-period", th.HalfPeriod, "allowed shift of a blink half-period mean, %")
	fs.Float64Var(&th.Jitter, "jitter", th.Jitter, "allowed rise of a blink jitter p99, %")
	fs.Float64Var(&th.JitterFloor, "jitter-floor", th.JitterFloor, "and at least this rise, % of the half-period")
	fs.Float64Var(&th.Duty, "duty", th.Duty, "allowed growth of a duty cycle's distance from 50 %, points")
	fs.Float64Var(&th.LineRate, "line-rate", th.LineRate, "allowed drop of "+stats.EchoLineRate+", points")
	fs.Float64Var(&th.Payload, "payload", th.Payload, "allowed rise of a payload round trip, % (and at least the turnaround allowance)")
	fs.Float64Var(&th.Reset, "reset", th.Reset, "allowed rise of "+stats.ResetRecovery+", %")
	fs.Float64Var(&th.ResetFloor, "reset-floor", th.ResetFloor, "and at least this rise, ms")
	fs.Float64Var(&th.Baud, "baud", th.Baud, "allowed growth of an effective-baud error, percentage points")
	fs.Float64Var(&th.Alpha, "alpha", th.Alpha, "significance a series test must reach (Mann-Whitney U)")
	fs.Float64Var(&th.Effect, "effect", th.Effect, "effect size A a series shift must reach (0.5 = none, 1 = every sample)")
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	if len(baselines) == 0 {
		return cli.Usagef("gate: --baseline is required (hint: ls firmware/baselines)")
	}
	for _, path := range append(baselines, *current) {
		if err := readable("gate", "a report", path, reportHint); err != nil {
			return err
		}
	}
	if err := checkThresholds(fs); err != nil {
		return err
	}
	var history []report.Report
	for _, path := range baselines {
		b, err := report.Read(path)
		if err != nil {
			return err
		}
		history = append(history, b)
	}
	cur, err := report.Read(*current)
	if err != nil {
		return err
	}
	base := history[len(history)-1]
	basePath := baselines[len(baselines)-1]
	fmt.Fprintf(w, "gate: baseline %s (%s, harness %s), current %s (%s, harness %s)\n",
		basePath, orUnknown(base.Firmware), orUnknown(base.HarnessVersion), *current, orUnknown(cur.Firmware), orUnknown(cur.HarnessVersion))
	if err := benchFailed(*current, cur); err != nil {
		return err
	}
	if diffs := report.Unlike(base, cur); len(diffs) > 0 {
		if !*allowUnlike {
			return &unlikeError{diffs}
		}
		fmt.Fprintf(w, "gate: comparing unlike runs (--allow-unlike): %s\n", strings.Join(diffs, "; "))
	}
	c := report.Compare(base, cur, th)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASUREMENT\tBASELINE\tCURRENT\tCHANGE\tTEST\tVERDICT")
	for _, r := range c.Rows {
		verdict := "ok"
		if r.Regressed {
			verdict = "REGRESSED: " + r.Why
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Baseline, r.Current, r.Change, r.Test, verdict)
	}
	tw.Flush()
	if *html == "" {
		*html = filepath.Join(filepath.Dir(*current), "gate.html")
	}
	labels := append(append([]string(nil), baselines...), *current)
	if err := report.WriteGateHTML(*html, report.Gate{Labels: labels, Runs: append(history, cur), Comparison: c, Thresholds: th}); err != nil {
		return err
	}
	fmt.Fprintf(w, "gate: wrote %s (trend over %d baselines)\n", *html, len(history))
	reg := c.Regressions()
	if len(reg) == 0 {
		fmt.Fprintf(w, "gate: passed, %d comparisons within thresholds\n", len(c.Rows))
		return nil
	}
	names := make([]string, len(reg))
	for i, r := range reg {
		names[i] = r.Name
	}
	return fmt.Errorf("%w in %s", errRegressed, strings.Join(names, ", "))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// reportHint says where reports are.
const reportHint = "make hil writes out/hil/report.json; baselines are in firmware/baselines"

// readable refuses, as a usage error, a path that is no file.
func readable(verb, what, path, hint string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return cli.Usagef("%s: %s %s: no such file (hint: %s)", verb, what, path, hint)
	case fi.IsDir():
		return cli.Usagef("%s: %s %s: is a directory (hint: %s)", verb, what, path, hint)
	}
	return nil
}

// checkThresholds refuses a threshold no rule can use: negative or not
// finite, a significance outside (0, 1), an effect size outside [0.5, 1].
func checkThresholds(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		var v float64
		if ok {
			v, ok = g.Get().(float64)
		}
		problem := ""
		switch {
		case !ok || err != nil:
		case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
			problem = "not a finite number of zero or more"
		case (f.Name == "alpha" || f.Name == "tail-alpha") && (v == 0 || v >= 1):
			problem = "a significance lies between 0 and 1"
		case f.Name == "effect" && (v < 0.5 || v > 1):
			problem = "an effect size A lies from 0.5 (none) to 1 (every sample)"
		}
		if problem != "" {
			err = cli.Usagef("gate: --%s %v: %s (hint: the default is %s; gate -h says what each threshold means)", f.Name, v, problem, f.DefValue)
		}
	})
	return err
}

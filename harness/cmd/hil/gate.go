package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/picohil/picohil/harness/report"
)

// errRegressed is the gate's verdict; main prints it and exits 1.
var errRegressed = errors.New("gate: regression")

func runGate(args []string, w io.Writer) error {
	th := report.DefaultThresholds
	fs := flag.NewFlagSet("gate", flag.ContinueOnError)
	baseline := fs.String("baseline", "", "baseline report (firmware/baselines/<version>.json)")
	current := fs.String("current", "out/hil/report.json", "report of the run under test")
	fs.Float64Var(&th.RTTP99, "rtt-p99", th.RTTP99, "allowed rise of echo.rtt.1B p99, %")
	fs.Float64Var(&th.HalfPeriod, "half-period", th.HalfPeriod, "allowed shift of a blink half-period mean, %")
	fs.Float64Var(&th.Baud, "baud", th.Baud, "allowed growth of an effective-baud error, percentage points")
	fs.Float64Var(&th.Alpha, "alpha", th.Alpha, "significance a series shift must reach (Mann-Whitney U)")
	fs.Float64Var(&th.Effect, "effect", th.Effect, "effect size A a series shift must reach (0.5 = none, 1 = every sample)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *baseline == "" {
		return errors.New("gate: --baseline is required (hint: ls firmware/baselines)")
	}
	base, err := report.Read(*baseline)
	if err != nil {
		return err
	}
	cur, err := report.Read(*current)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "gate: baseline %s (%s), current %s (%s)\n", *baseline, orUnknown(base.Firmware), *current, orUnknown(cur.Firmware))
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
		return "firmware unknown"
	}
	return s
}

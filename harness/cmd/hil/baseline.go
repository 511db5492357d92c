package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/report"
)

// runBaseline promotes a passing report to a baseline for the gate.
func runBaseline(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	from := fs.String("from", "out/hil/report.json", "report to promote")
	out := fs.String("out", "", "baseline to write (firmware/baselines/<version>.json)")
	fixture := fs.Bool("fixture", false, "accept a run on a fixture (virtual, micropython) as the baseline")
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	if *out == "" {
		return cli.Usagef("baseline: --out is required (hint: firmware/baselines/<the firmware's version>.json)")
	}
	if err := readable("baseline", "--from", *from, reportHint); err != nil {
		return err
	}
	r, err := report.Read(*from)
	if err != nil {
		return err
	}
	if r.Fixture && !*fixture {
		return fmt.Errorf("baseline: %s ran on the %s fixture, not a Pico; a firmware baseline comes from a bench (hint: --fixture if a fixture baseline is meant)", *from, r.Target)
	}
	if failed := r.Failed(); !r.Pass || r.Interrupted || len(failed) > 0 {
		return fmt.Errorf("baseline: %s is not a passing run (%d specs failed: %s); a baseline must pass", *from, len(failed), strings.Join(failed, "; "))
	}
	if err := report.Write(*out, r); err != nil {
		return err
	}
	fmt.Fprintf(w, "baseline: %s (%s, %s) promoted to %s\n", *from, orUnknown(r.Firmware), r.Target, *out)
	return nil
}

package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/farm/blame"
	"github.com/picohil/picohil/harness/report"
)

// ExitBench is hil verdict's exit status for a run that failed on the
// bench: 1 stays the firmware's, 2 a usage error (harness/cli).
const ExitBench = 3

// verdictError is a failed run, with whose failure it is.
type verdictError struct {
	r    report.Report
	path string
}

func (e *verdictError) Error() string {
	failed := e.r.Failed()
	specs := ""
	if len(failed) > 0 {
		specs = fmt.Sprintf("; %d specs failed: %s", len(failed), strings.Join(failed, "; "))
	}
	if e.r.Blame == blame.Bench {
		return fmt.Sprintf("verdict: %s failed on the bench (%s), not the firmware%s (hint: rerun on another, healthy bench; `hil health` checks this one)", e.path, e.r.BenchCause, specs)
	}
	return fmt.Sprintf("verdict: %s failed: the firmware's failure%s", e.path, specs)
}

// ExitStatus tells a bench failure (ExitBench) from the firmware's (1).
func (e *verdictError) ExitStatus() int {
	if e.r.Blame == blame.Bench {
		return ExitBench
	}
	return 1
}

// runVerdict is hil verdict: whose failure a run's report is, as a line
// and an exit status a workflow branches on.
func runVerdict(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("verdict", flag.ContinueOnError)
	path := fs.String("report", filepath.Join(cmp.Or(os.Getenv("HIL_OUT"), "out/hil"), "report.json"), "the run's report (default $HIL_OUT/report.json)")
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	r, err := report.Read(*path)
	if err != nil {
		return err
	}
	if r.Pass {
		fmt.Fprintf(w, "verdict: %s passed\n", *path)
		return nil
	}
	blame.Classify(&r) // a report from before the classification, or edited by hand
	return &verdictError{r, *path}
}

// benchFailed refuses to gate a run that failed on the bench: its specs
// say nothing of the firmware, so the gate did not compare it (exit 2).
func benchFailed(path string, r report.Report) error {
	if r.Pass || r.Blame != blame.Bench {
		return nil
	}
	return notCompared(fmt.Sprintf("gate: not compared: %s failed on the bench (%s), not the firmware (hint: rerun the suite on a healthy bench, then gate that run)", path, r.BenchCause))
}

// notCompared is a gate that did not compare: exit 2, as for unlike runs.
type notCompared string

func (e notCompared) Error() string   { return string(e) }
func (e notCompared) ExitStatus() int { return 2 }

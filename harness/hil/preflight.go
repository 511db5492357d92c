package hil

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/target/preflight"
)

// preflightEntry names the report entry that carries the checks from
// BeforeSuite to report.json.
const preflightEntry = "preflight"

// checkList prints as the console lines of preflight.Format.
type checkList []report.Check

func (l checkList) String() string { return strings.TrimRight(preflight.Format(l), "\n") }

// preflight checks the opened bench before any spec (harness/target/preflight):
// a failed check stops the suite with its explanation, after a power cycle
// and a second try where the bench has a switch; a warning is printed and
// reported.
func (r *Rig) preflight(ctx context.Context) {
	ginkgo.GinkgoHelper()
	plan := health.PreflightPlan(r.Bench, Reply, r.opts.Trip)
	pctx, cancel := context.WithTimeout(ctx, r.opts.Preflight)
	defer cancel()
	checks := checkList(preflight.Run(pctx, plan))
	if r.preflightRecovered(ctx, preflight.Select(checks, report.CheckFail)) {
		again, cancel := context.WithTimeout(ctx, r.opts.Preflight)
		defer cancel()
		checks = checkList(preflight.Run(again, plan))
	}
	for i := range checks {
		checks[i].Bench = r.Bench.BenchID
	}
	visibility := ginkgo.ReportEntryVisibilityFailureOrVerbose
	if len(preflight.Select(checks, report.CheckWarn)) > 0 {
		visibility = ginkgo.ReportEntryVisibilityAlways
	}
	ginkgo.AddReportEntry(preflightEntry, checks, visibility)
	var expected, seen, hints []string
	for _, c := range preflight.Select(checks, report.CheckFail) {
		expected = append(expected, c.Name+": "+c.Expected)
		seen = append(seen, c.Name+": "+c.Detail)
		hints = append(hints, c.Name+": "+c.Hint)
	}
	if len(expected) > 0 {
		notePreflightCause(preflight.Select(checks, report.CheckFail))
		ginkgo.Fail(Explain("preflight: "+strings.Join(expected, "\n          "), strings.Join(seen, "\n          "),
			strings.Join(hints, "\n          ")+"\n          all checks:\n"+checks.String()))
	}
}

// preflightOf recovers the checks of every BeforeSuite run (one per
// parallel process), whether made here or serialised from another process.
func preflightOf(r ginkgo.Report) []report.Check {
	out := []report.Check{}
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeBeforeSuite {
			continue
		}
		for _, e := range s.ReportEntries {
			if e.Name != preflightEntry {
				continue
			}
			if l, ok := e.GetRawValue().(checkList); ok {
				out = append(out, l...)
				continue
			}
			var l []report.Check
			if err := json.Unmarshal([]byte(e.Value.AsJSON), &l); err == nil {
				out = append(out, l...)
			}
		}
	}
	return out
}

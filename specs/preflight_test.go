package specs

import (
	"context"
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/target/bench"
	"github.com/picohil/picohil/harness/target/preflight"
)

// preflightEntry names the report entry that carries the checks from
// BeforeSuite to report.json.
const preflightEntry = "preflight"

// checkList prints as the console lines of preflight.Format.
type checkList []report.Check

func (l checkList) String() string { return strings.TrimRight(preflight.Format(l), "\n") }

// runPreflight checks the opened bench before any spec: a failed check
// stops the suite with its explanation, a warning is printed and reported.
func runPreflight(ctx context.Context, b *bench.Bench) {
	GinkgoHelper()
	plan := health.PreflightPlan(b, timeouts.Reply, timeouts.PerTrip)
	pctx, cancel := context.WithTimeout(ctx, timeouts.Preflight)
	defer cancel()
	checks := checkList(preflight.Run(pctx, plan))
	if preflightRecovered(ctx, b, preflight.Select(checks, report.CheckFail)) {
		again, cancel := context.WithTimeout(ctx, timeouts.Preflight)
		defer cancel()
		checks = checkList(preflight.Run(again, plan))
	}
	for i := range checks {
		checks[i].Bench = b.BenchID
	}
	visibility := ReportEntryVisibilityFailureOrVerbose
	if len(preflight.Select(checks, report.CheckWarn)) > 0 {
		visibility = ReportEntryVisibilityAlways
	}
	AddReportEntry(preflightEntry, checks, visibility)
	var expected, seen, hints []string
	for _, c := range preflight.Select(checks, report.CheckFail) {
		expected = append(expected, c.Name+": "+c.Expected)
		seen = append(seen, c.Name+": "+c.Detail)
		hints = append(hints, c.Name+": "+c.Hint)
	}
	if len(expected) > 0 {
		notePreflightCause(preflight.Select(checks, report.CheckFail))
		Fail(hil.Explain("preflight: "+strings.Join(expected, "\n          "), strings.Join(seen, "\n          "),
			strings.Join(hints, "\n          ")+"\n          all checks:\n"+checks.String()))
	}
}

// preflightOf recovers the checks of every BeforeSuite run (one per
// parallel process), whether made here or serialised from another process.
func preflightOf(r Report) []report.Check {
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

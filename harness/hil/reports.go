package hil

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/farm/blame"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/support/repo"
	"github.com/picohil/picohil/harness/target"
)

// OutDir is where the reports go: HIL_OUT, else out/hil at the root of
// the picohil tree the suite runs in, or in the working directory of a
// suite outside it.
func OutDir() string {
	if d := os.Getenv("HIL_OUT"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	if root, ok := repo.Root(dir); ok {
		dir = root
	}
	return filepath.Join(dir, "out", "hil")
}

// WriteReports writes the run's report.json, report.html and junit.xml to
// OutDir, saying where on the GinkgoWriter. Call it from
// ReportAfterSuite: it runs also when the suite failed or was
// interrupted.
func WriteReports(r ginkgo.Report) {
	WriteReport(ReportOf(r), ginkgo.GinkgoWriter.Printf)
	WriteJUnit(JUnitOf(r, nil), ginkgo.GinkgoWriter.Printf)
}

// ReportOf is report.json's content for a run: RunOf, the firmware the
// rig met, and every spec (SpecOf).
func ReportOf(r ginkgo.Report) report.Report {
	out := RunOf(r)
	if rig != nil && rig.Bench != nil {
		out.Bench, out.Platform = rig.Bench.Describe(), rig.Platform
		if rig.Firmware.Name != "" {
			out.Firmware = rig.Firmware.String()
			out.FirmwareName, out.FirmwareVersion = rig.Firmware.Name, rig.Firmware.Semver
		}
	}
	for _, s := range r.SpecReports {
		if name, ok := SpecName(s); ok {
			out.Specs = append(out.Specs, SpecOf(s, name))
		}
	}
	return out
}

// RunOf is what report.json says of a run besides its firmware and its
// specs: the bench's settings, the host, the target and why, the command
// that reruns it, when and how it ended.
func RunOf(r ginkgo.Report) report.Report {
	host := report.ProbeHost()
	return report.Report{
		Schema:    report.Schema,
		BenchID:   cmp.Or(cfg.BenchID, report.BenchID(os.Getenv, host)),
		Host:      host,
		Target:    cfg.Target,
		Fixture:   target.IsFixture(cfg.Driver()),
		Model:     target.ModelOf(cfg.Driver()),
		Reason:    cfg.Reason,
		StandIn:   cfg.StandIn,
		Faults:    cmp.Or(cfg.Faults, "none"),
		Reproduce: strings.TrimSpace(cfg.Reproduce() + " " + suite.Command + SeedArg(r.SuiteConfig.RandomSeed)),
		SpecSeed:  r.SuiteConfig.RandomSeed,

		HarnessVersion: report.HarnessVersion(),
		Settings: report.Settings{
			Baud: cfg.Baud, Bauds: cfg.Bauds, BlinkHalfMs: ms(cfg.BlinkHalf),
			TurnaroundMs: ms(cfg.Turnaround), JitterMs: ms(cfg.JitterTol),
		},
		Started:   r.StartTime,
		Finished:  r.EndTime,
		Pass:      r.SuiteSucceeded,
		Preflight: []report.Check{},
		Interrupted: slices.ContainsFunc(r.SpecialSuiteFailureReasons, func(s string) bool {
			return strings.Contains(s, "Interrupted") || strings.Contains(s, "Timeout")
		}),
	}
}

// SpecName is the name a spec report has in report.json, false for one
// that is no row of it: every It by its full text, and a setup or
// teardown node that failed by its kind.
func SpecName(s types.SpecReport) (string, bool) {
	switch {
	case s.LeafNodeType == types.NodeTypeIt:
		return s.FullText(), true
	case s.State.Is(types.SpecStateFailureStates):
		return s.LeafNodeType.String(), true
	}
	return "", false
}

// SpecOf is one spec of report.json, named name: its state (inconclusive
// where the host was too late to judge it), its failure with the bench's
// cause or why it skipped, whose clock timed it, and the measurements and
// timelines it recorded.
func SpecOf(s types.SpecReport, name string) report.Spec {
	spec := report.Spec{
		Name:         name,
		Labels:       s.Labels(),
		State:        s.State.String(),
		DurationMs:   float64(s.RunTime.Microseconds()) / 1000,
		Measurements: []stats.Measurement{},
	}
	if s.State.Is(types.SpecStateFailureStates) {
		spec.Failure = s.Failure.Message
		spec.Location = s.Failure.Location.String()
		spec.Cause = causeOf(s)
	}
	if s.State == types.SpecStateSkipped {
		spec.SkipReason = s.Failure.Message
	}
	for _, e := range s.ReportEntries {
		switch e.Name {
		case report.InconclusiveEntry:
			if s.State == types.SpecStateFailed {
				spec.State = report.Inconclusive
			}
		case report.HostLateEntry:
			n, _ := strconv.Atoi(e.Value.String())
			spec.HostLate += n
		case report.ClockEntry:
			spec.Clock = e.Value.String()
		}
		if m, ok := EntryAs(e, isMeasurement); ok {
			spec.Measurements = append(spec.Measurements, m)
		}
		if t, ok := EntryAs(e, isTrace); ok {
			spec.Traces = append(spec.Traces, t)
		}
	}
	return spec
}

// BenchCauseEntry names the report entry a failure of the bench's leaves
// (harness/farm/blame): the first one names the spec's cause.
const BenchCauseEntry = "bench_cause"

// NoteBenchCause records err's cause on the running spec when err is
// known to be the bench's (harness/farm/blame); ExpectNoError does it.
func NoteBenchCause(err error) {
	if c := blame.Cause(err); c != "" {
		ginkgo.AddReportEntry(BenchCauseEntry, c, ginkgo.ReportEntryVisibilityFailureOrVerbose)
	}
}

// causeOf is the bench's cause a spec recorded, "" when none.
func causeOf(s types.SpecReport) string {
	for _, e := range s.ReportEntries {
		if e.Name == BenchCauseEntry {
			return strings.Trim(e.Value.String(), `"`)
		}
	}
	return ""
}

// blameEntries are a failed spec's blame and cause, as JUnit properties.
func blameEntries(s types.SpecReport) types.ReportEntries {
	whose, why := blame.Spec(s.State.String(), causeOf(s))
	if whose == "" {
		return nil
	}
	entry := func(name, v string) types.ReportEntry {
		return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v), Time: s.EndTime, Location: s.LeafNodeLocation}
	}
	out := types.ReportEntries{entry("blame", whose)}
	if why != "" {
		out = append(out, entry("cause", why))
	}
	return out
}

// JUnitOf is the run as JUnit readers want it: each measurement a
// property of its test case (value, unit, limits, pass, summary) without
// its raw series, no timelines (both stay in report.json), and a failed
// spec's blame and cause as properties. drop, where given, leaves out
// other entries too.
func JUnitOf(r ginkgo.Report, drop func(types.ReportEntry) bool) ginkgo.Report {
	specs := make(types.SpecReports, len(r.SpecReports))
	for i, s := range r.SpecReports {
		var entries types.ReportEntries
		for _, e := range s.ReportEntries {
			if _, ok := EntryAs(e, isTrace); ok || (drop != nil && drop(e)) {
				continue
			}
			if m, ok := EntryAs(e, isMeasurement); ok {
				m.Series = nil
				e.Value = types.WrapEntryValue(m)
			}
			entries = append(entries, e)
		}
		s.ReportEntries = append(entries, blameEntries(s)...)
		specs[i] = s
	}
	r.SpecReports = specs
	return r
}

// WriteJUnit writes r (JUnitOf) as junit.xml to OutDir, each spec the
// host was too late to judge a test case of status inconclusive.
func WriteJUnit(r ginkgo.Report, printf func(string, ...any)) {
	path := filepath.Join(OutDir(), "junit.xml")
	if err := reporters.GenerateJUnitReportWithConfig(r, path, reporters.JunitReportConfig{
		OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped,
	}); err != nil {
		printf("picohil: junit: %v\n", err)
		return
	}
	if err := report.MarkInconclusiveJUnit(path); err != nil {
		printf("picohil: junit: %v\n", err)
	}
}

// WriteReport writes out, its failures classified (harness/farm/blame), as
// report.json and report.html to OutDir, telling printf where each went
// or why not.
func WriteReport(out report.Report, printf func(string, ...any)) {
	blame.Classify(&out)
	for _, w := range []struct {
		name  string
		write func(string, report.Report) error
	}{{"report.json", report.Write}, {"report.html", report.WriteHTML}} {
		path := filepath.Join(OutDir(), w.name)
		if err := w.write(path, out); err != nil {
			printf("picohil: %v\n", err)
			continue
		}
		printf("picohil: wrote %s\n", path)
	}
}

// WriteStopped writes the reports of a run that stopped before any spec,
// saying why.
func WriteStopped(why error) {
	now := time.Now()
	host := report.ProbeHost()
	WriteReport(report.Report{
		Schema:     report.Schema,
		BenchID:    cmp.Or(cfg.BenchID, report.BenchID(os.Getenv, host)),
		Host:       host,
		Target:     cfg.Target,
		Reason:     cfg.Reason,
		Stopped:    why.Error(),
		BenchCause: blame.Cause(why),
		Faults:     cmp.Or(cfg.Faults, "none"),
		Reproduce:  strings.TrimSpace(cfg.Reproduce() + " " + suite.Command),
		Started:    now,
		Finished:   now,
		Specs:      []report.Spec{},
	}, func(f string, a ...any) { fmt.Fprintf(os.Stderr, f, a...) })
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func isMeasurement(m stats.Measurement) bool { return m.Name != "" && m.Unit != "" }
func isTrace(t stats.Trace) bool             { return t.Name != "" && len(t.Columns) > 0 }

// EntryAs recovers a value of type T from a report entry, whether it was
// made in this process or arrived serialised from another (ginkgo -p);
// valid tells a T from another type's JSON.
func EntryAs[T any](e types.ReportEntry, valid func(T) bool) (T, bool) {
	if v, ok := e.GetRawValue().(T); ok {
		return v, true
	}
	var v T
	if err := json.Unmarshal([]byte(e.Value.AsJSON), &v); err != nil || !valid(v) {
		return v, false
	}
	return v, true
}

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

// The reports are written after the suite, also when it was interrupted
// or failed.
var _ = ginkgo.ReportAfterSuite("report.json, report.html, junit.xml", writeReports)

// writeReports writes the run's report.json, report.html and junit.xml to
// OutDir, saying where on the GinkgoWriter.
func writeReports(r ginkgo.Report) {
	out := reportOf(r)
	if out.Stopped != "" {
		fmt.Fprintf(os.Stderr, "\npicohil: %s\n", out.Stopped)
	}
	writeReport(out, ginkgo.GinkgoWriter.Printf)
	j := junitOf(r, func(e types.ReportEntry) bool { return e.Name == evidenceEntry })
	for i, s := range r.SpecReports {
		j.SpecReports[i].CapturedStdOutErr += evidenceText(s)
	}
	writeJUnit(j, ginkgo.GinkgoWriter.Printf)
}

// reportOf is report.json's content for a run: runOf, the benches its
// specs ran on, the firmware the rig met, the setup's console lines and
// preflight, why a run that selected no spec failed, a device's death,
// and every spec (specOf) with its evidence.
func reportOf(r ginkgo.Report) report.Report {
	out := runOf(r)
	out.BenchID = cmp.Or(benchIDs(r), report.BenchID(os.Getenv, out.Host))
	out.Console = setupConsole
	out.Preflight = preflightOf(r)
	if why := selectedNone(r); why != "" {
		out.Pass, out.Stopped = false, why
	}
	if rig != nil {
		out.FirmwareName, out.FirmwareVersion, out.Platform = rig.Firmware.Name, rig.Firmware.Semver, rig.Platform
		if rig.Firmware.Name != "" {
			out.Firmware = rig.Firmware.String()
		}
		if rig.Bench != nil {
			out.Bench = rig.Bench.Describe()
		}
	}
	if err := died(); err != nil {
		out.DeviceError = err.Error()
	}
	for _, s := range r.SpecReports {
		if name, ok := specName(s); ok {
			spec := specOf(s, name)
			ev, _ := evidenceOf(s)
			spec.Console, spec.Data = ev.Console, ev.Data
			for _, e := range s.ReportEntries {
				if e.Name == deviceStopped {
					spec.Failure += "\n" + deviceStopped + ": " + e.Value.String()
				}
			}
			out.Specs = append(out.Specs, spec)
		}
	}
	return out
}

// runOf is what report.json says of a run besides its firmware and its
// specs: the bench's settings, the host, the target and why, the command
// that reruns it, when and how it ended.
func runOf(r ginkgo.Report) report.Report {
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
		Reproduce: strings.TrimSpace(cfg.Reproduce() + " " + suite.Command + seedArg(r.SuiteConfig.RandomSeed)),
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

// specName is the name a spec report has in report.json, false for one
// that is no row of it: every It by its full text, and a setup or
// teardown node that failed by its kind.
func specName(s types.SpecReport) (string, bool) {
	switch {
	case s.LeafNodeType == types.NodeTypeIt:
		return s.FullText(), true
	case s.State.Is(types.SpecStateFailureStates):
		return s.LeafNodeType.String(), true
	}
	return "", false
}

// specOf is one spec of report.json, named name: its state (inconclusive
// where the host was too late to judge it), its failure with the bench's
// cause or why it skipped, whose clock timed it, and the measurements and
// timelines it recorded.
func specOf(s types.SpecReport, name string) report.Spec {
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
		if m, ok := entryAs(e, isMeasurement); ok {
			spec.Measurements = append(spec.Measurements, m)
		}
		if t, ok := entryAs(e, isTrace); ok {
			spec.Traces = append(spec.Traces, t)
		}
	}
	return spec
}

// benchCauseEntry names the report entry a failure of the bench's leaves
// (harness/farm/blame): the first one names the spec's cause.
const benchCauseEntry = "bench_cause"

// noteBenchCause records err's cause on the running spec when err is
// known to be the bench's (harness/farm/blame); ExpectNoError does it.
func noteBenchCause(err error) {
	if c := blame.Cause(err); c != "" {
		ginkgo.AddReportEntry(benchCauseEntry, c, ginkgo.ReportEntryVisibilityFailureOrVerbose)
	}
}

// causeOf is the bench's cause a spec recorded, "" when none.
func causeOf(s types.SpecReport) string {
	for _, e := range s.ReportEntries {
		if e.Name == benchCauseEntry {
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

// junitOf is the run as JUnit readers want it: each measurement a
// property of its test case (value, unit, limits, pass, summary) without
// its raw series, no timelines (both stay in report.json), and a failed
// spec's blame and cause as properties. drop, where given, leaves out
// other entries too.
func junitOf(r ginkgo.Report, drop func(types.ReportEntry) bool) ginkgo.Report {
	specs := make(types.SpecReports, len(r.SpecReports))
	for i, s := range r.SpecReports {
		var entries types.ReportEntries
		for _, e := range s.ReportEntries {
			if _, ok := entryAs(e, isTrace); ok || (drop != nil && drop(e)) {
				continue
			}
			if m, ok := entryAs(e, isMeasurement); ok {
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

// writeJUnit writes r (junitOf) as junit.xml to OutDir, each spec the
// host was too late to judge a test case of status inconclusive.
func writeJUnit(r ginkgo.Report, printf func(string, ...any)) {
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

// writeReport writes out, its failures classified (harness/farm/blame), as
// report.json and report.html to OutDir, telling printf where each went
// or why not.
func writeReport(out report.Report, printf func(string, ...any)) {
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

// writeStopped writes the reports of a run that stopped before any spec,
// saying why.
func writeStopped(why error) {
	now := time.Now()
	host := report.ProbeHost()
	writeReport(report.Report{
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

// entryAs recovers a value of type T from a report entry, whether it was
// made in this process or arrived serialised from another (ginkgo -p);
// valid tells a T from another type's JSON.
func entryAs[T any](e types.ReportEntry, valid func(T) bool) (T, bool) {
	if v, ok := e.GetRawValue().(T); ok {
		return v, true
	}
	var v T
	if err := json.Unmarshal([]byte(e.Value.AsJSON), &v); err != nil || !valid(v) {
		return v, false
	}
	return v, true
}

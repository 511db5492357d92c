package hil

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/repo"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/stats"
)

// OutDir is where the reports go: HIL_OUT, else out/hil at the root of
// the module the suite runs in.
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
	Write(ReportOf(r), r, ginkgo.GinkgoWriter.Printf)
}

// ReportOf is report.json's content for a run: the bench, the firmware
// the rig met, and every spec with its measurements and timelines.
func ReportOf(r ginkgo.Report) report.Report {
	host := report.ProbeHost()
	out := report.Report{
		Schema:    report.Schema,
		BenchID:   cmp.Or(cfg.BenchID, report.BenchID(os.Getenv, host)),
		Host:      host,
		Target:    cfg.Target,
		Fixture:   cfg.Driver().Fixture,
		Model:     cfg.Driver().Model,
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
	if rig != nil {
		out.Bench, out.Platform = rig.Bench.Describe(), rig.Platform
		if rig.Firmware.Name != "" {
			out.Firmware = rig.Firmware.String()
			out.FirmwareName, out.FirmwareVersion = rig.Firmware.Name, rig.Firmware.Semver
		}
	}
	for _, s := range r.SpecReports {
		switch {
		case s.LeafNodeType == types.NodeTypeIt:
			out.Specs = append(out.Specs, SpecOf(s, s.FullText()))
		case s.State.Is(types.SpecStateFailureStates):
			// A failed setup or teardown node is a row of its own.
			out.Specs = append(out.Specs, SpecOf(s, s.LeafNodeType.String()))
		}
	}
	return out
}

// SpecOf is one spec of report.json, named name: its state, its failure
// or why it skipped, and the measurements and timelines it recorded.
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
	}
	if s.State == types.SpecStateSkipped {
		spec.SkipReason = s.Failure.Message
	}
	for _, e := range s.ReportEntries {
		if m, ok := EntryAs(e, isMeasurement); ok {
			spec.Measurements = append(spec.Measurements, m)
		}
		if t, ok := EntryAs(e, isTrace); ok {
			spec.Traces = append(spec.Traces, t)
		}
	}
	return spec
}

// JUnitOf is the run as JUnit readers want it: each measurement a
// property of its test case (value, unit, limits, pass, summary) without
// its raw series, and no timelines; both stay in report.json. Entries
// drop leaves out other entries too.
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
		s.ReportEntries = entries
		specs[i] = s
	}
	r.SpecReports = specs
	return r
}

// Write writes out as report.json and report.html, and junit as
// junit.xml, to OutDir, telling printf where each went or why not.
func Write(out report.Report, junit ginkgo.Report, printf func(string, ...any)) {
	WriteReport(out, printf)
	path := filepath.Join(OutDir(), "junit.xml")
	if err := reporters.GenerateJUnitReportWithConfig(JUnitOf(junit, nil), path, reporters.JunitReportConfig{
		OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped,
	}); err != nil {
		printf("picohil: junit: %v\n", err)
	}
}

// WriteReport writes out as report.json and report.html to OutDir.
func WriteReport(out report.Report, printf func(string, ...any)) {
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
		Schema:    report.Schema,
		BenchID:   cmp.Or(cfg.BenchID, report.BenchID(os.Getenv, host)),
		Host:      host,
		Target:    cfg.Target,
		Reason:    cfg.Reason,
		Stopped:   why.Error(),
		Faults:    cmp.Or(cfg.Faults, "none"),
		Reproduce: strings.TrimSpace(cfg.Reproduce() + " " + suite.Command),
		Started:   now,
		Finished:  now,
		Specs:     []report.Spec{},
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

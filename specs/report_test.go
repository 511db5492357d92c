package specs

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

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/blame"
	"github.com/picohil/picohil/harness/repo"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/stats"
)

// outDir is where report.json goes: HIL_OUT, else out/hil at the module root.
func outDir() string {
	if d := os.Getenv("HIL_OUT"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	if root, ok := repo.Root(dir); ok {
		dir = root
	}
	return filepath.Join(dir, "out", "hil")
}

// The report is written after the suite, also when it was interrupted.
var _ = ReportAfterSuite("report.json, report.html, junit.xml", func(r Report) {
	host := report.ProbeHost()
	out := report.Report{
		Schema:    report.Schema,
		BenchID:   cmp.Or(benchIDs(r), report.BenchID(os.Getenv, host)),
		Host:      host,
		Target:    cfg.Target,
		Fixture:   cfg.Driver().Fixture,
		Model:     cfg.Driver().Model,
		Reason:    cfg.Reason,
		StandIn:   cfg.StandIn,
		Faults:    cmp.Or(cfg.Faults, "none"),
		Reproduce: cfg.Reproduce() + " make hil" + seedArg(r.SuiteConfig.RandomSeed),
		SpecSeed:  r.SuiteConfig.RandomSeed,

		FirmwareName:    rig.firmware.Name,
		FirmwareVersion: rig.firmware.Semver,
		Platform:        rig.platform,
		HarnessVersion:  report.HarnessVersion(),
		Settings: report.Settings{
			Baud: cfg.Baud, Bauds: cfg.Bauds, BlinkHalfMs: ms(cfg.BlinkHalf),
			TurnaroundMs: ms(cfg.Turnaround), JitterMs: ms(cfg.JitterTol),
		},
		Console:   setupConsole,
		Started:   r.StartTime,
		Finished:  r.EndTime,
		Pass:      r.SuiteSucceeded,
		Preflight: preflightOf(r),
		Interrupted: slices.ContainsFunc(r.SpecialSuiteFailureReasons, func(s string) bool {
			return strings.Contains(s, "Interrupted") || strings.Contains(s, "Timeout")
		}),
	}
	if why := selectedNone(r); why != "" {
		out.Pass, out.Stopped = false, why
		fmt.Fprintf(os.Stderr, "\npicohil: %s\n", why)
	}
	if rig.firmware.Name != "" {
		out.Firmware = rig.firmware.String()
	}
	if rig.bench != nil {
		out.Bench = rig.bench.Describe()
	}
	if err := died(); err != nil {
		out.DeviceError = err.Error()
	}
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			if s.State.Is(types.SpecStateFailureStates) {
				out.Specs = append(out.Specs, specOf(s, s.LeafNodeType.String()))
			}
			continue
		}
		out.Specs = append(out.Specs, specOf(s, s.FullText()))
	}
	writeReports(out, GinkgoWriter.Printf)
	path := filepath.Join(outDir(), "junit.xml")
	if err := reporters.GenerateJUnitReportWithConfig(junitOf(r), path, reporters.JunitReportConfig{
		OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped,
	}); err != nil {
		GinkgoWriter.Printf("picohil: junit: %v\n", err)
	}
	if err := report.MarkInconclusiveJUnit(path); err != nil {
		GinkgoWriter.Printf("picohil: junit: %v\n", err)
	}
})

// standInBanner is printed when the simulation stands in for hardware.
const standInBanner = "picohil: *** NO HARDWARE IS TESTED: the virtual Pico stands in, as nothing names a port or pin (set HIL_SERIAL, or a bench profile, to test a Pico) ***"

// writeReports writes report.json and report.html, telling printf where.
func writeReports(out report.Report, printf func(string, ...any)) {
	blame.Classify(&out)
	for _, w := range []struct {
		name  string
		write func(string, report.Report) error
	}{{"report.json", report.Write}, {"report.html", report.WriteHTML}} {
		path := filepath.Join(outDir(), w.name)
		if err := w.write(path, out); err != nil {
			printf("picohil: %v\n", err)
			continue
		}
		printf("picohil: wrote %s\n", path)
	}
}

// stopped writes the reports of a run that stopped before any spec ran,
// with why.
func stopped(why error) {
	now := time.Now()
	host := report.ProbeHost()
	writeReports(report.Report{
		Schema:     report.Schema,
		BenchID:    cmp.Or(cfg.BenchID, report.BenchID(os.Getenv, host)),
		Host:       host,
		Target:     cfg.Target,
		Reason:     cfg.Reason,
		Stopped:    why.Error(),
		BenchCause: blame.Cause(why),
		Faults:     cmp.Or(cfg.Faults, "none"),
		Reproduce:  cfg.Reproduce() + " make hil",
		Started:    now,
		Finished:   now,
		Specs:      []report.Spec{},
	}, func(f string, a ...any) { fmt.Fprintf(os.Stderr, f, a...) })
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func validMeasurement(m stats.Measurement) bool { return m.Name != "" && m.Unit != "" }
func validTrace(t stats.Trace) bool             { return t.Name != "" && len(t.Columns) > 0 }

// junitOf is the suite report as JUnit readers want it: each measurement a
// property of its test case (value, unit, limits, pass, summary) without
// the raw series, which stay in report.json with the traces; the spec's
// control-channel lines, and the data bytes about a failure, in its
// system-out.
func junitOf(r Report) Report {
	specs := make(types.SpecReports, len(r.SpecReports))
	for i, s := range r.SpecReports {
		var entries types.ReportEntries
		for _, e := range s.ReportEntries {
			if _, ok := entryAs(e, validTrace); ok || e.Name == evidenceEntry {
				continue // the traces stay in report.json; the evidence goes to system-out
			}
			if m, ok := entryAs(e, validMeasurement); ok {
				m.Series = nil
				e.Value = types.WrapEntryValue(m)
			}
			entries = append(entries, e)
		}
		s.CapturedStdOutErr += evidenceText(s)
		s.ReportEntries = append(entries, blameEntries(s)...)
		specs[i] = s
	}
	r.SpecReports = specs
	return r
}

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
	ev, _ := evidenceOf(s)
	spec.Console, spec.Data = ev.Console, ev.Data
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
		if m, ok := entryAs(e, validMeasurement); ok {
			spec.Measurements = append(spec.Measurements, m)
		}
		if t, ok := entryAs(e, validTrace); ok {
			spec.Traces = append(spec.Traces, t)
		}
		if e.Name == deviceStopped {
			spec.Failure += "\n" + deviceStopped + ": " + e.Value.String()
		}
	}
	return spec
}

// entryAs recovers a value of type T from a report entry, whether it was
// made in this process or arrived serialised from another; valid tells a T
// from another type's JSON.
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

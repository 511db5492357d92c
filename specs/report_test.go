package specs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/stats"
)

// outDir is where report.json goes: HIL_OUT, else out/hil at the module root.
func outDir() string {
	if d := os.Getenv("HIL_OUT"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "out", "hil")
		}
	}
	return filepath.Join(dir, "out", "hil")
}

// The report is written after the suite, also when it was interrupted.
var _ = ReportAfterSuite("report.json", func(r Report) {
	host := report.ProbeHost()
	out := report.Report{
		Schema:    report.Schema,
		BenchID:   report.BenchID(os.Getenv, host),
		Host:      host,
		Target:    cfg.Target,
		Reason:    cfg.Reason,
		Faults:    cfg.Faults.String(),
		Firmware:  rig.firmware,
		Reproduce: cfg.Reproduce() + " make hil",
		Started:   r.StartTime,
		Finished:  r.EndTime,
		Pass:      r.SuiteSucceeded,
		Interrupted: slices.ContainsFunc(r.SpecialSuiteFailureReasons, func(s string) bool {
			return strings.Contains(s, "Interrupted") || strings.Contains(s, "Timeout")
		}),
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
	for _, w := range []struct {
		name  string
		write func(string, report.Report) error
	}{{"report.json", report.Write}, {"report.html", report.WriteHTML}} {
		path := filepath.Join(outDir(), w.name)
		if err := w.write(path, out); err != nil {
			GinkgoWriter.Printf("picohil: %v\n", err)
			continue
		}
		GinkgoWriter.Printf("picohil: wrote %s\n", path)
	}
})

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
	}
	for _, e := range s.ReportEntries {
		if m, ok := measurementOf(e); ok {
			spec.Measurements = append(spec.Measurements, m)
		}
		if e.Name == deviceStopped {
			spec.Failure += "\n" + deviceStopped + ": " + e.Value.String()
		}
	}
	return spec
}

// measurementOf recovers a stats.Measurement from a report entry, whether
// it was made in this process or arrived serialised from another.
func measurementOf(e types.ReportEntry) (stats.Measurement, bool) {
	if m, ok := e.GetRawValue().(stats.Measurement); ok {
		return m, true
	}
	var m stats.Measurement
	if err := json.Unmarshal([]byte(e.Value.AsJSON), &m); err != nil || m.Name == "" || m.Unit == "" {
		return m, false
	}
	return m, true
}

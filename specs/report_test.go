package specs

import (
	"cmp"
	"fmt"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/report"
)

// The report is written after the suite, also when it was interrupted.
var _ = ReportAfterSuite("report.json, report.html, junit.xml", func(r Report) {
	out := hil.RunOf(r)
	out.BenchID = cmp.Or(benchIDs(r), report.BenchID(os.Getenv, out.Host))
	out.FirmwareName, out.FirmwareVersion, out.Platform = rig.Firmware.Name, rig.Firmware.Semver, rig.Platform
	out.Console = setupConsole
	out.Preflight = preflightOf(r)
	if why := selectedNone(r); why != "" {
		out.Pass, out.Stopped = false, why
		fmt.Fprintf(os.Stderr, "\npicohil: %s\n", why)
	}
	if rig.Firmware.Name != "" {
		out.Firmware = rig.Firmware.String()
	}
	if rig.Bench != nil {
		out.Bench = rig.Bench.Describe()
	}
	if err := died(); err != nil {
		out.DeviceError = err.Error()
	}
	for _, s := range r.SpecReports {
		if name, ok := hil.SpecName(s); ok {
			out.Specs = append(out.Specs, specOf(s, name))
		}
	}
	hil.WriteReport(out, GinkgoWriter.Printf)
	hil.WriteJUnit(junitOf(r), GinkgoWriter.Printf)
})

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// junitOf is the suite report as JUnit readers want it (hil.JUnitOf),
// with the spec's control-channel lines, and the data bytes about a
// failure, in its system-out.
func junitOf(r Report) Report {
	j := hil.JUnitOf(r, func(e types.ReportEntry) bool { return e.Name == evidenceEntry })
	for i, s := range r.SpecReports {
		j.SpecReports[i].CapturedStdOutErr += evidenceText(s)
	}
	return j
}

// specOf is hil.SpecOf with the spec's evidence and, where the device
// died during it, its last words.
func specOf(s types.SpecReport, name string) report.Spec {
	spec := hil.SpecOf(s, name)
	ev, _ := evidenceOf(s)
	spec.Console, spec.Data = ev.Console, ev.Data
	for _, e := range s.ReportEntries {
		if e.Name == deviceStopped {
			spec.Failure += "\n" + deviceStopped + ": " + e.Value.String()
		}
	}
	return spec
}

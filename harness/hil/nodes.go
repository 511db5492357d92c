package hil

import (
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
)

// The nodes every suite on hil runs, registered when the package loads:
// before each spec, the run's tape marks it (evidence.go) and a device
// that stopped fails it; after it, a port that went missing is blamed
// (farm.go) and the device's last words are kept; after the suite, the
// reports are written (reports.go).

// controlLabel is the label of the specs that need the control protocol:
// they skip where the firmware never spoke it (Options.Silent).
const controlLabel = "control"

// deviceStopped names the report entry that carries a dead device's last
// words (a firmware traceback) into the failure.
const deviceStopped = "device stopped"

// benchEntry names the report entry that tells which bench ran a spec:
// under ginkgo -p each process has its own.
const benchEntry = "bench_id"

func died() error {
	if rig == nil || rig.Bench == nil || rig.Bench.Died == nil {
		return nil
	}
	return rig.Bench.Died()
}

// A device that stopped fails every later spec at once, with its reason;
// a spec that needs the control protocol skips first where the firmware
// never spoke it.
var _ = ginkgo.BeforeEach(func() {
	if rig != nil && rig.Silent != "" && slices.Contains(ginkgo.CurrentSpecReport().Labels(), controlLabel) {
		ginkgo.Skip(rig.Silent)
	}
	if err := died(); err != nil {
		ginkgo.Fail(Explain("the device running", err.Error(), "the firmware crashed: fix the traceback above"))
	}
})

// A failed spec carries the device's traceback if it died during the spec.
var _ = ginkgo.AfterEach(func() {
	if err := died(); err != nil && ginkgo.CurrentSpecReport().Failed() {
		ginkgo.AddReportEntry(deviceStopped, err.Error())
	}
})

var _ = ginkgo.BeforeEach(func() {
	if cfg.BenchID != "" {
		ginkgo.AddReportEntry(benchEntry, cfg.BenchID, ginkgo.ReportEntryVisibilityFailureOrVerbose)
	}
})

// benchIDs lists the benches the specs of a (merged) run ran on, "" if
// none was named.
func benchIDs(r ginkgo.Report) string {
	var ids []string
	for _, s := range r.SpecReports {
		for _, e := range s.ReportEntries {
			if e.Name == benchEntry && !slices.Contains(ids, e.Value.String()) {
				ids = append(ids, e.Value.String())
			}
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}

// Package specs is the picohil HIL suite: echo, baud and blink specs that
// run unchanged against a real Pico or a loopback fixture. The bench comes
// from the bench profile and the environment (see harness/target/bench); `make
// hil` runs it.
package specs

import (
	"errors"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/report/tape"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/target/bench"

	// The fixtures the suite offers besides the hardware targets: each
	// registers itself as a target (see harness/target).
	_ "github.com/picohil/picohil/fixtures/micropython"
	_ "github.com/picohil/picohil/fixtures/rp2040"
	_ "github.com/picohil/picohil/fixtures/virtual"
)

// cfg is the bench (profile and HIL_* environment). Decorators of the
// top-level containers are built at init from bench 1's; bindRun binds
// this process's bench once the flags say which parallel process it is,
// and RunSpecs then builds the spec tree (names, sweep, SpecTimeouts) from
// it. Every process must build the same spec list, so bench.Load refuses
// benches that differ in baud, bauds or blink_half_ms.
var (
	cfg      = hil.Config()
	timeouts = timeoutsFor(cfg)
)

// rig is what BeforeSuite opened; specs read it.
var rig = struct {
	*hil.Rig
	// tape records the lines' traffic for each spec's evidence and, with
	// HIL_RECORD, the run's tape (evidence_test.go).
	tape *tape.Recorder
	// watch is the host's lateness, for a target timed on the host's
	// clock; nil where the target stamps its own device time.
	watch *stall.Watch
}{Rig: &hil.Rig{}}

func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	hil.RunSpecs(t, hil.Suite{Name: "picohil HIL suite", Command: "make hil", Check: bindRun, Admit: takeBench})
}

// bindRun binds this process's bench, once the flags say which parallel
// process it is, before RunSpecs builds the spec tree (names, sweep,
// SpecTimeouts) from it; then loads the scenario files and checks the
// run's other settings.
func bindRun(c bench.Config, loadErr error) error {
	cfg, timeouts = c, timeoutsFor(c)
	var err error
	if loadErr == nil {
		scenarios, err = loadScenarios(cfg.Scenarios)
	}
	return errors.Join(err, runSettings())
}

var _ = BeforeSuite(func(ctx SpecContext) {
	rig.tape = tape.NewRecorder(nil)
	DeferCleanup(rig.tape.Close)
	DeferCleanup(rig.Close)
	hil.ExpectOpened(rig.Open(ctx, hil.Options{
		Preflight: runPreflight,
		// The setup's VERSION and BOARD go on the tape, as every later line.
		Tap: func(l control.Line) control.Line { return tape.Tap{Line: l, Rec: rig.tape} },
		// A fixture's firmware is judged even when it does not speak the
		// protocol; preflight has warned once.
		Silent: true,
	}))
	rig.Data.Observe(recordData)
	if rig.Bench.Clock == nil { // timed on the host's clock: watch the host's lateness
		rig.watch = stall.Start()
		DeferCleanup(rig.watch.Stop)
	}
}, NodeTimeout(timeouts.Setup))

// onBench decorates the containers that drive the bench: Serial when the
// parallel processes would share one bench (no profile), nothing when a
// profile gives each process a bench of its own, so all are tested at once.
var onBench = func() []any {
	if cfg.Profile == "" {
		return []any{Serial}
	}
	return nil
}()

// benchEntry names the report entry that tells which bench ran a spec:
// under ginkgo -p each process has its own.
const benchEntry = "bench_id"

var _ = BeforeEach(func() {
	if cfg.BenchID != "" {
		AddReportEntry(benchEntry, cfg.BenchID, ReportEntryVisibilityFailureOrVerbose)
	}
})

// benchIDs lists the benches the specs of a (merged) run ran on, "" if
// none was named.
func benchIDs(r Report) string {
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

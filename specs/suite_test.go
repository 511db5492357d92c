// Package specs is the picohil HIL suite: echo, baud and blink specs that
// run unchanged against a real Pico or a loopback fixture. The bench comes
// from the bench profile and the environment (see harness/bench); `make
// hil` runs it.
package specs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/picohil/picohil/harness/bench"
	"github.com/picohil/picohil/harness/control"
	"github.com/picohil/picohil/harness/health"
	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/link"
	"github.com/picohil/picohil/harness/preflight"
	"github.com/picohil/picohil/harness/stall"
	"github.com/picohil/picohil/harness/tape"

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
var rig struct {
	bench    *bench.Bench
	data     *link.Link
	ctl      *control.Client
	ctlLine  control.Line    // the control channel under ctl; nil without one
	firmware control.Version // VERSION's answer; zero without a control channel
	// noProtocol is true when a fixture's firmware does not answer VERSION:
	// rig.ctl is then nil and the specs that need it skip.
	noProtocol bool
	platform   string // BOARD's answer; "" where the firmware does not report it
	// tape records the lines' traffic for each spec's evidence and, with
	// HIL_RECORD, the run's tape (evidence_test.go).
	tape *tape.Recorder
	// watch is the host's lateness, for a target timed on the host's
	// clock; nil where the target stamps its own device time.
	watch *stall.Watch
}

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
	b, err := bench.Open(ctx, cfg)
	hil.ExpectNoError(err, "the bench opens", "see the hint above")
	DeferCleanup(b.Halt)
	rig.bench = b
	AddReportEntry("bench", b.Describe())
	runPreflight(ctx, b)

	rig.data, err = link.Open(b.DataPort, cfg.Baud)
	hil.ExpectNoError(err, "the data UART opens", "see the hint above")
	DeferCleanup(rig.data.Close)
	rig.tape = tape.NewRecorder(nil)
	DeferCleanup(rig.tape.Close)
	rig.data.Observe(recordData)
	if b.Clock == nil { // timed on the host's clock: watch the host's lateness
		rig.watch = stall.Start()
		DeferCleanup(rig.watch.Stop)
	}

	if b.ControlPort == "" {
		return
	}
	ctl, err := health.OpenControl(b)
	hil.ExpectNoError(err, "the control channel opens", "see the hint above")
	DeferCleanup(ctl.Close)
	line := tape.Tap{Line: ctl, Rec: rig.tape}
	rig.ctl, rig.ctlLine = control.New(line), line
	vctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
	defer cancel()
	v, err := rig.ctl.Version(vctx)
	if err != nil && b.Driver().Fixture {
		// Preflight has warned once; the firmware is still judged.
		rig.ctl, rig.noProtocol = nil, true
		AddReportEntry("firmware", preflight.NoProtocol)
		return
	}
	hil.ExpectNoError(err, "the firmware answers VERSION with OK VERSION <name> <semver>",
		"is the firmware running? is the control port the Pico's USB serial? lines seen: "+fmt.Sprint(rig.ctl.Noise))
	rig.firmware = v
	AddReportEntry("firmware", v.String())
	rig.platform = platform(ctx)
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

// platform is the interpreter and board the firmware reports (BOARD), for
// report.json; "" from a firmware that answers ERR (older ones, the
// virtual Pico, which is no interpreter). No answer at all fails the run.
func platform(ctx context.Context) string {
	GinkgoHelper()
	bctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
	defer cancel()
	b, err := rig.ctl.Board(bctx)
	var rej *control.RejectedError
	if errors.As(err, &rej) {
		AddReportEntry("platform", "not reported: "+rej.Reason)
		return ""
	}
	hil.ExpectNoError(err, "the firmware answers BOARD with OK BOARD <interpreter> <version> <board>, or ERR BOARD",
		"the control channel: lines seen: "+fmt.Sprint(rig.ctl.Noise))
	AddReportEntry("platform", b)
	return b
}

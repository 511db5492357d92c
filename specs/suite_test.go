// Package specs is the picohil HIL suite: echo, baud and blink specs that
// run unchanged against a real Pico or a loopback fixture. The bench comes
// from the bench profile and the environment (see harness/target/bench); `make
// hil` runs it. It is one suite on the public core, harness/hil, and
// imports nothing a suite in another module could not.
package specs

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/picohil/picohil/harness/hil"

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
// it. Every process must build the same spec list, so the bench's loader
// refuses benches that differ in baud, bauds or blink_half_ms.
var (
	cfg      = hil.Config()
	timeouts = timeoutsFor()
)

// rig is what BeforeSuite opened; specs read it.
var rig = &hil.Rig{}

// suite is how the suite runs: make checks its settings first
// (-picohil.check, TestMain), then runs it (TestSpecs).
var suite = hil.Suite{Name: "picohil HIL suite", Command: "make hil", Check: bindRun}

func TestMain(m *testing.M) { hil.Main(m, suite) }

func TestSpecs(t *testing.T) {
	RegisterFailHandler(Fail)
	hil.RunSpecs(t, suite)
}

// bindRun binds this process's bench, once the flags say which parallel
// process it is, before RunSpecs builds the spec tree (names, sweep,
// SpecTimeouts) from it; then loads the scenario files.
func bindRun(loadErr error) error {
	cfg, timeouts = hil.Config(), timeoutsFor()
	if loadErr != nil {
		return nil
	}
	var err error
	scenarios, err = loadScenarios(cfg.Scenarios)
	return err
}

var _ = BeforeSuite(func(ctx SpecContext) {
	DeferCleanup(rig.Close)
	hil.ExpectOpened(rig.Open(ctx, hil.Options{
		Preflight: timeouts.Preflight,
		Trip:      timeouts.PerTrip,
		Power:     timeouts.Power,
		// A fixture's firmware is judged even when it does not speak the
		// protocol; preflight has warned once.
		Silent: true,
	}))
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

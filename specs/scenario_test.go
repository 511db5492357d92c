package specs

import (
	"fmt"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/scenario"
)

// scenarios are the scenario files of HIL_SCENARIOS (`make hil
// SCENARIOS=dir`), loaded before the spec tree is built: each is a spec.
var scenarios []*scenario.Scenario

// loadScenarios loads the scenario files of dir, none for "": a file with
// a step no bench can run stops the run before any spec, naming the step.
func loadScenarios(dir string) ([]*scenario.Scenario, error) {
	if dir == "" {
		return nil, nil
	}
	return scenario.LoadDir(dir)
}

// restoreBench puts the bench's rate and cadence back after a scenario,
// which may have changed them or reset the Pico.
func restoreBench(ctx SpecContext) {
	if rig.Control == nil {
		return
	}
	awaitVersion(ctx)
	hil.ExpectNoError(rig.Control.SetBaud(ctx, cfg.Baud), fmt.Sprintf("BAUD %d answered OK after the scenario", cfg.Baud), "the control channel")
	ms := int(cfg.BlinkHalf.Milliseconds())
	hil.ExpectNoError(rig.Control.SetBlink(ctx, ms), fmt.Sprintf("BLINK %d answered OK after the scenario", ms), "the control channel")
}

var _ = Describe("Scenario", labelScenario, onBench, func() {
	for _, s := range scenarios {
		It(fmt.Sprintf("%s (%s)", s.Name, filepath.Base(s.File)), SpecTimeout(timeouts.scenario(s)), func(ctx SpecContext) {
			b := rig.Scenario()
			if err := s.Check(b); err != nil {
				Skip(err.Error())
			}
			flushData(ctx)
			DeferCleanup(restoreBench, NodeTimeout(timeouts.ScenarioRestore))
			hil.ExpectScenario(scenario.Run(ctx, s, b, timeouts.scenarioOptions()))
		})
	}
})

package example

import (
	_ "embed"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/scenario"
)

// statsYAML is a scenario file of the suite's own, embedded so that the
// suite's binary runs from any directory.
//
//go:embed scenarios/stats.yaml
var statsYAML []byte

// statsScenario is the file, loaded as the spec tree is built: a step no
// bench can run is refused here, naming it.
var statsScenario, statsScenarioErr = scenario.Parse("scenarios/stats.yaml", statsYAML)

// scenarioOptions bound a step that gives no timeout of its own: a
// control reply's deadline, and the shared grace.
var scenarioOptions = scenario.Options{Wait: hil.Reply, Grace: hil.Grace}

// scenarioTimeout bounds the scenario: its steps' deadlines.
func scenarioTimeout() time.Duration {
	if statsScenario == nil {
		return hil.Slack
	}
	return statsScenario.Budget(scenarioOptions) + hil.Slack
}

var _ = Describe("Scenario", labelControl, Serial, func() {
	It("runs a scenario file on the data and control lines", SpecTimeout(scenarioTimeout()), func(ctx SpecContext) {
		hil.ExpectNoError(statsScenarioErr, "scenarios/stats.yaml loads", "the step the error names")
		b := rig.Scenario()
		if err := statsScenario.Check(b); err != nil {
			Skip(err.Error())
		}
		hil.ExpectScenario(scenario.Run(ctx, statsScenario, b, scenarioOptions))
	})
})

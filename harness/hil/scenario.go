package hil

import (
	"errors"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/scenario"
)

// Scenario is the rig as the steps of a scenario file see it
// (harness/scenario): the data UART, the control channel's lines (the
// recorded Line), the LED input and the Pico's RUN pin, each where the
// bench has it. A scenario whose steps need a line the bench lacks says
// so (scenario.Scenario.Check).
func (r *Rig) Scenario() scenario.Bench {
	b := scenario.Bench{Data: r.Data}
	if r.Line != nil {
		b.Control = scenario.Lines(r.Line)
	}
	if r.Bench != nil && r.Bench.LED != nil {
		b.LED = r.Bench.LED
	}
	if r.Bench != nil && r.Bench.Reset != nil {
		b.Run = r.Bench.Reset
	}
	return b
}

// ExpectScenario puts what a scenario.Run saw in the running spec's
// report (its serial and LED timelines, and its step log), then fails the
// spec where a step did not hold, naming the file, the line and the step,
// with what the step expected, what the lines showed and what to check.
func ExpectScenario(log *scenario.Log, err error) {
	ginkgo.GinkgoHelper()
	Keep(log.SerialTrace(stats.ScenarioSerial))
	Keep(log.LEDTrace(stats.ScenarioLED))
	ginkgo.AddReportEntry(stats.ScenarioLog, log.String(), ginkgo.ReportEntryVisibilityFailureOrVerbose)
	if se, ok := errors.AsType[*scenario.StepError](err); ok {
		ginkgo.Fail(Explain(se.Where()+": "+se.Expected, se.Seen, se.Hint))
	}
	ExpectNoError(err, "the scenario runs on the bench", "see the error")
}

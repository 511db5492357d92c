package hil_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/scenario"
)

// A suite of a team's own, in its own module: it links the targets it
// offers, opens the rig once and records a measurement with its own gate
// rule; hil writes the reports. specs/example is this suite, complete.
func Example() {
	// In suite_test.go, beside the blank imports of the fixtures it offers
	// (_ "github.com/picohil/picohil/fixtures/virtual"):
	var rig *hil.Rig
	labelControl := hil.Label("control")

	_ = BeforeSuite(func(ctx SpecContext) {
		rig = &hil.Rig{}
		DeferCleanup(rig.Close)
		hil.ExpectOpened(rig.Open(ctx, hil.Options{}))
	}, NodeTimeout(hil.DefaultTimeouts().Setup))

	_ = It("answers STATS promptly", labelControl, SpecTimeout(hil.Reply+hil.Slack), func(ctx SpecContext) {
		rig.RequireControl()
		start := time.Now()
		_, err := rig.Control.Stats(ctx)
		hil.ExpectNoError(err, "OK STATS rx=<n> tx=<n> errors=<n>", "the control channel")
		m := hil.Record(stats.Measure("team.stats_reply", "ms", float64(time.Since(start).Microseconds())/1000, stats.AtMost(50)).
			Gated(stats.Gate{Worse: stats.Higher, Pct: 50, Floor: 10}))
		hil.ExpectWithin(m, "", "a control task starved by another task")
	})

	// and in the test function:
	_ = func(t *testing.T) { hil.RunSpecs(t, hil.Suite{Name: "team suite", Command: "make team"}) }
}

// A measurement's own gate rule: `hil gate` blocks a release whose value
// moved the worse way by more than the percentage and the floor.
func ExampleRecord() {
	g := stats.Gate{Worse: stats.Higher, Pct: 50, Floor: 10}
	fmt.Println(g.Blocks(12, 30), g.Blocks(12, 20), g.Blocks(100, 120))
	// Output: true false false
}

// A scenario file in Wokwi CI's format run on the rig: its steps write to
// and wait on the data UART and the control channel, and wait for the
// LED; the report keeps what the lines carried.
func ExampleRig_Scenario() {
	var rig *hil.Rig // opened in BeforeSuite
	s, err := scenario.Parse("version.yaml", []byte(`name: 'VERSION answers'
version: 1
steps:
  - write-serial: {port: control, value: "VERSION\n"}
  - wait-serial: {port: control, text: 'OK VERSION '}
`))
	fmt.Println(len(s.Steps), "steps", err)

	_ = It("answers VERSION", SpecTimeout(s.Budget(scenario.Options{})+hil.Slack), func(ctx SpecContext) {
		hil.ExpectScenario(scenario.Run(ctx, s, rig.Scenario(), scenario.Options{}))
	})
	// Output: 2 steps <nil>
}

// A reset through the Pico's RUN pin, measured, and the Pico checked
// serving again at the bench's rate and cadence.
func ExampleRig_Reset() {
	var rig *hil.Rig // opened in BeforeSuite with Options.Trip
	_ = It("comes back after a reset", func(ctx SpecContext) {
		rig.RequireReset()
		rig.RequireControl()
		r, err := rig.Reset(ctx, hil.ResetPulse)
		hil.ExpectNoError(err, "VERSION answers after RUN is released", "the wire to the Pico's RUN pin")
		hil.ExpectWithin(hil.Record(stats.Measure("team.reset", "ms", float64(r.Recovered.Milliseconds()), stats.AtMost(5000))), r.Said, "the firmware's boot")
		rig.ExpectServing(ctx, "reset")
	})
}

// The suite's TestMain: make runs the suite with -picohil.check first,
// which checks the bench and the make variables and runs no spec.
func ExampleMain() {
	suite := hil.Suite{Name: "team suite", Command: "make team"}
	_ = func(m *testing.M) { hil.Main(m, suite) }
	_ = func(t *testing.T) { hil.RunSpecs(t, suite) }
}

package hil_test

import (
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/stats"
)

// A suite of a team's own, in its own module: it links the targets it
// offers, opens the rig once, records a measurement with its own gate rule
// and writes the reports. specs/example is this suite, complete.
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

	_ = ReportAfterSuite("report.json, report.html, junit.xml", hil.WriteReports)

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

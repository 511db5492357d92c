package specs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/preflight"
	"github.com/picohil/picohil/harness/target/reset"
)

const resetHint = "the wire from the reset pin to the Pico's RUN pin (pin 30) and GND, and that the firmware boots cleanly (a crash loop never answers VERSION)"

func requireReset() {
	GinkgoHelper()
	if rig.Bench.Reset != nil {
		return
	}
	if rl, ok := cfg.Driver().(target.ResetLess); ok {
		Skip(rl.NoReset())
	}
	Skip(fmt.Sprintf("this bench (%s) has no reset pin (set HIL_RESET_PIN, or reset_pin in the bench profile, to the Pi output wired to the Pico's RUN pin, e.g. GPIO27)", cfg.Target))
}

// expectCheck fails the spec unless a preflight-style check passed.
func expectCheck(c report.Check) {
	GinkgoHelper()
	if c.Status != report.CheckOK {
		Fail(hil.Explain(c.Name+": "+c.Expected, c.Detail, c.Hint))
	}
}

// awaitVersion asks VERSION until the firmware answers or ctx ends.
func awaitVersion(ctx SpecContext) {
	for ctx.Err() == nil {
		vctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
		_, err := rig.Control.Version(vctx)
		cancel()
		if err == nil {
			return
		}
	}
}

var _ = Describe("Reset", labelReset, labelControl, onBench, func() {
	It("comes back after RUN is pulled low: VERSION answers, echo and blink resume", SpecTimeout(timeouts.Reset), func(ctx SpecContext) {
		requireReset()
		rig.RequireControl()
		// The deadline runs opGrace past the budget, so a late answer is
		// measured, and no answer shows as waited beyond the budget.
		rctx, cancel := bounded(ctx, resetPulse+resetBudget)
		r, err := reset.Reset(rctx, rig.Bench.Reset, resetPulse, rig.Control)
		cancel()
		// Recovery is measured only once RUN was released and the wait began.
		recovered := r.Recovered
		var re *reset.Error
		if errors.As(err, &re) && re.Stage == reset.StageWait {
			recovered = re.Waited
		} else {
			hil.ExpectNoError(err, "RUN is pulled low for the pulse and released", "see the hint above")
		}
		m := hil.Record(stats.Measure(stats.ResetRecovery, "ms", float64(recovered)/float64(time.Millisecond), stats.AtMost(float64(resetBudget/time.Millisecond))))
		if err != nil || !m.Pass {
			// Let a late boot finish before the next spec, so only this
			// spec fails for it.
			if re != nil && re.Stage == reset.StageWait && !cfg.Power.IsZero() {
				DeferCleanup(powerAfterReset, NodeTimeout(timeouts.Power+timeouts.Reply))
			} else {
				DeferCleanup(awaitVersion, NodeTimeout(resetBudget+timeouts.Reply))
			}
			seen := m.String()
			if err != nil {
				seen += "\n" + err.Error()
			}
			if len(rig.Control.Noise) > 0 {
				seen += "\nother lines on the control channel: " + strings.Join(rig.Control.Noise, " | ")
			}
			Fail(hil.Explain(fmt.Sprintf("reset.recovery within %s ms: VERSION answers after RUN is released", m.Limits), seen, resetHint))
		}
		AddReportEntry("reset", fmt.Sprintf("RUN low %v, %s answered after %v (%d questions)", r.Pulse.Round(time.Millisecond), r.Version, r.Recovered.Round(time.Millisecond), r.Attempts))

		expectServingAgain(ctx, "reset")
	})
})

// expectServingAgain checks a Pico that came back from a reset or a power
// cycle (what): a restart restores the firmware's boot settings, so the
// bench's are put back, then one echo and the LED's toggles.
func expectServingAgain(ctx SpecContext, what string) {
	GinkgoHelper()
	hil.ExpectNoError(rig.Control.SetBaud(ctx, cfg.Baud), fmt.Sprintf("BAUD %d answered OK after the %s", cfg.Baud, what), "the control channel")
	expectCheck(preflight.EchoByte(ctx, rig.Data, timeouts.PerTrip, report.CheckFail))
	if rig.Bench.LED == nil {
		AddReportEntry(what, "blink not checked: this bench has no LED input pin")
		return
	}
	ms := int(cfg.BlinkHalf / time.Millisecond)
	hil.ExpectNoError(rig.Control.SetBlink(ctx, ms), fmt.Sprintf("BLINK %d answered OK after the %s", ms, what), "the control channel")
	expectCheck(preflight.LEDToggles(ctx, rig.Bench.LED, cfg.BlinkHalf, preflight.LEDWindow(cfg.BlinkHalf, cfg.JitterTol), report.CheckFail))
}

package specs

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/stats"
)

const resetHint = "the wire from the reset pin to the Pico's RUN pin (pin 30) and GND, and that the firmware boots cleanly (a crash loop never answers VERSION)"

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
		rig.RequireReset()
		rig.RequireControl()
		// The deadline runs opGrace past the budget, so a late answer is
		// measured, and no answer shows as waited beyond the budget.
		rctx, cancel := bounded(ctx, resetPulse+resetBudget)
		r, err := rig.Reset(rctx, resetPulse)
		cancel()
		// Recovery is measured only once RUN was released and the wait began.
		if !r.Late {
			hil.ExpectNoError(err, "RUN is pulled low for the pulse and released", "see the hint above")
		}
		m := hil.Record(stats.Measure(stats.ResetRecovery, "ms", float64(r.Recovered)/float64(time.Millisecond), stats.AtMost(float64(resetBudget/time.Millisecond))))
		if err != nil || !m.Pass {
			// Let a late boot finish before the next spec, so only this
			// spec fails for it.
			if r.Late && !cfg.Power.IsZero() {
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
			Fail(hil.Explain(fmt.Sprintf("%s within %s ms: VERSION answers after RUN is released", stats.ResetRecovery, m.Limits), seen, resetHint))
		}
		AddReportEntry("reset", r.Said)

		rig.ExpectServing(ctx, "reset")
	})
})

// powerAfterReset power-cycles a Pico that never answered after its reset,
// so that only the reset spec fails for it.
func powerAfterReset(ctx SpecContext) {
	_, err := rig.PowerCycle(ctx, "reset: no VERSION answer within the reset budget")
	hil.ExpectNoError(err, "a power cycle brings the Pico back after a reset that timed out", "the power switch and the Pico's USB cable; `hil power cycle` tries it alone")
}

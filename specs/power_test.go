package specs

import (
	"context"
	"fmt"
	"os"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/hil"
)

const powerHint = "the power switch (`hil power cycle` tries it alone; `uhubctl` lists hubs that switch port power), the Pico's USB cable on that port, and that the firmware boots cleanly"

var _ = Describe("Power", labelPower, labelControl, onBench, func() {
	It("comes back after a power cycle: VERSION answers, echo and blink resume", SpecTimeout(timeouts.Power+timeouts.Reset), func(ctx SpecContext) {
		if cfg.Power.IsZero() {
			Skip(fmt.Sprintf("this bench (%s) has no power switch (a power section in the bench profile, or HIL_POWER, names the Pico's USB port: a uhubctl hub and port, or the kernel's port attribute)", cfg.Target))
		}
		rig.RequireControl()
		pctx, cancel := context.WithTimeout(ctx, timeouts.Power)
		defer cancel()
		r, err := power.Recover(pctx, cfg.Power.Switch(os.Getenv("HIL_UHUBCTL")), power.DefaultOff, func(c context.Context) error {
			_, err := rig.Control.Version(c)
			return err
		})
		if err != nil {
			DeferCleanup(awaitVersion, NodeTimeout(resetBudget+timeouts.Reply))
			Fail(hil.Explain(fmt.Sprintf("VERSION answers within %v of the power coming back", timeouts.Power-power.DefaultOff), err.Error(), powerHint))
		}
		AddReportEntry(powerEntry, r.String())
		expectServingAgain(ctx, "power cycle")
	})
})

package specs

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
)

const powerHint = "the power switch (`hil power cycle` tries it alone; `uhubctl` lists hubs that switch port power), the Pico's USB cable on that port, and that the firmware boots cleanly"

var _ = Describe("Power", labelPower, labelControl, onBench, func() {
	It("comes back after a power cycle: VERSION answers, echo and blink resume", SpecTimeout(timeouts.Power+timeouts.Reset), func(ctx SpecContext) {
		if cfg.Power.IsZero() {
			Skip(fmt.Sprintf("this bench (%s) has no power switch (a power section in the bench profile, or HIL_POWER, names the Pico's USB port: a uhubctl hub and port, or the kernel's port attribute)", cfg.Target))
		}
		rig.RequireControl()
		if _, err := rig.PowerCycle(ctx, ""); err != nil {
			DeferCleanup(awaitVersion, NodeTimeout(resetBudget+timeouts.Reply))
			Fail(hil.Explain(fmt.Sprintf("VERSION answers within %v of the power coming back", timeouts.Power-hil.PowerOff), err.Error(), powerHint))
		}
		rig.ExpectServing(ctx, "power cycle")
	})
})

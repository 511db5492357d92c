package hil

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/preflight"
	"github.com/picohil/picohil/harness/target/reset"
)

// ResetPulse is how long Reset holds the Pico's RUN low by default.
const ResetPulse = reset.DefaultPulse

// RequireReset skips the running spec where the rig cannot reset the
// Pico, saying why.
func (r *Rig) RequireReset() {
	ginkgo.GinkgoHelper()
	if r.Bench.Reset != nil {
		return
	}
	if rl, ok := cfg.Driver().(target.ResetLess); ok {
		ginkgo.Skip(rl.NoReset())
	}
	ginkgo.Skip(fmt.Sprintf("this bench (%s) has no reset pin (set HIL_RESET_PIN, or reset_pin in the bench profile, to the Pi output wired to the Pico's RUN pin, e.g. GPIO27)", cfg.Target))
}

// Restart is a reset through the Pico's RUN pin (Rig.Reset).
type Restart struct {
	// Recovered is from RUN's release to VERSION's answer; where the
	// firmware did not answer (Late), to when the wait gave up.
	Recovered time.Duration
	// Late says the reset itself worked but VERSION did not answer
	// before ctx ended.
	Late bool
	// Said is the reset as a report tells it.
	Said string
}

// Reset pulls the Pico's RUN low for pulse, releases it and asks VERSION
// until the firmware answers or ctx ends. Its error says which step
// failed; a Restart that is Late still holds how long it waited.
func (r *Rig) Reset(ctx context.Context, pulse time.Duration) (Restart, error) {
	res, err := reset.Reset(ctx, r.Bench.Reset, pulse, r.Control)
	if re, ok := errors.AsType[*reset.Error](err); ok && re.Stage == reset.StageWait {
		return Restart{Recovered: re.Waited, Late: true}, err
	}
	if err != nil {
		return Restart{}, err
	}
	return Restart{Recovered: res.Recovered, Said: fmt.Sprintf("RUN low %v, %s answered after %v (%d questions)",
		res.Pulse.Round(time.Millisecond), res.Version, res.Recovered.Round(time.Millisecond), res.Attempts)}, nil
}

// ExpectServing checks a Pico that came back from a reset or a power
// cycle (what): a restart restores the firmware's boot settings, so the
// bench's are put back, then one echo within Options.Trip and the LED's
// toggles.
func (r *Rig) ExpectServing(ctx context.Context, what string) {
	ginkgo.GinkgoHelper()
	ExpectNoError(r.Control.SetBaud(ctx, cfg.Baud), fmt.Sprintf("BAUD %d answered OK after the %s", cfg.Baud, what), "the control channel")
	expectCheck(preflight.EchoByte(ctx, r.Data, r.opts.Trip, report.CheckFail))
	if r.Bench.LED == nil {
		ginkgo.AddReportEntry(what, "blink not checked: this bench has no LED input pin")
		return
	}
	ms := int(cfg.BlinkHalf / time.Millisecond)
	ExpectNoError(r.Control.SetBlink(ctx, ms), fmt.Sprintf("BLINK %d answered OK after the %s", ms, what), "the control channel")
	expectCheck(preflight.LEDToggles(ctx, r.Bench.LED, cfg.BlinkHalf, LEDWindow(), report.CheckFail))
}

// expectCheck fails the spec unless a preflight-style check passed.
func expectCheck(c report.Check) {
	ginkgo.GinkgoHelper()
	if c.Status != report.CheckOK {
		ginkgo.Fail(Explain(c.Name+": "+c.Expected, c.Detail, c.Hint))
	}
}

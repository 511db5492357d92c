package hil

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"
	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/measure/stall"
	"github.com/picohil/picohil/harness/report/tape"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/bench"
	"github.com/picohil/picohil/harness/target/preflight"
)

// Rig is a bench as a suite uses it: the target and the lines a spec
// talks to. Its fields are nil until Open has opened them.
type Rig struct {
	// Bench is the opened target with its settings.
	Bench *bench.Bench
	// Data is the data UART, at the bench's rate.
	Data *link.Link
	// Control is the control channel's client; nil where the bench has
	// none, or the firmware does not speak the protocol (Silent says
	// why). RequireControl skips a spec that needs it.
	Control *control.Client
	// Line is the control channel's line under Control, recorded: for
	// reading what the firmware prints unasked, or a scenario's
	// wait-serial on the control channel (harness/scenario.Lines).
	Line control.Line
	// Firmware is VERSION's answer; zero without a control client.
	Firmware control.Version
	// Platform is BOARD's answer, the interpreter and board; "" where the
	// firmware answers ERR BOARD or there is no control client.
	Platform string
	// Silent says why a fixture's firmware has no control client: it
	// did not answer VERSION and Options.Silent let it run.
	Silent string
	// Watch is the host's lateness, for a target timed on the host's
	// clock (harness/measure/stall); nil where the target stamps its own
	// device time (Bench.Clock).
	Watch *stall.Watch

	opts    Options
	tape    *tape.Recorder
	closers []func() error
}

// Options shape how Open brings a rig up; the zero value opens a plain
// one.
type Options struct {
	// Preflight, where not zero, bounds the checks of the bench
	// (harness/target/preflight) that run once the target is up, before
	// its lines open: a failed check fails the node with every check's
	// result, after a power cycle and a second try where the bench has a
	// power switch.
	Preflight time.Duration
	// Trip bounds one echo round trip: the preflight's, ExpectServing's;
	// Reply where zero.
	Trip time.Duration
	// Power bounds a power cycle (PowerCycle): PowerOff, then the Pico's
	// boot and its port's return; PowerOff plus Slack where zero.
	Power time.Duration
	// Silent lets a fixture's firmware that does not answer VERSION run
	// without a control client; on hardware no answer stops Open.
	Silent bool
}

// OpenError is the step of Open that failed: what it expected and what
// to check on the bench.
type OpenError struct {
	Expected, Check string
	Err             error
}

func (e *OpenError) Error() string { return "hil: " + e.Expected + ": " + e.Err.Error() }
func (e *OpenError) Unwrap() error { return e.Err }

// ExpectOpened fails the running node if Open failed, with the step's
// expectation and what to check.
func ExpectOpened(err error) {
	ginkgo.GinkgoHelper()
	if oe, ok := errors.AsType[*OpenError](err); ok {
		ExpectNoError(oe.Err, oe.Expected, oe.Check)
	}
	ExpectNoError(err, "the rig opens", "see the hint above")
}

// Open brings up the target Config names and opens its lines: the data
// link and, where the bench has one, the control channel, whose firmware
// must answer VERSION, and BOARD with OK or ERR, within Reply each. It
// attaches the bench, the firmware and the platform to the running node
// as report entries. Every byte and line the rig's lines carry from then
// on is recorded: a spec's report holds the control channel's lines and,
// on failure, the data bytes about it; with HIL_RECORD=<path> the whole
// run goes to a tape (harness/report/tape) that `hil replay` judges
// again. What it opened stays in r when a step fails, so that Close lets
// it go: register r.Close with DeferCleanup before Open.
func (r *Rig) Open(ctx context.Context, o Options) error {
	rig, r.opts = r, o
	if r.opts.Trip == 0 {
		r.opts.Trip = Reply
	}
	if r.opts.Power == 0 {
		r.opts.Power = PowerOff + Slack
	}
	r.tape = tape.NewRecorder(nil)
	r.closers = append(r.closers, r.tape.Close)
	b, err := bench.Open(ctx, cfg)
	if err != nil {
		return &OpenError{"the bench opens", "see the hint above", err}
	}
	r.Bench = b
	r.closers = append(r.closers, b.Halt)
	ginkgo.AddReportEntry("bench", b.Describe())
	if o.Preflight > 0 {
		r.preflight(ctx)
	}
	if r.Data, err = link.Open(b.DataPort, cfg.Baud); err != nil {
		return &OpenError{"the data UART opens", "see the hint above", err}
	}
	r.closers = append(r.closers, r.Data.Close)
	r.Data.Observe(recordData)
	if b.Clock == nil { // timed on the host's clock: watch the host's lateness
		r.Watch = stall.Start()
		r.closers = append(r.closers, func() error { r.Watch.Stop(); return nil })
	}
	if b.ControlPort == "" {
		return nil
	}
	ctl, err := health.OpenControl(b)
	if err != nil {
		return &OpenError{"the control channel opens", "see the hint above", err}
	}
	r.closers = append(r.closers, ctl.Close)
	// The setup's VERSION and BOARD go on the tape, as every later line.
	r.Line = tape.Tap{Line: ctl, Rec: r.tape}
	r.Control = control.New(r.Line)
	vctx, cancel := context.WithTimeout(ctx, Reply)
	defer cancel()
	v, err := r.Control.Version(vctx)
	if err != nil && o.Silent && target.IsFixture(b.Driver()) {
		r.Control, r.Silent = nil, preflight.NoProtocol
		ginkgo.AddReportEntry("firmware", preflight.NoProtocol)
		return nil
	}
	if err != nil {
		return &OpenError{"the firmware answers VERSION with OK VERSION <name> <semver>",
			"is the firmware running? is the control port the Pico's USB serial? lines seen: " + fmt.Sprint(r.Control.Noise), err}
	}
	r.Firmware = v
	ginkgo.AddReportEntry("firmware", v.String())
	bctx, cancel := context.WithTimeout(ctx, Reply)
	defer cancel()
	r.Platform, err = r.Control.Board(bctx)
	if rej, ok := errors.AsType[*control.RejectedError](err); ok {
		r.Platform = ""
		ginkgo.AddReportEntry("platform", "not reported: "+rej.Reason)
		return nil
	}
	if err != nil {
		return &OpenError{"the firmware answers BOARD with OK BOARD <interpreter> <version> <board>, or ERR BOARD",
			"the control channel: lines seen: " + fmt.Sprint(r.Control.Noise), err}
	}
	ginkgo.AddReportEntry("platform", r.Platform)
	return nil
}

// rig is the rig last opened, for the reports.
var rig *Rig

// LED is the LED input pin; nil where the bench has none (RequireLED
// skips a spec that needs it).
func (r *Rig) LED() gpio.PinIn {
	if r.Bench == nil {
		return nil
	}
	return r.Bench.LED
}

// Close lets go of what Open opened, last opened first.
func (r *Rig) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	return errors.Join(errs...)
}

// RequireControl skips the running spec where the rig has no control
// client, saying why.
func (r *Rig) RequireControl() {
	ginkgo.GinkgoHelper()
	switch {
	case r.Silent != "":
		ginkgo.Skip(r.Silent)
	case r.Control == nil && cfg.Target == bench.Jumper:
		ginkgo.Skip("the jumper target has no control channel: the harness plays the firmware over a TX-RX jumper")
	case r.Control == nil:
		ginkgo.Skip("this bench has no control channel (set HIL_CONTROL to the Pico's USB serial port)")
	}
}

// RequireLED skips the running spec where the rig has no LED input,
// saying how to give it one.
func (r *Rig) RequireLED() {
	ginkgo.GinkgoHelper()
	if r.LED() == nil {
		ginkgo.Skip("this bench has no LED input pin (set HIL_LED_PIN, e.g. GPIO17)")
	}
}

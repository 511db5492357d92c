package hil

import (
	"context"
	"errors"
	"fmt"

	"github.com/onsi/ginkgo/v2"
	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/bench"
	"github.com/picohil/picohil/harness/control"
	"github.com/picohil/picohil/harness/health"
	"github.com/picohil/picohil/harness/link"
)

// Rig is an opened bench: the target and the lines a spec talks to.
type Rig struct {
	// Bench is the opened target with its settings.
	Bench *bench.Bench
	// Data is the data UART, at the bench's rate.
	Data *link.Link
	// Control is the control channel's client; nil where the bench has
	// none (RequireControl skips a spec that needs it).
	Control *control.Client
	// Firmware is VERSION's answer; zero without a control channel.
	Firmware control.Version
	// Platform is BOARD's answer, the interpreter and board; "" where the
	// firmware answers ERR BOARD or there is no control channel.
	Platform string

	closers []func() error
}

// LED is the LED input pin; nil where the bench has none (RequireLED
// skips a spec that needs it).
func (r *Rig) LED() gpio.PinIn { return r.Bench.LED }

// Open brings up the target Config names and opens its lines: the data
// link, and where the bench has one the control channel, whose firmware
// must answer VERSION, and BOARD with OK or ERR, within Reply each. On an
// error it lets go of what it had opened. Register Close with DeferCleanup
// right after a successful Open.
func Open(ctx context.Context) (*Rig, error) {
	b, err := bench.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	r := &Rig{Bench: b, closers: []func() error{b.Halt}}
	if r.Data, err = link.Open(b.DataPort, cfg.Baud); err != nil {
		return nil, errors.Join(err, r.Close())
	}
	r.closers = append(r.closers, r.Data.Close)
	if b.ControlPort == "" {
		return r, nil
	}
	line, err := health.OpenControl(b)
	if err != nil {
		return nil, errors.Join(err, r.Close())
	}
	r.closers = append(r.closers, line.Close)
	r.Control = control.New(line)
	vctx, cancel := context.WithTimeout(ctx, Reply)
	defer cancel()
	if r.Firmware, err = r.Control.Version(vctx); err != nil {
		err = fmt.Errorf("hil: the firmware on %s does not answer VERSION (lines seen: %q): %w", b.ControlPort, r.Control.Noise, err)
		return nil, errors.Join(err, r.Close())
	}
	bctx, cancel := context.WithTimeout(ctx, Reply)
	defer cancel()
	r.Platform, err = r.Control.Board(bctx)
	if _, rejected := errors.AsType[*control.RejectedError](err); err != nil && !rejected {
		err = fmt.Errorf("hil: the firmware on %s answers neither OK BOARD nor ERR BOARD: %w", b.ControlPort, err)
		return nil, errors.Join(err, r.Close())
	}
	rig = r
	return r, nil
}

// rig is the last rig opened, for the reports.
var rig *Rig

// Close lets go of the lines and returns the target to an inert state,
// last opened first.
func (r *Rig) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	return errors.Join(errs...)
}

// RequireControl skips the running spec where the rig has no control
// channel, saying how to give it one.
func (r *Rig) RequireControl() {
	ginkgo.GinkgoHelper()
	if r.Control == nil {
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

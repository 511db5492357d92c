// Package reset restarts the Pico through its RUN pin and waits for the
// firmware to come back: RUN is pulled low through a Pi output for a
// bounded pulse, released, and the control channel is asked VERSION until
// it answers or the context ends.
//
// Wiring: a Pi GPIO (GPIO27 on the default bench) to the Pico's RUN pin
// (pin 30), common GND. The Pi only ever pulls RUN low; otherwise the pin
// is released, an input without pull (high impedance), and the Pico's own
// pull-up holds RUN high. Driving RUN high could back-power a Pico that has
// lost its USB supply, and a Pi pull-down would fight the Pico's pull-up.
//
// On a real Pico the USB serial port disappears with the reset and
// re-enumerates when the firmware starts; give the Versioner a control
// client over a reconnect.Line so the port is found again.
package reset

import (
	"context"
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/pin"
	"github.com/picohil/picohil/harness/serial/control"
)

// Pulse bounds.
const (
	// DefaultPulse holds RUN low long enough for any RP2040/RP2350 to
	// register the reset (it needs microseconds) and for a slow GPIO
	// driver to have set the level.
	DefaultPulse = 10 * time.Millisecond
	// MaxPulse refuses a pulse that is a hold in disguise.
	MaxPulse = time.Second
)

// attempt bounds one VERSION question while the firmware boots: a boot
// drops the question, so it is asked again rather than waited on.
const attempt = 250 * time.Millisecond

// RunLine is the Pi pin wired to RUN: Out(Low) pulls RUN low, In(Float,
// NoEdge) releases it. Out(High) is never called. A periph gpio.PinIO is one.
type RunLine interface {
	String() string
	Out(l gpio.Level) error
	In(pull gpio.Pull, edge gpio.Edge) error
}

// Release lets RUN go: the pin becomes a floating input and the Pico's
// pull-up holds RUN high.
func Release(run RunLine) error { return run.In(gpio.Float, gpio.NoEdge) }

// Versioner asks the firmware for its version.
type Versioner interface {
	Version(ctx context.Context) (control.Version, error)
}

// Result is a reset that came back.
type Result struct {
	Pulse     time.Duration   // how long RUN was low
	Recovered time.Duration   // from release to the VERSION answer
	Attempts  int             // VERSION questions asked
	Version   control.Version // what answered
}

// Stages of a reset, for Error.
const (
	StagePull    = "pull RUN low"
	StagePulse   = "hold RUN low" // ctx ended during the pulse; RUN was released
	StageRelease = "release RUN"
	StageWait    = "wait for VERSION"
)

// Error is a reset that failed at a stage.
type Error struct {
	Stage    string
	Pin      string
	Waited   time.Duration // for StageWait: from release to giving up
	Attempts int
	Err      error
}

func (e *Error) Error() string {
	hint := "check that the reset pin is an output this user may drive (gpio group) and no overlay claims it"
	msg := fmt.Sprintf("reset: %s on %s: %v", e.Stage, e.Pin, e.Err)
	switch e.Stage {
	case StagePulse:
		msg = fmt.Sprintf("reset: cancelled while RUN was held low on %s (RUN released): %v", e.Pin, e.Err)
		hint = "an interrupt or the caller's timeout ended the reset, not the pin"
	case StageWait:
		msg = fmt.Sprintf("reset: no VERSION answer %v after releasing RUN on %s (%d questions): %v", e.Waited.Round(time.Millisecond), e.Pin, e.Attempts, e.Err)
		hint = "check the wire from the reset pin to the Pico's RUN pin and GND, and that the firmware boots (a crash loop never answers)"
	}
	return msg + " (hint: " + hint + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// ErrPulse is wrapped when the pulse width is out of bounds.
var ErrPulse = errors.New("pulse width out of bounds")

// Reset pulls run low for pulse, releases it and waits until v answers.
// RUN is released whatever happens, also when ctx ends during the pulse.
func Reset(ctx context.Context, run RunLine, pulse time.Duration, v Versioner) (Result, error) {
	if pulse <= 0 || pulse > MaxPulse {
		return Result{}, &Error{Stage: StagePull, Pin: pin.Name(run), Err: fmt.Errorf("%w: %v, want (0, %v]", ErrPulse, pulse, MaxPulse)}
	}
	if err := run.Out(gpio.Low); err != nil {
		return Result{}, &Error{Stage: StagePull, Pin: pin.Name(run), Err: err}
	}
	start := time.Now()
	t := time.NewTimer(pulse)
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	t.Stop()
	if err := Release(run); err != nil {
		return Result{}, &Error{Stage: StageRelease, Pin: pin.Name(run), Err: err}
	}
	released := time.Now()
	r := Result{Pulse: released.Sub(start)}
	if err := ctx.Err(); err != nil {
		return r, &Error{Stage: StagePulse, Pin: pin.Name(run), Err: context.Cause(ctx)}
	}
	var last error
	for ctx.Err() == nil {
		r.Attempts++
		actx, cancel := context.WithTimeout(ctx, attempt)
		ver, err := v.Version(actx)
		cancel()
		if err == nil {
			r.Version, r.Recovered = ver, time.Since(released)
			return r, nil
		}
		last = err
		waitOut(ctx, actx)
	}
	return r, &Error{Stage: StageWait, Pin: pin.Name(run), Waited: time.Since(released), Attempts: r.Attempts, Err: last}
}

// waitOut lets an attempt that failed fast (a port not back yet) use up its
// slot, so the questions stay attempt apart.
func waitOut(ctx, actx context.Context) {
	dl, _ := actx.Deadline()
	t := time.NewTimer(time.Until(dl))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

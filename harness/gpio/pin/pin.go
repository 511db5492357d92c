// Package pin opens Raspberry Pi GPIO inputs and outputs through periph.io. It is the
// only package that imports periph's host drivers.
package pin

import (
	"errors"
	"fmt"
	"io/fs"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

// Error is a pin that could not be opened, with a hint.
type Error struct {
	Name string
	Err  error
	Hint string
}

func (e *Error) Error() string {
	return fmt.Sprintf("pin: %s: %v (hint: %s)", e.Name, e.Err, e.Hint)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUnknown is wrapped when no pin has the name.
var ErrUnknown = errors.New("unknown pin")

// hostInit is periph's driver initialisation.
var hostInit = func() error {
	_, err := host.Init()
	return err
}

// OpenInput initialises periph, finds the pin by its periph name (GPIO17,
// P1_11...) and opens it as an input with a pull-down, proving it can be
// used. Where the pin is a line of a GPIO character device it is requested
// there, and its edges carry the kernel's timestamps (edge.Stamped);
// otherwise periph configures it with both-edge detection off, edges are
// timestamped in user space, and the pin's String says why.
func OpenInput(name string) (gpio.PinIn, error) {
	p, err := lookup(name)
	if err != nil {
		return nil, err
	}
	l, kerr := openKernel(p)
	if kerr == nil {
		return l, nil
	}
	if err := p.In(gpio.PullDown, gpio.NoEdge); err != nil {
		return nil, configError(name, err)
	}
	return &userInput{PinIn: p, why: kerr}, nil
}

// OpenOutput initialises periph, finds the pin by its periph name and
// drives it low, proving it can be used.
func OpenOutput(name string) (gpio.PinOut, error) {
	p, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if err := p.Out(gpio.Low); err != nil {
		return nil, configError(name, err)
	}
	return p, nil
}

// OpenReleased finds the pin and makes it an input without pull (high
// impedance), for a line another circuit pulls up: the reset pin wired to
// the Pico's RUN, which the Pico's own pull-up holds high. The pin is
// only ever driven low afterwards.
func OpenReleased(name string) (gpio.PinIO, error) {
	p, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if err := p.In(gpio.Float, gpio.NoEdge); err != nil {
		return nil, configError(name, err)
	}
	return p, nil
}

func lookup(name string) (gpio.PinIO, error) {
	if err := hostInit(); err != nil {
		return nil, &Error{Name: name, Err: err, Hint: "periph could not initialise GPIO drivers; is this a Raspberry Pi with /dev/gpiochip0?"}
	}
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, &Error{Name: name, Err: ErrUnknown, Hint: "use a periph pin name such as GPIO17 (BCM numbering), and check the pin names in the bench profile or HIL_LED_PIN"}
	}
	return p, nil
}

func configError(name string, err error) *Error {
	hint := "check that no other program or overlay uses the pin"
	if errors.Is(err, fs.ErrPermission) {
		hint = "add your user to the gpio group (sudo usermod -aG gpio $USER) and log in again"
	}
	return &Error{Name: name, Err: err, Hint: hint}
}

// Name is how messages name a pin: its name where it has one, since
// periph's character-device line describes itself in several lines of JSON.
func Name(p fmt.Stringer) string {
	if n, ok := p.(interface{ Name() string }); ok {
		return n.Name()
	}
	return p.String()
}

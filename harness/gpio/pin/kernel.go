package pin

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/host/v3/bcm283x"
	"periph.io/x/host/v3/gpioioctl"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/gpio/gpioev"
)

var _ edge.Stamped = (*gpioev.Line)(nil)

// ErrNotChardev is wrapped when a pin is not a line of a GPIO character
// device that periph knows, so the kernel's edge timestamps cannot be had.
var ErrNotChardev = errors.New("not a GPIO character device line")

// openKernel requests p as an input on its GPIO character device, so its
// edges carry the kernel's timestamps. Tests replace it.
var openKernel = func(p gpio.PinIn) (gpio.PinIn, error) {
	chip, offset, err := chardevLine(p)
	if err != nil {
		return nil, err
	}
	l, err := gpioev.Open(chip, offset, p.Name(), gpio.PullDown)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// chardevLine is the GPIO character device and line offset behind a periph
// pin. periph's gpioioctl driver registers every named line of every chip:
// such a pin is found on its chip. On a Raspberry Pi the bcm283x driver
// replaces GPIOn by its own pin, which it backs with line n of
// gpioioctl.Chips[0], the SoC's pinctrl chip (pinctrl-bcm2835, -bcm2711 or,
// on a Pi 5, -rp1; periph sorts pinctrl chips first): the same line here.
func chardevLine(p gpio.PinIn) (string, int, error) {
	if r, ok := p.(gpio.RealPin); ok {
		p = r.Real()
	}
	switch p := p.(type) {
	case *gpioioctl.GPIOLine:
		for _, c := range gpioioctl.Chips {
			if slices.Contains(c.Lines(), p) {
				return c.Path(), p.Number(), nil
			}
		}
	case *bcm283x.Pin:
		if len(gpioioctl.Chips) > 0 && strings.HasPrefix(gpioioctl.Chips[0].Label(), "pinctrl-") {
			return gpioioctl.Chips[0].Path(), p.Number(), nil
		}
	}
	return "", 0, fmt.Errorf("%w: %s is a %T", ErrNotChardev, p.Name(), p)
}

// userInput is a periph pin whose edges are timestamped in user space, on
// wake-up, because the kernel's timestamps could not be had.
type userInput struct {
	gpio.PinIn
	why error
}

// String names the pin and why its edge times come from user space; the
// bench description, and with it the report, carries it.
func (u *userInput) String() string {
	return fmt.Sprintf("%s (user-space edge timestamps: %v)", u.Name(), u.why)
}

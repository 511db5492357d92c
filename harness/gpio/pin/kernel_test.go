package pin

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/picohil/picohil/harness/gpio/edge"
)

// kernelLine stands in for a gpioev.Line: a pin that times its own edges.
type kernelLine struct{ *gpiotest.Pin }

func (kernelLine) NextEdge(ctx context.Context) (gpio.Level, time.Time, int, error) {
	<-ctx.Done()
	return gpio.Low, time.Time{}, 0, ctx.Err()
}

// inCounter counts periph's In calls, which the kernel path must not make
// (periph would request the line and the kernel request would find it busy).
type inCounter struct {
	*gpiotest.Pin
	calls int
	err   error
}

func (p *inCounter) In(pull gpio.Pull, e gpio.Edge) error {
	p.calls++
	return p.err
}

func withKernel(t *testing.T, open func(gpio.PinIn) (gpio.PinIn, error)) {
	saved := openKernel
	openKernel = open
	t.Cleanup(func() { openKernel = saved })
}

func register(t *testing.T, p gpio.PinIO) {
	if err := gpioreg.Register(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gpioreg.Unregister(p.Name()) })
}

func TestOpenInputPrefersKernelTimestamps(t *testing.T) {
	periph := &inCounter{Pin: &gpiotest.Pin{N: "GPIO5", Num: 5}}
	register(t, periph)
	withKernel(t, func(p gpio.PinIn) (gpio.PinIn, error) { return kernelLine{&gpiotest.Pin{N: p.Name()}}, nil })
	p, err := OpenInput("GPIO5")
	if err != nil {
		t.Fatal(err)
	}
	if edge.SourceOf(p) != edge.Kernel || periph.calls != 0 {
		t.Fatalf("source %s, periph In called %d times; want kernel and none", edge.SourceOf(p), periph.calls)
	}
}

func TestOpenInputFallsBackToUserSpaceWithTheReason(t *testing.T) {
	periph := &inCounter{Pin: &gpiotest.Pin{N: "GPIO6", Num: 6}}
	register(t, periph)
	busy := errors.New("gpioev: GPIO6 on /dev/gpiochip0: request line 6: device or resource busy")
	withKernel(t, func(gpio.PinIn) (gpio.PinIn, error) { return nil, busy })
	p, err := OpenInput("GPIO6")
	if err != nil {
		t.Fatal(err)
	}
	if edge.SourceOf(p) != edge.User || periph.calls != 1 {
		t.Fatalf("source %s, periph In called %d times; want user and once", edge.SourceOf(p), periph.calls)
	}
	if s := p.String(); !strings.Contains(s, "user-space edge timestamps") || !strings.Contains(s, "busy") {
		t.Fatalf("String = %q, want the source and why", s)
	}
}

func TestOpenInputFailsWhenNeitherPathWorks(t *testing.T) {
	periph := &inCounter{Pin: &gpiotest.Pin{N: "GPIO7", Num: 7}, err: errors.New("permission denied")}
	register(t, periph)
	withKernel(t, func(gpio.PinIn) (gpio.PinIn, error) { return nil, errors.New("no chip") })
	var e *Error
	if _, err := OpenInput("GPIO7"); !errors.As(err, &e) {
		t.Fatalf("err = %v, want a *pin.Error", err)
	}
}

// A pin periph does not drive through the GPIO character device (here a
// test double) cannot have kernel timestamps: the real chooser says so.
func TestPinWithoutCharacterDeviceLineUsesUserSpace(t *testing.T) {
	p, err := OpenInput("GPIO17")
	if err != nil {
		t.Fatal(err)
	}
	if edge.SourceOf(p) != edge.User || !strings.Contains(p.String(), ErrNotChardev.Error()) {
		t.Fatalf("source %s, String %q", edge.SourceOf(p), p)
	}
	if _, _, err := chardevLine(&gpiotest.Pin{N: "GPIO4"}); !errors.Is(err, ErrNotChardev) {
		t.Fatalf("err = %v", err)
	}
}

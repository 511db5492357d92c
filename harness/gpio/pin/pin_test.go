package pin

import (
	"errors"
	"strings"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func init() {
	hostInit = func() error { return nil }
	if err := gpioreg.Register(&gpiotest.Pin{N: "GPIO17", Num: 17, EdgesChan: make(chan gpio.Level, 1)}); err != nil {
		panic(err)
	}
}

func TestOpenInputFindsPinByName(t *testing.T) {
	p, err := OpenInput("GPIO17")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "GPIO17" {
		t.Fatalf("got %s", p)
	}
}

func TestUnknownPinGivesHint(t *testing.T) {
	_, err := OpenInput("GPIO99")
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "hint: use a periph pin name") {
		t.Fatalf("err = %v", err)
	}
}

func TestHostInitFailureGivesHint(t *testing.T) {
	saved := hostInit
	defer func() { hostInit = saved }()
	hostInit = func() error { return errors.New("no drivers") }
	if _, err := OpenInput("GPIO17"); err == nil || !strings.Contains(err.Error(), "Raspberry Pi") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenOutputDrivesLow(t *testing.T) {
	if err := gpioreg.Register(&gpiotest.Pin{N: "GPIO22", Num: 22, L: gpio.High}); err != nil {
		t.Fatal(err)
	}
	p, err := OpenOutput("GPIO22")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(gpio.PinIn).Read(); got != gpio.Low {
		t.Fatalf("%s reads %s after OpenOutput, want Low", p, got)
	}
	if _, err := OpenOutput("GPIO98"); !errors.Is(err, ErrUnknown) {
		t.Fatalf("err = %v, want ErrUnknown", err)
	}
}

// driveRecorder is a pin that remembers whether it was ever driven.
type driveRecorder struct {
	*gpiotest.Pin
	driven []gpio.Level
}

func (p *driveRecorder) Out(l gpio.Level) error {
	p.driven = append(p.driven, l)
	return p.Pin.Out(l)
}

func TestOpenReleasedLeavesTheLineFloatingUndriven(t *testing.T) {
	p := &driveRecorder{Pin: &gpiotest.Pin{N: "GPIO27", Num: 27, P: gpio.PullDown}}
	if err := gpioreg.Register(p); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReleased("GPIO27"); err != nil {
		t.Fatal(err)
	}
	if len(p.driven) != 0 || p.Pull() != gpio.Float {
		t.Fatalf("GPIO27 driven %v, pull %s; want never driven and no pull (the Pico's pull-up holds RUN)", p.driven, p.Pull())
	}
}

type jsonLine struct{}

func (jsonLine) String() string { return "{\n  \"Line\": 27\n}" }
func (jsonLine) Name() string   { return "GPIO27" }

type onlyString struct{}

func (onlyString) String() string { return "VIRTUAL_RUN" }

func TestNameIsOneLine(t *testing.T) {
	if got := Name(jsonLine{}); got != "GPIO27" {
		t.Errorf("Name of a line describing itself in JSON = %q, want GPIO27", got)
	}
	if got := Name(onlyString{}); got != "VIRTUAL_RUN" {
		t.Errorf("Name of a Stringer = %q", got)
	}
}

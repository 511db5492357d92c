package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/picohil/picohil/harness/gpio/pin"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target"
)

// Bench is an opened bench: its configuration and the target's lines.
type Bench struct {
	Config
	*target.Device
}

// Open brings the configured target up: starts a fixture, or finds the
// real Pico's ports and pins.
func Open(ctx context.Context, c Config) (*Bench, error) {
	s := c.Settings
	s.Turnaround, s.Jitter = c.Turnaround, c.JitterTol
	d, err := target.Open(ctx, c.Target, s)
	if err != nil {
		return nil, err
	}
	return &Bench{Config: c, Device: d}, nil
}

// The hardware targets are always linked: a bench binary needs them.
func init() {
	target.Register(Pico, picoDriver{})
	target.Register(Jumper, jumperDriver{})
}

// picoDriver opens a real Pico on the bench's lines.
type picoDriver struct{}

var _ target.Checker = picoDriver{}

func (picoDriver) Open(ctx context.Context, s target.Settings) (*target.Device, error) {
	return openPico(ctx, s)
}
func (picoDriver) Check(s target.Settings) []error { return needPorts(Pico)(s) }

// jumperDriver opens a bench Pi without a Pico, its TX jumpered to its RX.
type jumperDriver struct{}

var (
	_ target.Describer = jumperDriver{}
	_ target.Checker   = jumperDriver{}
	_ target.ResetLess = jumperDriver{}
)

func (jumperDriver) Open(_ context.Context, s target.Settings) (*target.Device, error) {
	return openJumper(s, pin.OpenInput, pin.OpenOutput)
}
func (jumperDriver) Check(s target.Settings) []error { return checkJumper(s) }
func (jumperDriver) About() string {
	return "the harness plays the firmware over a TX-RX jumper, without a control channel"
}
func (jumperDriver) NoReset() string {
	return "the jumper target has no Pico to reset: the harness plays the firmware over a TX-RX jumper, so HIL_RESET_PIN does not apply"
}

// needPorts is the check of a target on real lines: it needs the data
// port, and every port named must exist, so a missing device stops the run
// before anything opens instead of failing every spec.
func needPorts(name string) func(target.Settings) []error {
	return func(s target.Settings) []error {
		var errs []error
		if s.Serial == "" {
			errs = append(errs, &target.SettingError{Var: "HIL_SERIAL", Problem: "the " + name + " target needs the data UART port",
				Hint: "set HIL_SERIAL=/dev/serial0 (or the USB-UART adapter's /dev/ttyUSB0), or data: in the bench profile"})
		}
		for _, p := range []struct{ name, path string }{{"HIL_SERIAL", s.Serial}, {"HIL_CONTROL", s.Control}} {
			if p.path != "" {
				if err := checkPort(p.name, p.path); err != nil {
					errs = append(errs, err)
				}
			}
		}
		return errs
	}
}

// checkPort tells whether the port named by setting can be a serial
// port, without opening it.
func checkPort(setting, path string) error {
	err := link.Check(path)
	le, ok := errors.AsType[*link.Error](err)
	switch {
	case err == nil:
		return nil
	case ok && le.Kind == link.NotFound:
		return &target.SettingError{Var: setting, Value: path, Problem: "no such port",
			Hint: "is the Pico (or the USB-UART adapter) plugged in and powered? `hil detect` lists the serial ports present"}
	case ok:
		return &target.SettingError{Var: setting, Value: path, Problem: le.Problem(), Hint: le.Hint()}
	}
	return err
}

func openPico(ctx context.Context, s target.Settings) (*target.Device, error) {
	d := &target.Device{DataPort: s.Serial, ControlPort: s.Control, Halt: func() error { return nil }}
	if s.LEDTruth != "" {
		d.Truth = truthFile(s.LEDTruth)
	}
	if d.ControlPort == "" && !s.ControlMatch.IsZero() {
		port, err := discover.Find(ctx, s.ControlMatch)
		if err != nil {
			return nil, fmt.Errorf("bench: control port: %w", err)
		}
		d.ControlPort = port
	}
	if s.LEDPin != "" {
		p, err := pin.OpenInput(s.LEDPin)
		if err != nil {
			return nil, err
		}
		d.LED = p
		d.Halt = p.Halt
	}
	if s.ResetPin != "" {
		p, err := pin.OpenReleased(s.ResetPin) // released: the Pico's pull-up holds RUN
		if err != nil {
			return nil, errors.Join(err, d.Halt())
		}
		d.Reset = p
		led := d.Halt
		d.Halt = func() error { return errors.Join(led(), p.Halt()) }
	}
	return d, nil
}

// Describe is a one-line summary for banners and reports.
func (b *Bench) Describe() string {
	s := fmt.Sprintf("target %s (%s): data %s", b.Target, b.Reason, b.DataPort)
	if b.BenchID != "" {
		s = "bench " + b.BenchID + ", " + s
	}
	if b.ControlPort != "" {
		s += ", control " + b.ControlPort
		if b.Control == "" && !b.ControlMatch.IsZero() {
			s += " (found by " + b.ControlMatch.String() + ")"
		}
	}
	if b.LED != nil {
		s += ", LED " + b.LED.String()
	}
	if b.Reset != nil {
		s += ", reset " + pin.Name(b.Reset)
	}
	if b.Faults != "" {
		s += ", faults " + b.Faults
	}
	return s
}

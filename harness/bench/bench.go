package bench

import (
	"context"
	"errors"
	"fmt"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/fixtures/micropython"
	"github.com/picohil/picohil/fixtures/simpin"
	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/harness/discover"
	"github.com/picohil/picohil/harness/edge"
	"github.com/picohil/picohil/harness/pin"
	"github.com/picohil/picohil/harness/reset"
)

// Bench is an opened bench: where the lines are and the LED pin.
type Bench struct {
	Config
	DataPort    string
	ControlPort string        // empty when the bench has no control channel
	LED         gpio.PinIn    // nil when the bench has no LED input
	Reset       reset.RunLine // wired to the Pico's RUN pin; nil when the bench has none
	// Truth returns the LED's true transitions where a fixture knows them.
	Truth func() []edge.Edge
	// Died returns why the device stopped (a firmware traceback), or nil
	// while it runs; nil func where that cannot be known.
	Died func() error
	halt func() error
}

// Open brings the configured bench up: starts the virtual Pico, or finds
// the real one's ports and pin.
func Open(ctx context.Context, c Config) (*Bench, error) {
	switch c.Target {
	case Virtual:
		return openVirtual(c)
	case MicroPython:
		return openMicroPython(ctx, c)
	case Pico:
		return openPico(ctx, c)
	case Jumper:
		return openJumper(c, pin.OpenInput, pin.OpenOutput)
	}
	return nil, fmt.Errorf("bench: target %q is not resolved", c.Target)
}

func openVirtual(c Config) (*Bench, error) {
	d, err := virtual.Start(virtual.Config{Baud: c.Baud, BlinkHalf: c.BlinkHalf, Faults: c.Faults})
	if err != nil {
		return nil, err
	}
	return &Bench{
		Config: c, DataPort: d.DataPort(), ControlPort: d.ControlPort(), LED: d.LED(), Reset: d.Run(),
		Truth: func() []edge.Edge { return fromSim(d.LEDTruth()) },
		halt:  d.Close,
	}, nil
}

func openMicroPython(ctx context.Context, c Config) (*Bench, error) {
	d, err := micropython.Start(ctx, micropython.Config{Firmware: c.Firmware})
	if err != nil {
		return nil, err
	}
	return &Bench{
		Config: c, DataPort: d.DataPort(), ControlPort: d.ControlPort(), LED: d.LED(),
		Truth: func() []edge.Edge { return fromSim(d.LEDTruth()) },
		Died:  d.Err,
		halt:  d.Close,
	}, nil
}

func fromSim(sim []simpin.Edge) []edge.Edge {
	out := make([]edge.Edge, len(sim))
	for i, e := range sim {
		out[i] = edge.Edge{Level: e.Level, At: e.At}
	}
	return out
}

func openPico(ctx context.Context, c Config) (*Bench, error) {
	b := &Bench{Config: c, DataPort: c.Serial, ControlPort: c.Control, halt: func() error { return nil }}
	if b.ControlPort == "" && !c.ControlMatch.IsZero() {
		port, err := discover.Find(ctx, c.ControlMatch)
		if err != nil {
			return nil, fmt.Errorf("bench: control port: %w", err)
		}
		b.ControlPort = port
	}
	if c.LEDPin != "" {
		p, err := pin.OpenInput(c.LEDPin)
		if err != nil {
			return nil, err
		}
		b.LED = p
		b.halt = p.Halt
	}
	if c.ResetPin != "" {
		p, err := pin.OpenReleased(c.ResetPin) // released: the Pico's pull-up holds RUN
		if err != nil {
			return nil, errors.Join(err, b.halt())
		}
		b.Reset = p
		led := b.halt
		b.halt = func() error { return errors.Join(led(), p.Halt()) }
	}
	return b, nil
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
		s += ", reset " + b.Reset.String()
	}
	if len(b.Faults) > 0 {
		s += ", faults " + b.Faults.String()
	}
	return s
}

// Halt stops the fixture or releases the pin.
func (b *Bench) Halt() error {
	if b.halt == nil {
		return errors.New("bench: not open")
	}
	return b.halt()
}

package bench

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/serial/link"
)

// jumperWire is an output pin jumpered to an input: every level driven
// arrives at the input as an edge, as a wire between two Pi GPIOs does.
type jumperWire struct {
	*gpiotest.Pin
	to    *gpiotest.Pin
	fails atomic.Int32 // Out fails once this many levels were driven, 0 never
	n     atomic.Int32
}

func (w *jumperWire) Out(l gpio.Level) error {
	if f := w.fails.Load(); f > 0 && w.n.Add(1) > f {
		return errors.New("line released")
	}
	prev := w.Pin.Read()
	if err := w.Pin.Out(l); err != nil {
		return err
	}
	if prev != l {
		select {
		case w.to.EdgesChan <- l:
		default: // nobody reads the input: the edge is lost, as on a real pin
		}
	}
	return nil
}

func jumpered() (*gpiotest.Pin, *jumperWire) {
	in := &gpiotest.Pin{N: "GPIO17", Num: 17, EdgesChan: make(chan gpio.Level, 64)}
	return in, &jumperWire{Pin: &gpiotest.Pin{N: "GPIO22", Num: 22}, to: in}
}

// loopback is a serial port whose far end echoes, like TXD jumpered to RXD.
func loopback(t *testing.T) string {
	t.Helper()
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	go io.Copy(p.Master, p.Master)
	return p.Path
}

func jumperConfig(t *testing.T, data string, pins ...string) Config {
	t.Helper()
	kv := []string{"HIL_TARGET", "jumper", "HIL_SERIAL", data, "HIL_BLINK_MS", "20"}
	if len(pins) == 2 {
		kv = append(kv, "HIL_LED_PIN", pins[0], "HIL_JUMPER_PIN", pins[1])
	}
	c, err := FromEnv(env(kv...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestJumperEchoesAndBlinks(t *testing.T) {
	in, out := jumpered()
	c := jumperConfig(t, loopback(t), "GPIO17", "GPIO22")
	b, err := jumperBench(c, func(string) (gpio.PinIn, error) { return in, nil }, func(string) (gpio.PinOut, error) { return out, nil })
	if err != nil {
		t.Fatal(err)
	}
	if b.ControlPort != "" || b.LED == nil || !strings.Contains(b.Describe(), "target jumper") {
		t.Fatalf("bench %s", b.Describe())
	}
	l, err := link.Open(b.DataPort, c.Baud)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Write([]byte("jumper")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 6)
	if _, err := l.ReadFull(ctx, got); err != nil || string(got) != "jumper" {
		t.Fatalf("echo %q, %v", got, err)
	}

	edges, err := edge.Capture(ctx, b.LED, 8, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := edge.Analyze(edges); err != nil {
		t.Fatalf("cadence: %v\n%s", err, edge.Timeline(edges))
	}
	if err := b.Died(); err != nil {
		t.Fatal(err)
	}
	if err := b.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := b.Halt(); err != nil {
		t.Fatalf("second Halt: %v", err)
	}
	if out.Read() != gpio.Low {
		t.Fatal("jumper pin left high after Halt")
	}
	truth := b.Truth() // complete now that the blinker stopped
	if len(truth) < len(edges) {
		t.Fatalf("%d driven levels for %d captured edges", len(truth), len(edges))
	}
	for i, e := range edges {
		if e.At.Before(truth[0].At) || (i > 0 && e.Level == edges[i-1].Level) {
			t.Fatalf("edge %d %s at %v does not follow the driven levels\n%s", i, e.Level, e.At, edge.Timeline(edges))
		}
	}
}

func TestJumperWithoutPinsHasNoLED(t *testing.T) {
	c := jumperConfig(t, loopback(t))
	b, err := jumperBench(c, nil, nil)
	if err != nil || b.LED != nil || b.Truth != nil || b.Halt() != nil {
		t.Fatalf("bench %+v, %v", b, err)
	}
}

func TestJumperDriveFailureIsReported(t *testing.T) {
	in, out := jumpered()
	out.fails.Store(3)
	c := jumperConfig(t, loopback(t), "GPIO17", "GPIO22")
	b, err := jumperBench(c, func(string) (gpio.PinIn, error) { return in, nil }, func(string) (gpio.PinOut, error) { return out, nil })
	if err != nil {
		t.Fatal(err)
	}
	defer b.Halt()
	deadline := time.Now().Add(5 * time.Second)
	for b.Died() == nil && time.Now().Before(deadline) {
		in.WaitForEdge(c.BlinkHalf)
	}
	if err := b.Died(); err == nil || !strings.Contains(err.Error(), "bench: jumper: drive GPIO22") || !strings.Contains(err.Error(), "line released") {
		t.Fatalf("Died() = %v", err)
	}
}

// haltSpy records that a pin was released.
type haltSpy struct {
	*gpiotest.Pin
	halted bool
}

func (h *haltSpy) Halt() error { h.halted = true; return nil }

func TestJumperPinErrorsReleaseWhatWasOpened(t *testing.T) {
	in, _ := jumpered()
	spy := &haltSpy{Pin: in}
	c := jumperConfig(t, loopback(t), "GPIO17", "GPIO22")
	boom := errors.New("pin: GPIO22: busy")
	_, err := jumperBench(c, func(string) (gpio.PinIn, error) { return spy, nil }, func(string) (gpio.PinOut, error) { return nil, boom })
	if !errors.Is(err, boom) || !spy.halted {
		t.Fatalf("err = %v, LED pin released: %v", err, spy.halted)
	}
}

// refusing is an output that cannot be driven.
type refusing struct{ haltSpy }

func (r *refusing) Out(gpio.Level) error { return errors.New("pin: GPIO22: permission denied") }

func TestJumperBlinkerErrorsReleaseBothPins(t *testing.T) {
	in, _ := jumpered()
	spy := &haltSpy{Pin: in}
	out := &refusing{haltSpy{Pin: &gpiotest.Pin{N: "GPIO22", Num: 22}}}
	c := jumperConfig(t, loopback(t), "GPIO17", "GPIO22")
	_, err := jumperBench(c, func(string) (gpio.PinIn, error) { return spy, nil }, func(string) (gpio.PinOut, error) { return out, nil })
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !spy.halted || !out.halted {
		t.Fatalf("err = %v, LED pin released: %v, jumper pin released: %v", err, spy.halted, out.halted)
	}
}

// jumperBench opens the jumper target with the given pin openers.
func jumperBench(c Config, openIn func(string) (gpio.PinIn, error), openOut func(string) (gpio.PinOut, error)) (*Bench, error) {
	d, err := openJumper(c.Settings, openIn, openOut)
	if err != nil {
		return nil, err
	}
	return &Bench{Config: c, Device: d}, nil
}

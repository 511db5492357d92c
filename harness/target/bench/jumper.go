package bench

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/clock"
	"github.com/picohil/picohil/harness/target"
)

// The jumper target proves a bench Pi without a Pico. Wiring:
//
//	TXD (GPIO14) -> RXD (GPIO15)      the echo is the physical loopback
//	jumper pin   -> LED input pin     the harness drives the blink itself
//
// There is no control channel, so the baud-switch and version specs skip.

// openJumper opens the data port's loopback and, when both pins are
// named, drives the jumper pin at the blink cadence into the LED pin.
func openJumper(s target.Settings, openIn func(string) (gpio.PinIn, error), openOut func(string) (gpio.PinOut, error)) (*target.Device, error) {
	d := &target.Device{DataPort: s.Serial, Halt: func() error { return nil }}
	if s.LEDPin == "" {
		return d, nil
	}
	in, err := openIn(s.LEDPin)
	if err != nil {
		return nil, err
	}
	out, err := openOut(s.JumperPin)
	if err != nil {
		return nil, errors.Join(err, in.Halt())
	}
	bl, err := startBlinker(out, s.BlinkHalf)
	if err != nil {
		return nil, errors.Join(err, out.Halt(), in.Halt())
	}
	d.LED, d.Truth, d.Died = in, bl.truth, bl.failed
	d.Halt = func() error { return errors.Join(bl.Halt(), in.Halt()) }
	return d, nil
}

// checkJumper finds jumper settings that cannot work: no data port, or
// only one of the two blink pins.
func checkJumper(s target.Settings) []error {
	errs := needPorts(Jumper)(s)
	if (s.LEDPin == "") != (s.JumperPin == "") {
		errs = append(errs, &target.SettingError{Var: "HIL_JUMPER_PIN", Value: s.JumperPin, Problem: "the jumper target needs both the LED input pin and the jumper output pin, or neither",
			Hint: "wire one free GPIO output to the LED input pin and name both (jumper_pin and led_pin), or leave both out to skip the blink specs"})
	}
	return errs
}

// blinker toggles an output every half period against absolute instants,
// so it does not drift, as the firmware's blink task does.
type blinker struct {
	out  gpio.PinOut
	half time.Duration
	done chan struct{}
	wg   sync.WaitGroup

	halt    sync.Once
	haltErr error // what the first Halt returned

	mu    sync.Mutex
	edges []edge.Edge // each level driven, timed as the drive began
	err   error       // why driving stopped
}

func startBlinker(out gpio.PinOut, half time.Duration) (*blinker, error) {
	if err := out.Out(gpio.Low); err != nil {
		return nil, fmt.Errorf("bench: jumper: drive %s low: %w", out, err)
	}
	b := &blinker{out: out, half: half, done: make(chan struct{})}
	b.wg.Go(b.run)
	return b, nil
}

func (b *blinker) run() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	level := gpio.Low
	for next := time.Now().Add(b.half); clock.WaitUntil(next, timer, b.done, nil); next = next.Add(b.half) {
		level = !level
		at := time.Now()
		err := b.out.Out(level)
		b.mu.Lock()
		if err != nil {
			b.err = fmt.Errorf("bench: jumper: drive %s %s: %w (hint: check that no other program uses the pin)", b.out, level, err)
			b.mu.Unlock()
			return
		}
		b.edges = append(b.edges, edge.Edge{Level: level, At: at})
		b.mu.Unlock()
	}
}

// truth returns every level driven, with the instant its drive began: the
// input cannot have seen the edge before it.
func (b *blinker) truth() []edge.Edge {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]edge.Edge(nil), b.edges...)
}

// failed is why the blinker stopped driving, nil while it runs.
func (b *blinker) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Halt stops the blinker and leaves the output low and then inert; later
// calls return what the first did.
func (b *blinker) Halt() error {
	b.halt.Do(func() {
		close(b.done)
		b.wg.Wait()
		b.haltErr = errors.Join(b.out.Out(gpio.Low), b.out.Halt())
	})
	return b.haltErr
}

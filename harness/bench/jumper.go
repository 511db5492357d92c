package bench

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/fixtures/clock"
	"github.com/picohil/picohil/harness/edge"
)

// The jumper target proves a bench Pi without a Pico. Wiring:
//
//	TXD (GPIO14) -> RXD (GPIO15)      the echo is the physical loopback
//	jumper pin   -> LED input pin     the harness drives the blink itself
//
// There is no control channel, so the baud-switch and version specs skip.

// openJumper opens the data port's loopback and, when both pins are
// named, drives the jumper pin at the blink cadence into the LED pin.
func openJumper(c Config, openIn func(string) (gpio.PinIn, error), openOut func(string) (gpio.PinOut, error)) (*Bench, error) {
	b := &Bench{Config: c, DataPort: c.Serial, halt: func() error { return nil }}
	if c.LEDPin == "" {
		return b, nil
	}
	in, err := openIn(c.LEDPin)
	if err != nil {
		return nil, err
	}
	out, err := openOut(c.JumperPin)
	if err != nil {
		return nil, errors.Join(err, in.Halt())
	}
	bl, err := startBlinker(out, c.BlinkHalf)
	if err != nil {
		return nil, errors.Join(err, out.Halt(), in.Halt())
	}
	b.LED, b.Truth, b.Died = in, bl.truth, bl.failed
	b.halt = func() error { return errors.Join(bl.Halt(), in.Halt()) }
	return b, nil
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

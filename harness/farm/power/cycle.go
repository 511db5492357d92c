package power

import (
	"context"
	"fmt"
	"time"
)

// onTimeout bounds turning the power back on after a cycle whose context
// ended: a Pico left off is a bench down.
const onTimeout = 10 * time.Second

// Cycle turns sw off for off and on again. Power comes back on also when
// ctx ends while it is off.
func Cycle(ctx context.Context, sw Switch, off time.Duration) error {
	if err := sw.Off(ctx); err != nil {
		return err
	}
	t := time.NewTimer(off)
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	t.Stop()
	onCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), onTimeout)
	defer cancel()
	if err := sw.On(onCtx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("power: %s: cut short while off (power is back on): %w", sw, context.Cause(ctx))
	}
	return nil
}

// Recovery is a power cycle that brought the Pico back.
type Recovery struct {
	Switch string
	Off    time.Duration // how long the port was off
	Back   time.Duration // from power on to the first answer
	Tries  int           // questions asked after power on
}

func (r Recovery) String() string {
	return fmt.Sprintf("power-cycled the Pico through %s (off %v): it answered %v after power returned (%d questions)",
		r.Switch, r.Off, r.Back.Round(time.Millisecond), r.Tries)
}

// ask bounds one question while the Pico boots; a boot drops it, so it is
// asked again rather than waited on.
const ask = 250 * time.Millisecond

// Recover cycles sw and asks alive until it answers or ctx ends.
func Recover(ctx context.Context, sw Switch, off time.Duration, alive func(context.Context) error) (Recovery, error) {
	r := Recovery{Switch: sw.String(), Off: off}
	if err := Cycle(ctx, sw, off); err != nil {
		return r, err
	}
	on := time.Now()
	var last error
	for ctx.Err() == nil {
		r.Tries++
		actx, cancel := context.WithTimeout(ctx, ask)
		last = alive(actx)
		if last == nil {
			cancel()
			r.Back = time.Since(on)
			return r, nil
		}
		<-actx.Done() // a question that failed at once (no port yet) waits out its slot
		cancel()
	}
	return r, fmt.Errorf("power: %s cycled, but no answer %v after power returned (%d questions): %w; gave up: %w (hint: is this the Pico's port? `uhubctl` or `ls /sys/bus/usb/devices/*/*-port*` lists ports; does the firmware boot?)",
		sw, time.Since(on).Round(time.Millisecond), r.Tries, last, context.Cause(ctx))
}

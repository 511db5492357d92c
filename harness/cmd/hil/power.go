package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/target/bench"
)

// powerTimeout bounds a whole power verb after the lease is held: a cycle
// and the wait for the Pico to answer again.
const powerTimeout = time.Minute

// runPower is hil power off|on|cycle on the bench of the profile and
// environment, under the bench's lease.
func runPower(args []string, w io.Writer) error {
	if len(args) == 0 || (args[0] != "off" && args[0] != "on" && args[0] != "cycle") {
		return cli.Usagef("power: give off, on or cycle (hint: hil power cycle [--off %v])", power.DefaultOff)
	}
	action := args[0]
	fs := flag.NewFlagSet("power "+action, flag.ContinueOnError)
	off := fs.Duration("off", power.DefaultOff, "cycle: how long the port stays off")
	if err := cli.Parse(fs, args[1:], w); err != nil {
		return err
	}
	if *off <= 0 || *off > time.Minute {
		return cli.Usagef("power: --off %v: want more than 0 and at most 1m (hint: --off 2s)", *off)
	}
	hasSwitch := func(cfg bench.Config) error {
		if cfg.Power.IsZero() {
			return cli.Usagef("power: the bench has no power switch (hint: a power section in the bench profile, hub and port for uhubctl or disable for the kernel's USB port attribute; see harness/target/bench/bench.example.yaml)")
		}
		return nil
	}
	return onLeasedBench("power", w, powerTimeout, hasSwitch, func(ctx context.Context, cfg bench.Config, _ *lease.Lease) error {
		return switchPower(ctx, w, cfg, action, *off)
	})
}

// switchPower turns the bench's Pico off or on, or cycles it.
func switchPower(ctx context.Context, w io.Writer, cfg bench.Config, action string, off time.Duration) (err error) {
	sw := cfg.Power.Switch(os.Getenv("HIL_UHUBCTL"))
	switch action {
	case "off":
		err = sw.Off(ctx)
	case "on":
		err = sw.On(ctx)
	default:
		err = cycle(ctx, w, cfg, sw, off)
	}
	if err == nil && action != "cycle" {
		fmt.Fprintf(w, "power: %s %s\n", sw, action)
	}
	return err
}

// cycle power-cycles the bench's Pico and, where the bench has a control
// channel, waits until VERSION answers again.
func cycle(ctx context.Context, w io.Writer, cfg bench.Config, sw power.Switch, off time.Duration) error {
	alive, err := health.Answers(cfg)
	if err != nil {
		if err := power.Cycle(ctx, sw, off); err != nil {
			return err
		}
		fmt.Fprintf(w, "power: cycled %s (off %v); without a control channel, whether the Pico is back is not asked\n", sw, off)
		return nil
	}
	r, err := power.Recover(ctx, sw, off, alive)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "power: %s\n", r)
	return nil
}

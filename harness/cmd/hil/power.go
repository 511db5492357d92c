package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
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
	cfg, err := bench.Load(os.Getenv, 1)
	if err != nil {
		return &cli.UsageError{Err: fmt.Errorf("power: bad bench configuration:\n%w", err)}
	}
	if cfg.Power.IsZero() {
		return cli.Usagef("power: the bench has no power switch (hint: a power section in the bench profile, hub and port for uhubctl or disable for the kernel's USB port attribute; see harness/target/bench/bench.example.yaml)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := lease.Take(ctx, os.Getenv, health.BenchName(cfg, os.Getenv), func(s string) { fmt.Fprintln(w, s) })
	if err != nil {
		return err
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(ctx, powerTimeout)
	defer cancel()
	sw := cfg.Power.Switch(os.Getenv("HIL_UHUBCTL"))
	switch action {
	case "off":
		err = sw.Off(ctx)
	case "on":
		err = sw.On(ctx)
	default:
		err = cycle(ctx, w, cfg, sw, *off)
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

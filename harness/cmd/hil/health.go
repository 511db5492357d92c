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
	"github.com/picohil/picohil/harness/target/bench"
)

// healthTimeout bounds a health run once the bench's lease is held.
const healthTimeout = 2 * time.Minute

// runHealth is hil health: a health run on the bench of the profile and
// environment, under its lease, that marks the bench unhealthy when it
// fails and clears the mark when it passes.
func runHealth(args []string, w io.Writer) error {
	if err := cli.Parse(flag.NewFlagSet("health", flag.ContinueOnError), args, w); err != nil {
		return err
	}
	var dir string
	stateDir := func(bench.Config) (err error) {
		dir, err = lease.StateDir(os.Getenv)
		return err
	}
	return onLeasedBench("health", w, healthTimeout, stateDir, func(ctx context.Context, cfg bench.Config, l *lease.Lease) error {
		return checkHealth(ctx, w, cfg, l, health.MarksIn(dir))
	})
}

// checkHealth runs the health checks on the bench and marks it by the
// result.
func checkHealth(ctx context.Context, w io.Writer, cfg bench.Config, l *lease.Lease, marks health.Marks) error {
	id := health.BenchName(cfg, os.Getenv)
	say := func(s string) { fmt.Fprintln(w, s) }
	b, err := bench.Open(ctx, cfg)
	if err == nil {
		defer b.Halt()
		err = health.Run(ctx, b, say)
	}
	if err != nil {
		mark := health.Mark{Bench: id, Reason: health.Reason(err), Since: time.Now(), Job: l.Owner.Job}
		if merr := marks.Set(mark); merr != nil {
			return fmt.Errorf("%w; and the mark could not be set: %w", err, merr)
		}
		return fmt.Errorf("health: bench %s is marked unhealthy, and refuses firmware runs until a health run passes: %s", id, mark.Reason)
	}
	if err := marks.Clear(id); err != nil {
		return err
	}
	fmt.Fprintf(w, "health: bench %s is healthy; firmware runs may use it\n", id)
	return nil
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/target/bench"
)

// onLeasedBench loads the bench of the profile and environment, lets
// check refuse it, takes the bench's lease and runs do under it, with a
// context that ends on an interrupt or after timeout. verb prefixes a bad
// configuration's usage error.
func onLeasedBench(verb string, w io.Writer, timeout time.Duration, check func(bench.Config) error, do func(context.Context, bench.Config, *lease.Lease) error) error {
	cfg, err := bench.Load(os.Getenv, 1)
	if err != nil {
		return &cli.UsageError{Err: fmt.Errorf("%s: bad bench configuration:\n%w", verb, err)}
	}
	if err := check(cfg); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := lease.Take(ctx, os.Getenv, health.BenchName(cfg, os.Getenv), func(s string) { fmt.Fprintln(w, s) })
	if err != nil {
		return err
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return do(ctx, cfg, l)
}

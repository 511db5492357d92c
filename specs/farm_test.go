package specs

import (
	"cmp"
	"context"
	"fmt"
	"os"

	"github.com/picohil/picohil/harness/lease"
	"github.com/picohil/picohil/harness/report"
)

// takeBench leases this process's bench for the run (harness/lease): a
// second job on the same bench waits for it, up to HIL_LEASE_WAIT. A
// fixture's bench is this process's own, so it is leased only when
// HIL_STATE_DIR asks for the farm's state. It returns the release.
func takeBench(ctx context.Context) (func(), error) {
	if cfg.Driver().Fixture && os.Getenv("HIL_STATE_DIR") == "" {
		return func() {}, nil
	}
	o, err := lease.FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	o.Say = func(line string) { fmt.Println("picohil: " + line) }
	l, err := lease.Acquire(ctx, leaseName(), o)
	if err != nil {
		return nil, err
	}
	fmt.Printf("picohil: lease: bench %s is this run's until it ends (%s)\n", l.Bench, o.Owner)
	return func() { l.Release() }, nil
}

// leaseName is the bench's name in its lease: its profile id, else
// HIL_BENCH_ID, else the host's name.
func leaseName() string {
	return cmp.Or(cfg.BenchID, report.BenchID(os.Getenv, report.ProbeHost()))
}

package hil

import (
	"context"
	"github.com/picohil/picohil/harness/target"
	"time"
)

// The deadlines every suite shares; a suite's own derive from the bench
// and its work in one place beside them (see Timeouts).
const (
	// Reply bounds one control-channel command's reply.
	Reply = 2 * time.Second
	// Grace is added to the physical duration of one operation to make
	// its deadline (Bounded); it never enters a measured budget.
	Grace = time.Second
	// Slack absorbs process start-up and scheduling on a busy machine in
	// a node's deadline; it never enters a measured budget.
	Slack = 10 * time.Second
	// Cleanup bounds letting a rig go.
	Cleanup = 5 * time.Second
)

// Timeouts are a suite's deadlines, named, in one struct: the shared ones
// here, and a suite's own in a struct that embeds this one, derived from
// Config where they depend on the bench's rates.
type Timeouts struct {
	Setup   time.Duration // BeforeSuite: open the rig, VERSION
	Reply   time.Duration
	Cleanup time.Duration
}

// DefaultTimeouts are the shared deadlines; Setup allows the time the
// target says its Open may take (target.Driver.Start).
func DefaultTimeouts() Timeouts {
	return Timeouts{Setup: Slack + 2*Reply + target.StartTimeOf(cfg.Driver()), Reply: Reply, Cleanup: Cleanup}
}

// Bounded gives one operation a deadline: its physical duration plus
// Grace.
func Bounded(ctx context.Context, physics time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, physics+Grace)
}

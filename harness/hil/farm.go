package hil

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/farm/blame"
	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/target"
)

// takeBench leases this process's bench for the run (harness/farm/lease): a
// second job on the same bench waits for it, up to HIL_LEASE_WAIT; a bench
// marked unhealthy refuses the run (harness/farm/health). A
// fixture's bench is this process's own, so it is leased only when
// HIL_STATE_DIR asks for the farm's state. It returns the release.
func takeBench(ctx context.Context) (func(), error) {
	if !leased() {
		return func() {}, nil
	}
	l, err := health.Admit(ctx, os.Getenv, health.BenchName(cfg, os.Getenv), func(line string) { fmt.Println("picohil: " + line) })
	if err != nil {
		return nil, err
	}
	fmt.Printf("picohil: lease: bench %s is this run's until it ends (%s)\n", l.Bench, l.Owner)
	return func() { l.Release() }, nil
}

// leased reports whether this run takes a lease.
func leased() bool {
	return lease.Wanted(target.IsFixture(cfg.Driver()), os.Getenv)
}

// leaseSettings checks the lease's settings, where the run takes one.
func leaseSettings() error {
	if !leased() {
		return nil
	}
	_, err := lease.FromEnv(os.Getenv)
	return err
}

// PowerOff is how long a power cycle leaves the Pico off.
const PowerOff = power.DefaultOff

// powerEntry names the report entry that says what a power cycle did.
const powerEntry = "power"

// ErrNoPowerSwitch is PowerCycle's error on a bench without a power
// switch.
var ErrNoPowerSwitch = errors.New("hil: this bench has no power switch (a power section in the bench profile, or HIL_POWER, names the Pico's USB port: a uhubctl hub and port, or the kernel's port attribute)")

// PowerCycle turns the Pico's power off for PowerOff and back on through
// the bench's switch, then waits until VERSION answers, within
// Options.Power and ctx. It says what it did in the report and returns
// it; why, where given, says why it was done, on the console too.
func (r *Rig) PowerCycle(ctx context.Context, why string) (string, error) {
	return r.powerCycle(ctx, why, func(c context.Context) error {
		_, err := r.Control.Version(c)
		return err
	})
}

// powerCycle is PowerCycle, asking alive whether the Pico is back.
func (r *Rig) powerCycle(ctx context.Context, why string, alive func(context.Context) error) (string, error) {
	if cfg.Power.IsZero() {
		return "", ErrNoPowerSwitch
	}
	pctx, cancel := context.WithTimeout(ctx, r.opts.Power)
	defer cancel()
	rec, err := power.Recover(pctx, cfg.Power.Switch(os.Getenv("HIL_UHUBCTL")), power.DefaultOff, alive)
	if err != nil && why != "" {
		return "", fmt.Errorf("%s, and a power cycle did not bring the Pico back: %w", why, err)
	}
	if err != nil {
		return "", err
	}
	said := rec.String()
	if why == "" {
		ginkgo.AddReportEntry(powerEntry, said)
		return said, nil
	}
	said = why + "; " + said
	fmt.Fprintln(ginkgo.GinkgoWriter, "picohil: "+said)
	ginkgo.AddReportEntry(powerEntry, said, ginkgo.ReportEntryVisibilityAlways)
	return said, nil
}

// preflightRecovered power-cycles a bench whose preflight failed, where
// the bench has a power switch and a control channel to ask whether the
// Pico is back; true means preflight is worth running again.
func (r *Rig) preflightRecovered(ctx context.Context, failed []report.Check) bool {
	ginkgo.GinkgoHelper()
	alive, err := health.Answers(r.Bench.Config)
	if len(failed) == 0 || err != nil || cfg.Power.IsZero() {
		return false
	}
	names := make([]string, len(failed))
	for i, c := range failed {
		detail, _, _ := strings.Cut(c.Detail, "\n")
		names[i] = c.Name + " (" + detail + ")"
	}
	_, err = r.powerCycle(ctx, "preflight failed: "+strings.Join(names, "; "), alive)
	if err != nil {
		ginkgo.AddReportEntry(benchCauseEntry, cmp.Or(blame.Cause(err), blame.Preflight), ginkgo.ReportEntryVisibilityFailureOrVerbose)
	}
	ExpectNoError(err, "a power cycle brings the Pico back after a failed preflight", "the power switch and the Pico's USB cable; `hil power cycle` tries it alone")
	return true
}

// notePreflightCause records a failed preflight as the bench's, unless the
// only check that failed is the firmware's own answer to VERSION: no
// answer, or another version than the bench expects, is the firmware's.
func notePreflightCause(failed []report.Check) {
	for _, c := range failed {
		if c.Name != "firmware.version" {
			ginkgo.AddReportEntry(benchCauseEntry, blame.Preflight, ginkgo.ReportEntryVisibilityFailureOrVerbose)
			return
		}
	}
}

// A spec that failed on hardware while one of the bench's ports is gone
// failed for the port, whatever its own error said. (A fixture's ports go
// with its device, whose death is the firmware's.)
var _ = ginkgo.AfterEach(func(ctx ginkgo.SpecContext) {
	if !ginkgo.CurrentSpecReport().Failed() || rig == nil || rig.Bench == nil || target.IsFixture(rig.Bench.Driver()) {
		return
	}
	if gone := portGone(ctx); gone != "" {
		fmt.Fprintf(ginkgo.GinkgoWriter, "picohil: %s is gone: the bench's failure\n", gone)
		ginkgo.AddReportEntry(benchCauseEntry, blame.PortGone, ginkgo.ReportEntryVisibilityFailureOrVerbose)
	}
}, ginkgo.NodeTimeout(5*time.Second))

// portGone names a port of the bench that is not there, "" when all are.
func portGone(ctx context.Context) string {
	if _, err := os.Stat(rig.Bench.DataPort); err != nil {
		return rig.Bench.DataPort
	}
	switch {
	case !rig.Bench.ControlMatch.IsZero():
		if _, err := discover.System.Find(ctx, rig.Bench.ControlMatch); err != nil {
			return "the control port (" + rig.Bench.ControlMatch.String() + ")"
		}
	case rig.Bench.ControlPort != "":
		if _, err := os.Stat(rig.Bench.ControlPort); err != nil {
			return rig.Bench.ControlPort
		}
	}
	return ""
}

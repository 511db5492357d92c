package specs

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/farm/blame"
	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/bench"
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
	l, err := health.Admit(ctx, os.Getenv, leaseName(), func(line string) { fmt.Println("picohil: " + line) })
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

// leaseName is the bench's name in its lease: its profile id, else
// HIL_BENCH_ID, else the host's name.
func leaseName() string {
	return health.BenchName(cfg, os.Getenv)
}

// powerEntry names the report entry that says the bench's power switch
// recovered the Pico.
const powerEntry = "power"

// recoverByPower power-cycles the Pico through the bench's switch, when it
// has one, and waits up to timeouts.Power until alive answers. It says
// what it did (why, and the recovery) on the console and in the report,
// and returns false without a switch.
func recoverByPower(ctx context.Context, why string, alive func(context.Context) error) (bool, error) {
	if cfg.Power.IsZero() {
		return false, nil
	}
	pctx, cancel := context.WithTimeout(ctx, timeouts.Power)
	defer cancel()
	r, err := power.Recover(pctx, cfg.Power.Switch(os.Getenv("HIL_UHUBCTL")), power.DefaultOff, alive)
	if err != nil {
		return true, fmt.Errorf("%s, and a power cycle did not bring the Pico back: %w", why, err)
	}
	said := why + "; " + r.String()
	fmt.Fprintln(GinkgoWriter, "picohil: "+said)
	AddReportEntry(powerEntry, said, ReportEntryVisibilityAlways)
	return true, nil
}

// preflightRecovered power-cycles a bench whose preflight failed, where
// the bench has a power switch and a control channel to ask whether the
// Pico is back; true means preflight is worth running again.
func preflightRecovered(ctx context.Context, b *bench.Bench, failed []report.Check) bool {
	GinkgoHelper()
	alive, err := health.Answers(b.Config)
	if len(failed) == 0 || err != nil {
		return false
	}
	names := make([]string, len(failed))
	for i, c := range failed {
		detail, _, _ := strings.Cut(c.Detail, "\n")
		names[i] = c.Name + " (" + detail + ")"
	}
	ok, err := recoverByPower(ctx, "preflight failed: "+strings.Join(names, "; "), alive)
	if err != nil {
		AddReportEntry(hil.BenchCauseEntry, cmp.Or(blame.Cause(err), blame.Preflight), ReportEntryVisibilityFailureOrVerbose)
	}
	hil.ExpectNoError(err, "a power cycle brings the Pico back after a failed preflight", "the power switch and the Pico's USB cable; `hil power cycle` tries it alone")
	return ok
}

// powerAfterReset power-cycles a Pico that never answered after its reset,
// so that only the reset spec fails for it.
func powerAfterReset(ctx SpecContext) {
	_, err := recoverByPower(ctx, "reset: no VERSION answer within the reset budget", func(c context.Context) error {
		_, err := rig.Control.Version(c)
		return err
	})
	hil.ExpectNoError(err, "a power cycle brings the Pico back after a reset that timed out", "the power switch and the Pico's USB cable; `hil power cycle` tries it alone")
}

// A spec that failed on hardware while one of the bench's ports is gone
// failed for the port, whatever its own error said. (A fixture's ports go
// with its device, whose death is the firmware's.)
var _ = AfterEach(func(ctx SpecContext) {
	if !CurrentSpecReport().Failed() || rig.Bench == nil || target.IsFixture(rig.Bench.Driver()) {
		return
	}
	if gone := portGone(ctx); gone != "" {
		fmt.Fprintf(GinkgoWriter, "picohil: %s is gone: the bench's failure\n", gone)
		AddReportEntry(hil.BenchCauseEntry, blame.PortGone, ReportEntryVisibilityFailureOrVerbose)
	}
}, NodeTimeout(5*time.Second))

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

// notePreflightCause records a failed preflight as the bench's, unless the
// only check that failed is the firmware's own answer to VERSION: no
// answer, or another version than the bench expects, is the firmware's.
func notePreflightCause(failed []report.Check) {
	for _, c := range failed {
		if c.Name != "firmware.version" {
			AddReportEntry(hil.BenchCauseEntry, blame.Preflight, ReportEntryVisibilityFailureOrVerbose)
			return
		}
	}
}

// Package blame tells the bench's failures from the firmware's. A failure
// is the firmware's unless it is known to be the bench's: a port that went
// away, a failed preflight check of the bench, the host late (a verdict
// the host's lateness made inconclusive), the power switch, a lease
// refused, a bench marked unhealthy, or a bench configuration that does
// not hold. A run with any failure of the bench's is the bench's: what the
// firmware did on a failing bench is not a verdict.
//
// The classification shows in report.json (blame, bench_cause, and each
// spec's blame and cause), report.html, JUnit (the properties blame and
// cause) and the exit status of `hil verdict`.
package blame

import (
	"cmp"
	"errors"
	"slices"

	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/serial/reconnect"
	"github.com/picohil/picohil/harness/target/bench"
)

// Whose failure it is.
const (
	Firmware = "firmware"
	Bench    = "bench"
)

// The bench's causes.
const (
	PortGone      = "port gone"
	Preflight     = "preflight"
	HostLate      = "host late"
	Power         = "power"
	LeaseRefused  = "lease refused"
	Unhealthy     = "unhealthy"
	Configuration = "configuration"
)

// Cause is the bench's cause of err, "" when err is not known to be the
// bench's.
func Cause(err error) string {
	var le *link.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, new(*lease.RefusedError)):
		return LeaseRefused
	case errors.As(err, new(*health.UnhealthyError)):
		return Unhealthy
	case errors.As(err, new(*power.Error)):
		return Power
	case errors.As(err, new(*reconnect.Error)), errors.As(err, new(*discover.NotFoundError)):
		return PortGone
	case errors.As(err, &le) && (le.Kind == link.NotFound || le.Kind == link.Disconnected):
		return PortGone
	case errors.As(err, new(*bench.ConfigError)), errors.As(err, new(*bench.FileError)):
		return Configuration
	}
	return ""
}

// benchStates are spec states that are the bench's by themselves, with
// their cause.
var benchStates = map[string]string{report.Inconclusive: HostLate}

// Spec is whose a spec's outcome is, from its state and the bench's cause
// recorded at its failure ("" when none was): "" for a spec that did not
// fail.
func Spec(state, cause string) (whose, why string) {
	if c, ok := benchStates[state]; ok {
		return Bench, c
	}
	switch {
	case state == "passed" || state == "skipped" || state == "pending":
		return "", ""
	case cause != "":
		return Bench, cause
	}
	return Firmware, ""
}

// rank orders the bench's causes for a run's: the one that explains most.
// The host late comes last, since it makes a verdict inconclusive where
// the others fail it.
var rank = []string{PortGone, Power, Unhealthy, LeaseRefused, Preflight, Configuration, HostLate}

// weight is a cause's place in rank; one not ranked comes after all.
func weight(cause string) int {
	if i := slices.Index(rank, cause); i >= 0 {
		return i
	}
	return len(rank)
}

// Classify sets the run's and every spec's blame in r: a run that stopped
// before any spec (its BenchCause set by whoever stopped it, from Cause;
// configuration when unknown), or with any spec failed on the bench, is the bench's,
// with the cause that explains most (rank); a failed run otherwise is the
// firmware's.
func Classify(r *report.Report) {
	if r.Stopped != "" {
		r.Blame, r.BenchCause = Bench, cmp.Or(r.BenchCause, Configuration)
		return
	}
	r.Blame, r.BenchCause = "", ""
	for i := range r.Specs {
		s := &r.Specs[i]
		s.Blame, s.Cause = Spec(s.State, s.Cause)
		switch {
		case s.Blame == Bench && (r.Blame != Bench || weight(s.Cause) < weight(r.BenchCause)):
			r.Blame, r.BenchCause = Bench, s.Cause
		case s.Blame == Firmware && r.Blame == "":
			r.Blame = Firmware
		}
	}
	if r.Blame == "" && !r.Pass {
		r.Blame = Firmware // a failed run with no failed spec: the suite's own verdict
	}
}

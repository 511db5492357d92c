package blame

import (
	"errors"
	"fmt"
	"testing"

	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/serial/reconnect"
)

func TestCause(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("x: %w", &lease.RefusedError{Bench: "b"}), LeaseRefused},
		{&health.UnhealthyError{}, Unhealthy},
		{&power.Error{Switch: "s", Action: "off", Err: errors.New("x")}, Power},
		{&reconnect.Error{Last: "/dev/ttyACM0", Err: errors.New("gone")}, PortGone},
		{&discover.NotFoundError{}, PortGone},
		{&link.Error{Op: "read", Port: "/dev/ttyACM0", Kind: link.Disconnected}, PortGone},
		{&link.Error{Op: "open", Port: "/dev/ttyACM0", Kind: link.NotFound}, PortGone},
		{&link.Error{Op: "read", Port: "/dev/serial0", Kind: link.Timeout}, ""}, // a silent firmware
		{errors.New("echo: byte 3 differs"), ""},
		{nil, ""},
	} {
		if got := Cause(c.err); got != c.want {
			t.Errorf("Cause(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	spec := func(state, cause string) report.Spec {
		return report.Spec{Name: state + cause, State: state, Cause: cause}
	}
	for _, c := range []struct {
		name        string
		r           report.Report
		blame, why  string
		specsBlamed []string
	}{
		{"pass", report.Report{Pass: true, Specs: []report.Spec{spec("passed", ""), spec("skipped", "")}}, "", "", []string{"", ""}},
		{"firmware", report.Report{Specs: []report.Spec{spec("passed", ""), spec("failed", "")}}, Firmware, "", []string{"", Firmware}},
		{"a port gone explains more than the host late", report.Report{Specs: []report.Spec{spec(report.Inconclusive, ""), spec("failed", PortGone)}}, Bench, PortGone, []string{Bench, Bench}},
		{"the bench wins", report.Report{Specs: []report.Spec{spec("failed", ""), spec("failed", PortGone), spec("timedout", "")}}, Bench, PortGone, []string{Firmware, Bench, Firmware}},
		{"inconclusive: host late", report.Report{Specs: []report.Spec{spec("passed", ""), spec(report.Inconclusive, "")}}, Bench, HostLate, []string{"", Bench}},
		{"stopped by a lease", report.Report{Stopped: "lease: ...", BenchCause: LeaseRefused}, Bench, LeaseRefused, nil},
		{"stopped by a setting", report.Report{Stopped: "bench: ..."}, Bench, Configuration, nil},
	} {
		Classify(&c.r)
		if c.r.Blame != c.blame || c.r.BenchCause != c.why {
			t.Errorf("%s: run %q (%q), want %q (%q)", c.name, c.r.Blame, c.r.BenchCause, c.blame, c.why)
		}
		for i, s := range c.r.Specs {
			if s.Blame != c.specsBlamed[i] {
				t.Errorf("%s: spec %s blamed %q, want %q", c.name, s.Name, s.Blame, c.specsBlamed[i])
			}
		}
	}
}

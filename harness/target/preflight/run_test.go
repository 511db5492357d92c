package preflight

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/fixtures/virtual/virtualtest"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// script is a control line that answers from a list of lines, then times
// out.
type script struct{ lines []string }

func (s *script) Write([]byte) error { return nil }

func (s *script) ReadLine(ctx context.Context) (string, error) {
	if len(s.lines) == 0 {
		<-ctx.Done()
		return "", &link.Error{Op: "read", Port: "script", Kind: link.Timeout, Err: link.ErrTimeout}
	}
	l := s.lines[0]
	s.lines = s.lines[1:]
	return l, nil
}

func TestHandshake(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		lines          []string
		expect, status string
		detail         string
	}{
		{[]string{"OK VERSION picohil 1.2.0"}, "", report.CheckOK, "picohil 1.2.0"},
		{[]string{"booting", "OK VERSION picohil 1.2.0"}, "1.2.0", report.CheckOK, "as expected"},
		{[]string{"OK VERSION picohil 1.2.0"}, "picohil 1.2.0", report.CheckOK, "as expected"},
		{[]string{"OK VERSION picohil 1.2.0"}, "1.3.0", report.CheckFail, "firmware picohil 1.2.0"},
		{[]string{"Traceback (most recent call last):"}, "", report.CheckFail, "other lines: Traceback"},
		{[]string{"OK VERSION 1.2.0"}, "", report.CheckFail, "malformed"},
	} {
		c := Handshake(ctx, control.New(&script{lines: tc.lines}), 20*time.Millisecond, tc.expect)
		if c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
			t.Errorf("%q expect %q: %+v", tc.lines, tc.expect, c)
		}
	}
}

func TestPortAccess(t *testing.T) {
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if c := PortAccess("port.data", p.Path, 115200); c.Status != report.CheckOK {
		t.Fatalf("%+v", c)
	}
	// A pty runs every rate: the sweep's rates are confirmed, not refused.
	if c := PortAccess("port.data", p.Path, 115200, 9600, 57600); c.Status != report.CheckOK || !strings.Contains(c.Detail, "runs [9600 57600]") {
		t.Fatalf("%+v", c)
	}
	if got, err := p.HostBaud(); err != nil || got != 115200 {
		t.Fatalf("the port was left at %d, %v; want it back at 115200", got, err)
	}
	c := PortAccess("port.data", "/dev/ttyNOPE9", 115200)
	if c.Status != report.CheckFail || !strings.Contains(c.Detail, "not found") || !strings.Contains(c.Hint, "does not exist") {
		t.Fatalf("%+v", c)
	}
	if c := PortAccess("port.data", p.Path, 0); c.Status != report.CheckFail || !strings.Contains(c.Hint, "standard rate") {
		t.Fatalf("%+v", c)
	}
}

// plan is a preflight of a virtual Pico, as if it were a real bench.
func plan(t *testing.T, faults ...virtual.Fault) Plan {
	t.Helper()
	fs := virtual.Faults{}
	for _, f := range faults {
		fs[f] = true
	}
	d := virtualtest.Start(t, virtual.Config{BlinkHalf: 20 * time.Millisecond, Faults: fs})
	return Plan{
		Data: d.DataPort(), Control: d.ControlPort(), Baud: virtual.DefaultBaud, LED: d.LED(),
		BlinkHalf: 20 * time.Millisecond, JitterTol: 50 * time.Millisecond,
		Reply: time.Second, EchoTimeout: time.Second,
		Files: tree(t, nil, nil), Wake: lateBy(10 * time.Microsecond),
	}
}

func statuses(checks []report.Check) map[string]string {
	m := map[string]string{}
	for _, c := range checks {
		m[c.Name] = c.Status
	}
	return m
}

func TestRunOnAHealthyBench(t *testing.T) {
	p := plan(t)
	p.ExpectVersion = virtual.FirmwareVersion
	p.Bauds = []int{9600, 57600}
	checks := Run(context.Background(), p)
	if d := checks[0].Detail; !strings.Contains(d, "runs [9600 57600]") {
		t.Errorf("port.data with a control channel: %q; want the sweep run", d)
	}
	want := map[string]string{
		"port.data": "ok", "port.control": "ok", "uart.console": "skip", "uart.mini": "skip",
		"firmware.version": "ok", "wiring.echo": "ok", "wiring.led": "ok", "host.wake_jitter": "ok",
	}
	if got := statuses(checks); len(got) != len(want) || len(checks) != len(want) {
		t.Fatalf("checks %v", got)
	}
	for name, s := range want {
		if got := statuses(checks)[name]; got != s {
			t.Errorf("%s: %s, want %s\n%s", name, got, s, Format(checks))
		}
	}
	// The ports are closed again: the suite opens them next.
	l, err := link.Open(p.Data, p.Baud)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}

func TestRunFailsASilentBenchButLeavesAFixtureToTheSpecs(t *testing.T) {
	p := plan(t, virtual.NoEcho, virtual.BlinkStuck)
	p.ExpectVersion = "9.9.9"
	checks := Run(context.Background(), p)
	got := statuses(checks)
	if got["wiring.echo"] != "fail" || got["wiring.led"] != "fail" || got["firmware.version"] != "fail" {
		t.Fatalf("%s", Format(checks))
	}
	if n := len(Select(checks, report.CheckFail)); n != 3 {
		t.Fatalf("%d fails:\n%s", n, Format(checks))
	}
	out := Format(checks)
	for _, want := range []string{"wiring.echo", "0 of 1", "hint: wiring Pi TXD", "0 edges, the pin stayed Low"} {
		if !strings.Contains(out, want) {
			t.Errorf("format lacks %q:\n%s", want, out)
		}
	}
	p.Fixture, p.ExpectVersion = "virtual", ""
	got = statuses(Run(context.Background(), p))
	if got["wiring.echo"] != "warn" || got["wiring.led"] != "warn" || got["uart.console"] != "skip" {
		t.Fatalf("fixture: %v", got)
	}
}

func TestRunWithoutControlOrLED(t *testing.T) {
	p := plan(t)
	p.Bauds = []int{9600, 57600}
	p.Control, p.LED = "", nil
	checks := Run(context.Background(), p)
	got := statuses(checks)
	if got["port.control"] != "skip" || got["firmware.version"] != "skip" || got["wiring.led"] != "skip" || got["wiring.echo"] != "ok" {
		t.Fatalf("%v", got)
	}
	// Without a control channel the suite never switches rates: a rate of
	// the sweep the UART cannot run is no reason to stop a partial bench.
	if d := checks[0].Detail; strings.Contains(d, "runs") {
		t.Fatalf("port.data without a control channel: %q; want the sweep left alone", d)
	}
	p.Data = "/dev/ttyNOPE9"
	got = statuses(Run(context.Background(), p))
	if got["port.data"] != "fail" || got["wiring.echo"] != "skip" {
		t.Fatalf("%v", got)
	}
}

func TestRunNamesAControlPortThatDoesNotOpen(t *testing.T) {
	p := plan(t)
	p.Control = "/dev/ttyNOPE9"
	checks := Run(context.Background(), p)
	got := statuses(checks)
	if got["port.control"] != "fail" || got["firmware.version"] != "skip" {
		t.Fatalf("%v", got)
	}
}

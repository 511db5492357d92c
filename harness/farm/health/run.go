package health

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/serial/reconnect"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/bench"
	"github.com/picohil/picohil/harness/target/preflight"
	"github.com/picohil/picohil/harness/target/reset"
)

// Admit takes bench's lease for a firmware run (lease.Take) and refuses
// the run while the bench is marked unhealthy.
func Admit(ctx context.Context, getenv func(string) string, bench string, say func(string)) (*lease.Lease, error) {
	l, err := lease.Take(ctx, getenv, bench, say)
	if err != nil {
		return nil, err
	}
	dir, err := lease.StateDir(getenv)
	if err == nil {
		err = MarksIn(dir).Check(bench)
	}
	if err != nil {
		l.Release()
		return nil, err
	}
	return l, nil
}

// BenchName is the bench's name in its lease and its health mark: its
// profile id, else HIL_BENCH_ID, else the host's name.
func BenchName(c bench.Config, getenv func(string) string) string {
	return cmp.Or(c.BenchID, report.BenchID(getenv, report.ProbeHost()))
}

// PreflightPlan is the preflight of the opened bench, with the deadline
// of one control reply and of one one-byte round trip.
func PreflightPlan(b *bench.Bench, reply, echo time.Duration) preflight.Plan {
	p := preflight.Plan{
		Data: b.DataPort, Control: b.ControlPort, Baud: b.Baud, Bauds: b.Bauds,
		ExpectVersion: b.ExpectVersion, LED: b.LED,
		BlinkHalf: b.BlinkHalf, JitterTol: b.JitterTol,
		Reply: reply, EchoTimeout: echo,
	}
	if target.IsFixture(b.Driver()) {
		p.Fixture = b.Target
	}
	return p
}

// The health run's deadlines: a control reply, a one-byte round trip, and
// how soon after a reset VERSION must answer (the suite's reset budget).
const (
	reply       = 2 * time.Second
	echoTrip    = time.Second
	resetBudget = 5 * time.Second
)

// Failure is a health run that failed, at a step.
type Failure struct {
	Step   string // preflight, reset, echo, blink
	Reason string
}

func (f *Failure) Error() string { return "health: " + f.Step + ": " + f.Reason }

// Run is a health run on the opened bench: preflight, a reset through RUN
// where the bench has a reset pin and a control channel, then one short
// echo and the LED's toggles. say gets a line per step. A failed step is
// a *Failure naming it.
func Run(ctx context.Context, b *bench.Bench, say func(string)) error {
	checks := preflight.Run(ctx, PreflightPlan(b, reply, echoTrip))
	say(strings.TrimRight(preflight.Format(checks), "\n"))
	if failed := preflight.Select(checks, report.CheckFail); len(failed) > 0 {
		return &Failure{"preflight", failed[0].Name + ": " + failed[0].Detail}
	}
	var ctl *control.Client
	if b.ControlPort != "" {
		line, err := OpenControl(b)
		if err != nil {
			return &Failure{"reset", err.Error()}
		}
		defer line.Close()
		ctl = control.New(line)
	}
	switch {
	case b.Reset == nil || ctl == nil:
		say("health: reset: not tried, the bench has no reset pin or no control channel")
	default:
		rctx, cancel := context.WithTimeout(ctx, reset.DefaultPulse+resetBudget)
		r, err := reset.Reset(rctx, b.Reset, reset.DefaultPulse, ctl)
		cancel()
		if err != nil {
			return &Failure{"reset", err.Error()}
		}
		say(fmt.Sprintf("health: reset: %s answered %v after RUN was released", r.Version, r.Recovered.Round(time.Millisecond)))
		if err := ctl.SetBaud(ctx, b.Baud); err != nil {
			return &Failure{"reset", fmt.Sprintf("BAUD %d after the reset: %v", b.Baud, err)}
		}
	}
	return echoAndBlink(ctx, b, ctl, say)
}

// echoAndBlink checks one byte's echo and, where the bench reads the LED,
// its toggles at the bench's half-period.
func echoAndBlink(ctx context.Context, b *bench.Bench, ctl *control.Client, say func(string)) error {
	data, err := link.Open(b.DataPort, b.Baud)
	if err != nil {
		return &Failure{"echo", err.Error()}
	}
	defer data.Close()
	c := preflight.EchoByte(ctx, data, echoTrip, report.CheckFail)
	if c.Status != report.CheckOK {
		return &Failure{"echo", c.Detail}
	}
	say("health: echo: " + c.Detail)
	if b.LED == nil {
		say("health: blink: not checked, the bench has no LED input")
		return nil
	}
	if ctl != nil {
		if err := ctl.SetBlink(ctx, int(b.BlinkHalf/time.Millisecond)); err != nil {
			return &Failure{"blink", err.Error()}
		}
	}
	// A health run asks whether the LED blinks; the suite judges its
	// cadence. Two more half-periods than the cadence's wiring check let
	// a busy bench Pi arm its capture late without marking a sound bench
	// unhealthy (at 100 ms half-periods and load average 9, one edge in
	// 210 ms did); a stuck LED fails whatever the window.
	window := preflight.LEDWindow(b.BlinkHalf, b.JitterTol) + 2*b.BlinkHalf
	c = preflight.LEDToggles(ctx, b.LED, b.BlinkHalf, window, report.CheckFail)
	if c.Status != report.CheckOK {
		return &Failure{"blink", c.Detail}
	}
	say("health: blink: " + c.Detail)
	return nil
}

// OpenControl opens the bench's control channel so that a port that
// re-enumerates (on a reset, a replug, a power cycle) is found again: by
// USB identity where the bench gives one, else by its path.
func OpenControl(b *bench.Bench) (*reconnect.Line, error) {
	find := reconnect.ByPath(b.ControlPort)
	if !b.ControlMatch.IsZero() {
		find = reconnect.ByMatch(discover.System, b.ControlMatch)
	}
	return reconnect.Open(b.ControlPort, find)
}

// Reason is the one line a mark keeps of why a health run failed.
func Reason(err error) string {
	if f, ok := errors.AsType[*Failure](err); ok {
		return f.Step + ": " + strings.TrimPrefix(firstLine(f.Reason), f.Step+": ")
	}
	return firstLine(err.Error())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

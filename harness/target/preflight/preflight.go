// Package preflight checks a bench before any spec runs, so a miswired or
// misconfigured bench stops with one explanation instead of a page of
// failed specs:
//
//   - port.data, port.control: the ports exist and open (link's typed
//     errors say why not: missing, permission, held by another program),
//     and, with a control channel, the data port's driver runs every rate
//     of the sweep;
//   - uart.console, uart.mini: on a Pi header UART (/dev/serial0 and the
//     ttyS*/ttyAMA* it points at) a login console or getty that would eat
//     the bytes, and the mini-UART, whose baud follows the core clock;
//   - firmware.version: VERSION answers, and matches the expected version
//     when the bench names one;
//   - wiring.echo, wiring.led: one byte echoes, the LED toggles twice
//     within two half-periods;
//   - host.wake_jitter: the host's own timer wake-up lateness, recorded
//     next to the jitter tolerance it eats into.
//
// Each check is a report.Check: ok, warn, fail or skip, with what a healthy
// bench shows, what was seen and what to check. A fail stops the suite; a
// warn is printed and reported. On a fixture (virtual, micropython) the Pi
// UART checks skip, and a silent echo or LED is left to the specs, which
// judge the firmware with full evidence: a fixture has no wires to check.
package preflight

import (
	"context"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// Plan is the bench as preflight sees it.
type Plan struct {
	Fixture       string // the fixture standing in for a Pico ("virtual", "micropython"), "" on a real bench
	Data, Control string // port paths; Control is "" without a control channel
	Baud          int
	Bauds         []int      // the rates the suite switches the data port to, with a control channel
	ExpectVersion string     // "<semver>" or "<name> <semver>", "" for any
	LED           gpio.PinIn // nil without an LED input
	BlinkHalf     time.Duration
	JitterTol     time.Duration
	Reply         time.Duration // deadline of one control reply
	EchoTimeout   time.Duration // deadline of one one-byte round trip
	Files         Files         // zero: System
	Wake          Waker         // nil: the real timer
}

// Run performs every check in order and returns their outcomes. It opens
// the ports itself and closes them before returning.
func Run(ctx context.Context, p Plan) []report.Check {
	if p.Files == (Files{}) {
		p.Files = System
	}
	if p.Wake == nil {
		p.Wake = TimerWake
	}
	// The suite leaves Baud only through BAUD on the control channel:
	// without one, rates of the sweep it never runs stop nothing.
	sweep := p.Bauds
	if p.Control == "" {
		sweep = nil
	}
	checks := []report.Check{PortAccess("port.data", p.Data, p.Baud, sweep...)}
	dataOK := checks[0].Status == report.CheckOK
	ctlOK := false
	if p.Control == "" {
		checks = append(checks, skip("port.control", "this bench has no control channel"))
	} else {
		checks = append(checks, PortAccess("port.control", p.Control, control.PortBaud))
		ctlOK = checks[1].Status == report.CheckOK
	}
	if p.Fixture != "" {
		reason := "the " + p.Fixture + " fixture has no Pi UART"
		checks = append(checks, skip("uart.console", reason), skip("uart.mini", reason))
	} else {
		checks = append(checks, SerialConsole(p.Files, p.Data), MiniUART(p.Files, p.Data))
	}
	var ctl *control.Client
	switch {
	case p.Control == "":
		checks = append(checks, skip("firmware.version", "this bench has no control channel"))
	case !ctlOK:
		checks = append(checks, skip("firmware.version", "the control port does not open"))
	default:
		l, err := link.Open(p.Control, control.PortBaud)
		if err != nil {
			checks = append(checks, fail("firmware.version", "the control port opens", err.Error(), portHint(err)))
			break
		}
		defer l.Close()
		ctl = control.New(l)
		hs := Handshake(ctx, ctl, p.Reply, p.ExpectVersion)
		if hs.Status != report.CheckOK {
			ctl = nil // no BLINK to a firmware that did not answer VERSION
		}
		if hs.Status == report.CheckFail && p.Fixture != "" && strings.HasPrefix(hs.Expected, versionAnswered) {
			// Any firmware is judged on a fixture: echo and blink run, the
			// specs that need BURST or BAUD skip.
			hs.Status = report.CheckWarn
			hs.Detail = NoProtocol + " (" + hs.Detail + "); the echo and blink specs judge it at HIL_BLINK_MS, the ones that need BURST or BAUD skip"
		}
		checks = append(checks, hs)
	}
	if dataOK {
		checks = append(checks, p.echo(ctx))
	} else {
		checks = append(checks, skip("wiring.echo", "the data port does not open"))
	}
	checks = append(checks, p.led(ctx, ctl), HostWake(ctx, p.Wake, p.JitterTol))
	return checks
}

// silence is the status of a wiring check that saw nothing: on a fixture
// there is no wire, so it is the firmware's fault and left to the specs.
func (p Plan) silence() string {
	if p.Fixture != "" {
		return report.CheckWarn
	}
	return report.CheckFail
}

func check(name, status, expected, detail, hint string) report.Check {
	return report.Check{Name: name, Status: status, Expected: expected, Detail: detail, Hint: hint}
}

func ok(name, detail string) report.Check { return check(name, report.CheckOK, "", detail, "") }

func skip(name, reason string) report.Check { return check(name, report.CheckSkip, "", reason, "") }

func fail(name, expected, detail, hint string) report.Check {
	return check(name, report.CheckFail, expected, detail, hint)
}

// Select returns the checks with the given status, in order.
func Select(checks []report.Check, status string) []report.Check {
	var out []report.Check
	for _, c := range checks {
		if c.Status == status {
			out = append(out, c)
		}
	}
	return out
}

// Format renders the checks one per line, with the hint under a warn or
// fail, for the console.
func Format(checks []report.Check) string {
	var b strings.Builder
	for _, c := range checks {
		fmt.Fprintf(&b, "preflight %-4s %-18s %s\n", c.Status, c.Name, c.Detail)
		if c.Hint != "" && (c.Status == report.CheckWarn || c.Status == report.CheckFail) {
			fmt.Fprintf(&b, "%33s hint: %s\n", "", c.Hint)
		}
	}
	return b.String()
}

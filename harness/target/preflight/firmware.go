package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// probeByte is the wiring echo's payload: alternating bits, so a stuck or
// inverted line cannot pass it.
const probeByte = 0xA5

// flushSettle is how long the data line must stay quiet before the probe.
const flushSettle = 20 * time.Millisecond

// NoProtocol is why a firmware that never answers VERSION is judged only
// on its echo and blink.
const NoProtocol = "the firmware does not answer the control protocol"

// versionAnswered is what Handshake expects when VERSION gets no reply.
const versionAnswered = "VERSION answered with OK VERSION <name> <semver> within "

// Handshake asks for VERSION within reply and, when expect is not empty,
// compares it: expect is "<semver>" or "<name> <semver>".
func Handshake(ctx context.Context, c *control.Client, reply time.Duration, expect string) report.Check {
	const name = "firmware.version"
	vctx, cancel := context.WithTimeout(ctx, reply)
	defer cancel()
	v, err := c.Version(vctx)
	if err != nil {
		seen := err.Error()
		if len(c.Noise) > 0 {
			seen += "; other lines: " + strings.Join(c.Noise, " | ")
		}
		return fail(name, versionAnswered+reply.String(), seen,
			"is the firmware running, and is the control port the Pico's USB serial (not the data UART)? A reply such as OK <name> <semver>, without the command word, is a firmware older than 1.1.0: make deploy")
	}
	if expect != "" && expect != v.Semver && expect != v.String() {
		return fail(name, "firmware "+expect+" (the bench's expected version)", "firmware "+v.String(),
			"flash the expected release (make deploy / hil flash), or update the bench's expected version")
	}
	if expect != "" {
		return ok(name, v.String()+", as expected")
	}
	return ok(name, v.String())
}

// Echo is the data-line probe: the line goes quiet, then one byte is
// echoed within timeout.
type Echo interface {
	echo.Port
	Flush(ctx context.Context, settle time.Duration) (int, error)
}

const echoHint = "wiring Pi TXD (GPIO14) -> Pico GP5 and Pi RXD (GPIO15) <- Pico GP4, common GND, the same baud on both sides, and that the firmware's echo task runs"

// EchoByte sends one byte on a quiet line and expects it back within
// timeout; silent is the status when it does not come back.
func EchoByte(ctx context.Context, e Echo, timeout time.Duration, silent string) report.Check {
	const name = "wiring.echo"
	if _, err := e.Flush(ctx, flushSettle); err != nil {
		return check(name, silent, "the data line goes quiet", err.Error(), "something keeps sending on the data line: a boot loop or a console")
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rtt, err := echo.RoundTrip(tctx, e, []byte{probeByte})
	if err != nil {
		return check(name, silent, fmt.Sprintf("byte 0x%02X echoed within %v", probeByte, timeout), err.Error(), echoHint)
	}
	return ok(name, fmt.Sprintf("byte 0x%02X echoed in %v", probeByte, rtt.Round(time.Microsecond)))
}

func (p Plan) echo(ctx context.Context) report.Check {
	l, err := link.Open(p.Data, p.Baud)
	if err != nil {
		return fail("wiring.echo", "the data port opens", err.Error(), portHint(err))
	}
	defer l.Close()
	return EchoByte(ctx, l, p.EchoTimeout, p.silence())
}

const ledHint = "the LED mirror wire Pico GP15 -> the Pi's LED input pin, and that the firmware's blink task runs"

// LEDWindow is how long the LED may take for two edges: two half-periods
// and, for each, the jitter the bench tolerates.
func LEDWindow(half, jitterTol time.Duration) time.Duration { return 2 * (half + jitterTol) }

// LEDToggles expects two LED edges within window (LEDWindow for a check of
// the cadence's wiring); silent is the status when they do not come.
func LEDToggles(ctx context.Context, led gpio.PinIn, half, window time.Duration, silent string) report.Check {
	const name = "wiring.led"
	edges, err := edge.Capture(ctx, led, 2, window)
	if err != nil {
		var short *edge.ShortError
		if errors.As(err, &short) {
			return check(name, silent, fmt.Sprintf("2 edges on %s within %v (%.1f half-periods of %v)", led, window, float64(window)/float64(half), half),
				fmt.Sprintf("%d edges, the pin stayed %s", short.Got, short.Level), ledHint)
		}
		return fail(name, "edge detection on "+led.String(), err.Error(), "the pin cannot detect edges: check that no other program or overlay uses it")
	}
	return ok(name, fmt.Sprintf("%s toggled, %v apart", led, edges[1].At.Sub(edges[0].At).Round(time.Millisecond)))
}

// led sets the blink half-period where the firmware answers on the control
// channel (ctl is nil otherwise), then watches the LED.
func (p Plan) led(ctx context.Context, ctl *control.Client) report.Check {
	if p.LED == nil {
		return skip("wiring.led", "this bench has no LED input pin")
	}
	if ctl != nil {
		ms := int(p.BlinkHalf / time.Millisecond)
		bctx, cancel := context.WithTimeout(ctx, p.Reply)
		err := ctl.SetBlink(bctx, ms)
		cancel()
		if err != nil {
			return fail("wiring.led", fmt.Sprintf("BLINK %d answered OK", ms), err.Error(), "the control channel answered VERSION but not BLINK: a firmware bug")
		}
	}
	return LEDToggles(ctx, p.LED, p.BlinkHalf, LEDWindow(p.BlinkHalf, p.JitterTol), p.silence())
}

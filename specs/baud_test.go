package specs

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
)

const baudHint = "the firmware's UART init (baudrate=...), the Pico's clock, and on the Pi the PL011 UART (enable_uart=1, dtoverlay=disable-bt): the mini-UART's rate follows the core clock"

// baudRates gathers the effective rates a spec measures into one
// measurement, whose name does not change with the rates; it is recorded
// when the spec ends, however it ends.
type baudRates struct {
	name  string
	rates []stats.Point
}

func measureRates(name string) *baudRates {
	r := &baudRates{name: name}
	DeferCleanup(func() {
		if len(r.rates) > 0 {
			hil.Record(r.measurement())
		}
	})
	return r
}

func (r *baudRates) measurement() stats.Measurement {
	return baud.Measure(r.name, baudTolerance, r.rates...)
}

// measure asks for a burst at nominal and adds its effective rate. On the
// host's clock a burst whose rate the host's stalls explain is asked for
// again (echo.Again), and never counted.
func (r *baudRates) measure(ctx context.Context, nominal int) {
	GinkgoHelper()
	n := baud.BurstLen(nominal, burstDuration)
	var b baud.Burst
	var eff float64
	var burstErr, effErr, readErr error
	late, err := echo.Again(fmt.Sprintf("the burst at %d baud", nominal), func() (bool, error) {
		mark := uartMark()
		bctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
		burstErr = rig.Control.Burst(bctx, n)
		cancel()
		if burstErr != nil {
			return false, nil
		}
		rctx, cancel := bounded(ctx, time.Duration(n)*baud.ByteTime(nominal))
		defer cancel()
		b, readErr = baud.ReadBurst(rctx, rig.Data, n, burstGap(nominal, n))
		timed, device := deviceBurst(mark, b)
		eff, effErr = timed.Effective(n)
		if effErr != nil || device || readErr != nil || !b.HostLate(eff, nominal, baudTolerance, rig.Watch) {
			return false, nil
		}
		flushData(ctx) // what is left of a burst cut short
		return true, nil
	})
	hil.NoteHostLate(late)
	hil.ExpectConclusive(err)
	hil.ExpectNoError(burstErr, fmt.Sprintf("BURST %d answered OK", n), "the control channel")
	hil.Keep(b.Trace(stats.BaudBurst, nominal))
	// The rate first: a device at the wrong rate also loses and garbles
	// characters, and the rate is the diagnosis.
	hil.ExpectNoError(effErr, fmt.Sprintf("a burst of %d bytes at %d baud long enough to time", n, nominal), baudHint+"; read: "+fmt.Sprint(readErr))
	r.rates = append(r.rates, baud.At(nominal, eff, baudTolerance))
	seen := fmt.Sprintf("at %d baud: %.1f baud, error %+.2f%% over %d bytes in %d reads", nominal, eff, 100*(eff-float64(nominal))/float64(nominal), n, len(b.Arrivals))
	if late > 0 {
		seen += fmt.Sprintf("; %d bursts before it were the host's (its stalls explain their rate) and were not counted", late)
	}
	if len(b.Data) < n {
		seen += fmt.Sprintf("; only %d of %d bytes came before the line was quiet for %v, and the rate counts them as the %d sent: a receiver that stalled mid-burst shows here as a rate error too", len(b.Data), n, burstGap(nominal, n), n)
	}
	hil.ExpectWithin(r.measurement(), seen, baudHint)
	hil.ExpectNoError(readErr, fmt.Sprintf("%d burst bytes on the data UART at %d baud", n, nominal), baudHint)
	if want := bytes.Repeat([]byte{0x55}, n); !bytes.Equal(b.Data, want) {
		diff := &echo.MismatchError{Want: want, Got: b.Data}
		Fail(hil.Explain(fmt.Sprintf("%d bytes of 0x55 at %d baud", n, nominal), diff.Error(), baudHint))
	}
}

// burstGap is how long the line may stay quiet inside a burst of n bytes:
// 20 characters, at least 50 ms; on a target with a device clock, the
// whole burst's deadline, since there the host may be late to hand over
// what the device sent in time, and the device's stamps time the burst.
func burstGap(rate, n int) time.Duration {
	if rig.Bench != nil && rig.Bench.Clock != nil {
		return onDevice(time.Duration(n)*baud.ByteTime(rate)) + opGrace
	}
	return max(50*time.Millisecond, 20*baud.ByteTime(rate))
}

func setBoth(ctx context.Context, rate int) {
	GinkgoHelper()
	cctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
	defer cancel()
	hil.ExpectNoError(rig.Control.SetBaud(cctx, rate), fmt.Sprintf("BAUD %d answered OK", rate), "the firmware must accept every rate in HIL_BAUDS")
	hil.ExpectNoError(rig.Data.SetBaud(rate), fmt.Sprintf("the host UART accepts %d baud", rate), "the Pi's UART clock limits the top rate (init_uart_clock in config.txt)")
	flushData(ctx)
}

var _ = Describe("Baud", labelBaud, onBench, Ordered, ContinueOnFailure, func() {
	BeforeEach(func(ctx SpecContext) {
		flushData(ctx)
	}, NodeTimeout(timeouts.Reply))

	It("runs at the configured rate (effective rate from a BURST within ±2%)", labelTiming, labelControl, SpecTimeout(timeouts.Burst), func(ctx SpecContext) {
		rig.RequireControl()
		measureRates(stats.BaudEffective).measure(ctx, cfg.Baud)
	})

	It("catches a host/device rate mismatch: the echo comes back corrupted", labelIntegrity, SpecTimeout(timeouts.Payload), func(ctx SpecContext) {
		if hil.Target().Jumper {
			Skip("the jumper target's TX-RX loopback runs on the host's own UART clock: there is no device rate to mismatch")
		}
		if rig.Silent != "" {
			Skip(rig.Silent)
		}
		if rig.Control == nil {
			Skip("this bench has no control channel, so nothing shows the far end is a UART with its own rate: a plain echo or loopback follows the host's rate and can never show a mismatch (set HIL_CONTROL to the Pico's USB serial port)")
		}
		uncounted("the host sends at another rate on purpose, so the device decodes other characters than were sent")
		other := cfg.Baud / 2
		if other < 1200 {
			other = cfg.Baud * 2
		}
		hil.ExpectNoError(rig.Data.SetBaud(other), fmt.Sprintf("the host UART accepts %d baud", other), "")
		DeferCleanup(func(ctx SpecContext) {
			hil.ExpectNoError(rig.Data.SetBaud(cfg.Baud), "the host UART returns to the bench rate", "")
			flushData(ctx)
		}, NodeTimeout(timeouts.Cleanup))
		payload := make([]byte, 64)
		for i := range payload {
			payload[i] = byte(i * 4)
		}
		wait := time.Duration(2*(len(payload)+1))*baud.ByteTime(min(other, cfg.Baud)) + cfg.Turnaround
		rctx, cancel := bounded(ctx, wait)
		defer cancel()
		_, err := echo.RoundTrip(rctx, rig.Data, payload)
		var mm *echo.MismatchError
		if err != nil && !errors.As(err, &mm) {
			hil.ExpectNoError(err, "the link keeps working at a mismatched rate", "")
		}
		intact := len(payload)
		seen := "the echo came back intact:\n" + hex.Dump(payload)
		if mm != nil {
			intact, seen = countIntact(payload, mm.Got), mm.Error()
		}
		AddReportEntry(stats.BaudMismatchRates, fmt.Sprintf("host %d baud, device %d baud", other, cfg.Baud))
		m := hil.Record(stats.Measure(stats.BaudMismatchIntact, "bytes", float64(intact), stats.AtMost(float64(len(payload)-1))))
		hil.ExpectWithin(m, seen, "a baud check that cannot see a mismatch proves nothing: is the data line really a UART (not a software loopback that ignores the rate)?")
	})

	It("works at every rate of the sweep: BAUD switch, byte-exact echo, effective rate", labelIntegrity, labelTiming, labelControl, SpecTimeout(timeouts.Sweep), func(ctx SpecContext) {
		rig.RequireControl()
		DeferCleanup(func(ctx SpecContext) { setBoth(ctx, cfg.Baud) }, NodeTimeout(timeouts.Cleanup))
		sweep := measureRates(stats.BaudSweep)
		for _, rate := range cfg.Bauds {
			setBoth(ctx, rate)
			rctx, cancel := bounded(ctx, time.Duration(sweepBytes+1)*baud.ByteTime(rate)+cfg.Turnaround)
			_, err := echo.RoundTrip(rctx, rig.Data, bytes.Repeat(echo.AllBytes(), sweepBytes/256))
			cancel()
			hil.ExpectNoError(err, fmt.Sprintf("bytes 0x00..0xff echoed unchanged at %d baud, %d bytes back to back", rate, sweepBytes), baudHint)
			sweep.measure(ctx, rate)
		}
	})

	countDevice("baud")
})

func countIntact(want, got []byte) int {
	n := 0
	for i := range min(len(want), len(got)) {
		if want[i] == got[i] {
			n++
		}
	}
	return n
}

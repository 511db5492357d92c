package specs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/measure/verdict"
)

const echoHint = "wiring Pi TXD->Pico GP5 and Pi RXD<-Pico GP4, common GND, both sides at the same baud, and that the firmware echo task is running"

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// randomPayload is reproducible: the same size gives the same bytes.
func randomPayload(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

var _ = Describe("Echo", labelEcho, onBench, Ordered, ContinueOnFailure, func() {
	BeforeEach(func(ctx SpecContext) {
		flushData(ctx)
	}, NodeTimeout(timeouts.Reply))

	It("round-trips 1000 single bytes with p99 within the wire-time budget", labelTiming, SpecTimeout(timeouts.RTT), func(ctx SpecContext) {
		frame := baud.ByteTime(cfg.Baud)
		t := timing()
		series, err := t.SingleBytes(ctx, rig.Data, rttCount, timeouts.PerTrip, verdict.RTTBudget(judged()))
		hil.NoteHostLate(series.HostLate)
		hil.ExpectConclusive(err)
		hil.ExpectNoError(err, fmt.Sprintf("%d one-byte echoes", rttCount), echoHint)
		rtts := series.RTTs
		m := hil.Record(verdict.RoundTrips(rtts, judged()))
		hil.ExpectWithin(m, fmt.Sprintf("%d of %d round trips done (the series stops once p99 cannot be met), on the %s's clock, %d host-late ones measured again; slowest: %.0f us; budget = wire time 2x%.1f us + turnaround allowance %.0f us; %s",
			len(rtts), rttCount, t.Clock(), series.HostLate, m.Summary.Max, us(frame), us(cfg.Turnaround), lateWhose(t)),
			"a slow firmware turnaround (blocking code or print() in the echo path), or host load; raise HIL_TURNAROUND_MS only if the firmware is known to need it")
	})

	DescribeTable("returns payloads byte-exact within the wire-time budget", labelTiming, labelIntegrity,
		func(ctx SpecContext, size int) {
			payload := randomPayload(size)
			t := timing()
			var sample echo.Sample
			late, err := echo.Again(fmt.Sprintf("the %d-byte payload", size), func() (bool, error) {
				flushData(ctx)
				pctx, cancel := bounded(ctx, verdict.PayloadBudget(size, judged()))
				defer cancel()
				var err error
				sample, err = t.RoundTrip(pctx, rig.Data, payload, verdict.PayloadBudget(size, judged()))
				return sample.HostLate, err
			})
			hil.NoteHostLate(late)
			hil.ExpectConclusive(err)
			hil.ExpectNoError(err, fmt.Sprintf("the %d-byte payload echoed byte for byte", size), echoHint)
			m := hil.Record(verdict.Payload(size, sample.RTT, judged()))
			hil.ExpectWithin(m, fmt.Sprintf("on the %s's clock", t.Clock()), "the echo should trail the sent bytes by one character plus the turnaround; a firmware that waits for whole lines or polls will be late")
		},
		Entry("1 byte", 1, SpecTimeout(timeouts.Payload)),
		Entry("16 bytes", 16, SpecTimeout(timeouts.Payload)),
		Entry("256 bytes", 256, SpecTimeout(timeouts.Payload)),
		Entry("4096 bytes", 4096, SpecTimeout(timeouts.Payload)))

	It("returns all 256 byte values unchanged", labelIntegrity, SpecTimeout(timeouts.Payload), func(ctx SpecContext) {
		rctx, cancel := bounded(ctx, 257*baud.ByteTime(cfg.Baud)+cfg.Turnaround)
		defer cancel()
		_, err := echo.RoundTrip(rctx, rig.Data, echo.AllBytes())
		hil.ExpectNoError(err, "bytes 0x00..0xff echoed unchanged (binary-transparent: no decode, no CR/LF handling)", echoHint)
	})

	It("sustains at least 95% of line rate pipelined, with nothing lost", labelTiming, labelIntegrity, SpecTimeout(timeouts.LineRate), func(ctx SpecContext) {
		size := baud.BurstLen(cfg.Baud, lineRateSpan)
		data := randomPayload(size)
		t := timing()
		ideal := float64(cfg.Baud) / baud.BitsPerByte
		// The longest a transfer may take and still pass.
		longest := time.Duration(float64(size) / (ideal * lineRateMin / 100) * float64(time.Second))
		var tr echo.Transfer
		late, err := echo.Again("the pipelined transfer", func() (bool, error) {
			flushData(ctx)
			pctx, cancel := bounded(ctx, time.Duration(size+1)*baud.ByteTime(cfg.Baud)+cfg.Turnaround)
			defer cancel()
			var spoiled bool
			var err error
			tr, spoiled, err = t.Pipelined(pctx, rig.Data, data, 256, longest)
			return spoiled, err
		})
		hil.NoteHostLate(late)
		hil.ExpectConclusive(err)
		hil.ExpectNoError(err, fmt.Sprintf("%d bytes echoed byte for byte while writing and reading concurrently", size), echoHint)
		m := hil.Record(stats.Measure(stats.EchoLineRate, "%", 100*tr.BytesPerSecond()/ideal, stats.AtLeast(lineRateMin)))
		hil.ExpectWithin(m, fmt.Sprintf("%d bytes in %v on the %s's clock (its waits for a late host left out); line rate %.0f B/s", tr.Bytes, tr.Elapsed, t.Clock(), ideal),
			"the firmware must echo as fast as bytes arrive: stream reads, no per-byte sleeps or prints")
	})

	countDevice("echo")
})

func sorted(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

package example

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
)

// StatsReply is this suite's measurement, declared once: the median time
// from sending STATS to its reply while the data UART is saturated.
const StatsReply = "example.stats_reply_loaded"

// The check's size and limits.
const (
	replies = 40 // STATS commands timed under load
	// replyLimit bounds the median reply: the control task must get the
	// scheduler between two echo chunks, each a few ms of wire time; the
	// firmware under MicroPython-WebAssembly on a loaded host takes up to
	// a fifth of it.
	replyLimit = 100.0 // ms
	loadChunk  = 256   // bytes per echo chunk
)

// replyGate is the measurement's release-gate rule: a median 50 % and
// 25 ms slower than the baseline's, with the replies slower as a whole,
// blocks a release. 25 ms is above what a loaded host moved the median of
// 40 replies between two runs (3 to 23 ms under MicroPython-WebAssembly),
// below one blocking sleep_ms(35) in the control path, which the spec's
// own limit lets pass.
var replyGate = stats.Gate{Worse: stats.Higher, Pct: 50, Floor: 25}

// timeouts are the suite's deadlines, in one place.
var timeouts = struct {
	hil.Timeouts
	Replies time.Duration
}{
	Timeouts: hil.DefaultTimeouts(),
	Replies:  replies*hil.Reply + hil.Slack,
}

var _ = Describe("Control channel", labelControl, Serial, func() {
	It("answers STATS within 100 ms (median) while the data UART is saturated", SpecTimeout(timeouts.Replies), func(ctx SpecContext) {
		rig.RequireControl()
		c := hil.Config()
		chunk := make([]byte, loadChunk)
		for i := range chunk {
			chunk[i] = byte(i)
		}
		perChunk := baud.ByteTime(c.Baud)*loadChunk + c.Turnaround + hil.Grace
		load, stop := context.WithCancel(ctx)
		started := make(chan struct{})
		var wg sync.WaitGroup
		var loadErr error
		wg.Go(func() {
			_, loadErr = echo.Timing{Frame: baud.ByteTime(c.Baud)}.Sustain(load, rig.Data, chunk, perChunk, started)
		})
		defer func() { stop(); wg.Wait() }()
		select {
		case <-started:
		case <-ctx.Done():
		}

		took := make([]float64, 0, replies)
		for range replies {
			rctx, cancel := context.WithTimeout(ctx, hil.Reply)
			t0 := time.Now()
			_, err := rig.Control.Stats(rctx)
			cancel()
			hil.ExpectNoError(err, "OK STATS rx=<n> tx=<n> errors=<n> within "+hil.Reply.String(), "the control channel, and a control task starved by the echo")
			took = append(took, float64(time.Since(t0).Microseconds())/1000)
		}
		stop()
		wg.Wait()
		hil.ExpectNoError(loadErr, "the echo load byte-exact while STATS was asked", "the data UART wiring")

		median := stats.Percentile(slices.Sorted(slices.Values(took)), 50)
		m := hil.Record(stats.Measure(StatsReply, "ms", median, stats.AtMost(replyLimit)).WithSamples(took).Gated(replyGate))
		hil.ExpectWithin(m, fmt.Sprintf("%d STATS replies under an echo load of %d-byte chunks; slowest %.1f ms", replies, loadChunk, slices.Max(took)),
			"a blocking call in the control path (time.sleep, a UART read without a timeout) or a task that never awaits")
	})
})

package edge_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target/bench"
)

// The timestamp-error benchmark: a fast blink so each capture is short, and the
// fastest rate the bench sweeps so the UART load is as heavy as it gets.
const (
	tsBlinkMs    = 10
	tsLoadBaud   = 921600
	tsEdgesPerOp = 20
)

// BenchmarkTimestampError measures how far the harness's edge timestamps
// (Capture on the virtual Pico's simulated LED pin, opened the way the
// suite opens it) lie from the times the fixture really drove the edges:
// mean and p99 absolute error in microseconds, with the UART idle and with
// a pipelined echo running on it concurrently.
func BenchmarkTimestampError(b *testing.B) {
	for _, load := range []bool{false, true} {
		name := "idle"
		if load {
			name = "load"
		}
		b.Run(name, func(b *testing.B) {
			env := map[string]string{"HIL_TARGET": virtual.Name, "HIL_BLINK_MS": strconv.Itoa(tsBlinkMs), "HIL_BAUD": strconv.Itoa(tsLoadBaud)}
			cfg, err := bench.FromEnv(func(k string) string { return env[k] })
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rig, err := bench.Open(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer rig.Halt()
			if load {
				stop := runLoad(ctx, b, rig.DataPort)
				defer stop()
			}
			window := time.Duration(3*tsEdgesPerOp*tsBlinkMs) * time.Millisecond
			var errs []float64
			unmatched := 0
			for b.Loop() {
				edges, armed, err := edge.CaptureArmed(ctx, rig.LED, tsEdgesPerOp, window)
				if err != nil {
					b.Fatal(err)
				}
				m := edge.MatchTruth(edges, rig.Truth(), armed, tsBlinkMs*time.Millisecond/2)
				unmatched += len(m.Missed) + len(m.Extra)
				errs = append(errs, m.ErrorsUs...)
			}
			s := stats.Summarize(errs)
			b.ReportMetric(s.Mean, "mean-us")
			b.ReportMetric(s.P50, "p50-us")
			b.ReportMetric(s.P99, "p99-us")
			// A blink goroutine held off past a half-period toggles twice
			// at once; a wake-up capture sees one level for both.
			b.ReportMetric(float64(unmatched)/float64(b.N), "unmatched/op")
		})
	}
}

// runLoad keeps a pipelined echo running on the data port until the
// returned stop is called; stop reports the load's throughput and fails
// the benchmark if the echo broke.
func runLoad(ctx context.Context, b *testing.B, port string) (stop func()) {
	l, err := link.Open(port, tsLoadBaud)
	if err != nil {
		b.Fatal(err)
	}
	lctx, cancel := context.WithCancel(ctx)
	chunk := make([]byte, baud.BurstLen(tsLoadBaud, 50*time.Millisecond))
	for i := range chunk {
		chunk[i] = byte(i * 13)
	}
	var wg sync.WaitGroup
	var loadErr error
	moved := 0
	start := time.Now()
	wg.Go(func() {
		for lctx.Err() == nil {
			tr, err := echo.Pipelined(lctx, l, chunk, 256)
			moved += tr.Bytes
			if err != nil && !errors.Is(err, context.Canceled) {
				loadErr = err
				return
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
		l.Close()
		if loadErr != nil {
			b.Fatalf("UART load: %v", loadErr)
		}
		b.ReportMetric(100*float64(moved)/time.Since(start).Seconds()/(tsLoadBaud/baud.BitsPerByte), "%load")
	}
}

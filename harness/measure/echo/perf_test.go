package echo_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/fixtures/virtual/virtualtest"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/serial/link"
)

// instantEcho answers every byte on the master side at once: the floor.
func instantEcho(b *testing.B) *pty.Pair {
	p, err := pty.Open()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := p.Master.Read(buf)
			if err != nil {
				return
			}
			if _, err := p.Master.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	return p
}

// latency is p50 and p99 of a series of round trips, in microseconds.
func latency(rtts []time.Duration) (p50, p99 float64) {
	us := make([]float64, len(rtts))
	for i, d := range rtts {
		us[i] = float64(d) / float64(time.Microsecond)
	}
	slices.Sort(us)
	return stats.Percentile(us, 50), stats.Percentile(us, 99)
}

// BenchmarkRTTFloor compares a one-byte round trip through the harness's
// link (echo.RoundTrip, as the specs make it) with the same trip in raw
// read/write syscalls (the floor), on a pty whose master echoes at once.
//
// alternating makes one trip of each kind per iteration on the same pty,
// in alternating order, so both series see the same machine load: its
// p50-ratio is the harness's overhead. raw and link are each kind alone in
// a tight loop, the best case of each.
func BenchmarkRTTFloor(b *testing.B) {
	b.Run("alternating", func(b *testing.B) {
		p := instantEcho(b)
		raw, viaLink := rawTripper(b, p.Path), linkTripper(b, p.Path)
		var rawRTT, linkRTT []time.Duration
		for i := 0; b.Loop(); i++ {
			if i%2 == 0 {
				rawRTT = append(rawRTT, raw())
				linkRTT = append(linkRTT, viaLink())
			} else {
				linkRTT = append(linkRTT, viaLink())
				rawRTT = append(rawRTT, raw())
			}
		}
		rawP50, rawP99 := latency(rawRTT)
		linkP50, linkP99 := latency(linkRTT)
		b.ReportMetric(rawP50, "raw-p50-us")
		b.ReportMetric(rawP99, "raw-p99-us")
		b.ReportMetric(linkP50, "link-p50-us")
		b.ReportMetric(linkP99, "link-p99-us")
		b.ReportMetric(linkP50/rawP50, "p50-ratio")
		b.ReportMetric(linkP99/rawP99, "p99-ratio")
	})
	for _, alone := range []struct {
		name    string
		tripper func(*testing.B, string) func() time.Duration
	}{{"raw", rawTripper}, {"link", linkTripper}} {
		b.Run(alone.name, func(b *testing.B) {
			trip := alone.tripper(b, instantEcho(b).Path)
			var rtts []time.Duration
			for b.Loop() {
				rtts = append(rtts, trip())
			}
			p50, p99 := latency(rtts)
			b.ReportMetric(p50, "p50-us")
			b.ReportMetric(p99, "p99-us")
		})
	}
}

// rawTripper opens the port with plain syscalls; each call of the result
// is one timed write and read of a byte.
func rawTripper(b *testing.B, path string) func() time.Duration {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(fd) })
	buf := []byte{0}
	return func() time.Duration {
		start := time.Now()
		if _, err := unix.Write(fd, buf); err != nil {
			b.Fatal(err)
		}
		if _, err := unix.Read(fd, buf); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
}

// linkTripper opens the port through harness/serial/link; each call of the result
// is one echo.RoundTrip of a byte.
func linkTripper(b *testing.B, path string) func() time.Duration {
	l, err := link.Open(path, 115200)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	payload := []byte{0}
	return func() time.Duration {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		rtt, err := echo.RoundTrip(ctx, l, payload)
		if err != nil {
			b.Fatal(err)
		}
		return rtt
	}
}

// BenchmarkLineRate is the pipelined echo through the virtual Pico:
// achieved over theoretical throughput, and bytes lost (not echoed intact,
// counted from the first bad byte of a transfer; the line is flushed after
// such a transfer so the next one starts in step).
func BenchmarkLineRate(b *testing.B) {
	for _, rate := range []int{115200, 921600, 3000000} {
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			d := virtualtest.Start(b, virtual.Config{Baud: rate, BlinkHalf: time.Hour})
			l := virtualtest.Open(b, d.DataPort(), rate)
			data := make([]byte, baud.BurstLen(rate, 200*time.Millisecond))
			for i := range data {
				data[i] = byte(i * 7)
			}
			var moved, lost int
			var elapsed time.Duration
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				tr, err := echo.Pipelined(ctx, l, data, 256)
				moved += tr.Bytes
				elapsed += tr.Elapsed
				if mm, ok := errors.AsType[*echo.MismatchError](err); ok {
					lost += len(data) - mm.Offset()
					_, err = l.Flush(ctx, 20*time.Millisecond)
				}
				cancel()
				if err != nil {
					b.Fatal(err)
				}
			}
			achieved := echo.Transfer{Bytes: moved, Elapsed: elapsed}.BytesPerSecond()
			b.ReportMetric(100*achieved/(float64(rate)/baud.BitsPerByte), "%line-rate")
			b.ReportMetric(float64(lost), "lost-bytes")
		})
	}
}

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
	"github.com/picohil/picohil/harness/baud"
	"github.com/picohil/picohil/harness/echo"
	"github.com/picohil/picohil/harness/link"
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

func reportLatency(b *testing.B, rtts []time.Duration) {
	slices.Sort(rtts)
	if len(rtts) == 0 {
		return
	}
	b.ReportMetric(float64(rtts[len(rtts)/2].Nanoseconds())/1e3, "p50-us")
	b.ReportMetric(float64(rtts[len(rtts)*99/100].Nanoseconds())/1e3, "p99-us")
}

// BenchmarkRTTFloor compares a one-byte round trip through the harness's
// link with the same loop in raw read/write syscalls on the same kind of
// pty with an instant echo. The ratio of their p50 is the harness overhead.
func BenchmarkRTTFloor(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		p := instantEcho(b)
		fd, err := unix.Open(p.Path, unix.O_RDWR|unix.O_NOCTTY, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(fd)
		buf := []byte{0}
		rtts := make([]time.Duration, 0, b.N)
		for b.Loop() {
			start := time.Now()
			if _, err := unix.Write(fd, buf); err != nil {
				b.Fatal(err)
			}
			if _, err := unix.Read(fd, buf); err != nil {
				b.Fatal(err)
			}
			rtts = append(rtts, time.Since(start))
		}
		reportLatency(b, rtts)
	})
	b.Run("link", func(b *testing.B) {
		p := instantEcho(b)
		l, err := link.Open(p.Path, 115200)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		rtts := make([]time.Duration, 0, b.N)
		ctx := context.Background()
		for b.Loop() {
			c, cancel := context.WithTimeout(ctx, time.Second)
			rtt, err := echo.RoundTrip(c, l, []byte{0})
			cancel()
			if err != nil {
				b.Fatal(err)
			}
			rtts = append(rtts, rtt)
		}
		reportLatency(b, rtts)
	})
}

// BenchmarkLineRate is the pipelined echo through the virtual Pico:
// achieved over theoretical throughput, and bytes lost (not echoed intact,
// counted from the first bad byte of a transfer; the line is flushed after
// such a transfer so the next one starts in step).
func BenchmarkLineRate(b *testing.B) {
	for _, rate := range []int{115200, 921600, 3000000} {
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			d, err := virtual.Start(virtual.Config{Baud: rate, BlinkHalf: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			l, err := link.Open(d.DataPort(), rate)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
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

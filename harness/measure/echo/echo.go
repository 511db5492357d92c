// Package echo measures UART echo round trips: byte-exact comparison with a
// readable diff, monotonic timestamps, and a pipelined line-rate mode.
package echo

import (
	"context"
	"fmt"
	"time"
)

// Port is what an echo needs from a link. Both calls end when ctx does.
type Port interface {
	WriteContext(ctx context.Context, p []byte) error
	ReadFull(ctx context.Context, p []byte) (int, error)
}

// RoundTrip sends payload and reads back exactly len(payload) bytes. It
// returns the time from the start of the write to the last byte read. A
// short or different answer is a *MismatchError (wrapping the read error
// when the answer was short).
func RoundTrip(ctx context.Context, p Port, payload []byte) (time.Duration, error) {
	got := make([]byte, len(payload))
	start := time.Now()
	if err := p.WriteContext(ctx, payload); err != nil {
		return 0, err
	}
	n, err := p.ReadFull(ctx, got)
	rtt := time.Since(start)
	if err != nil {
		return rtt, &MismatchError{Want: payload, Got: got[:n], Err: err}
	}
	if firstDiff(payload, got) >= 0 {
		return rtt, &MismatchError{Want: payload, Got: got}
	}
	return rtt, nil
}

// AllBytes is every byte value once, 0x00 to 0xff: the payload that shows
// an echo is binary-transparent (no decoding, no CR/LF handling).
func AllBytes() []byte {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	return all
}

// SingleBytes is Timing.SingleBytes on the host's clock, unwatched.
func SingleBytes(ctx context.Context, p Port, count int, perTrip, budget time.Duration) ([]time.Duration, error) {
	s, err := Timing{}.SingleBytes(ctx, p, count, perTrip, budget)
	return s.RTTs, err
}

// Transfer is the outcome of a pipelined echo.
type Transfer struct {
	Bytes   int
	Elapsed time.Duration // first write to last byte read
}

// BytesPerSecond is the achieved echo throughput.
func (t Transfer) BytesPerSecond() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Bytes) / t.Elapsed.Seconds()
}

// Pipelined writes data in chunks of chunk bytes while reading the echo
// concurrently, so the line stays busy in both directions, and checks the
// echo byte for byte. It returns by the time ctx ends even when a write
// never does: the writer is then left to finish on its own.
func Pipelined(ctx context.Context, p Port, data []byte, chunk int) (Transfer, error) {
	if chunk <= 0 {
		return Transfer{}, fmt.Errorf("echo: chunk of %d bytes (hint: pass a positive chunk size, such as 256)", chunk)
	}
	got := make([]byte, len(data))
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	werr := make(chan error, 1)
	start := time.Now()
	go func() {
		for off := 0; off < len(data) && wctx.Err() == nil; off += chunk {
			if err := p.WriteContext(wctx, data[off:min(off+chunk, len(data))]); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	n, err := p.ReadFull(ctx, got)
	t := Transfer{Bytes: n, Elapsed: time.Since(start)}
	if err != nil {
		stop() // the echo failed: the rest of data need not go out
	}
	select {
	case e := <-werr:
		if e != nil && err == nil {
			err = e
		}
	case <-ctx.Done(): // a writer that ignores ctx must not hold the caller
	}
	if err != nil {
		return t, &MismatchError{Want: data, Got: got[:n], Err: err}
	}
	if firstDiff(data, got) >= 0 {
		return t, &MismatchError{Want: data, Got: got}
	}
	return t, nil
}

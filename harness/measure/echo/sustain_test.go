package echo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// ReadSome makes loop a Streamer: what has arrived, at least one byte,
// or ctx's error.
func (l *loop) ReadSome(ctx context.Context, p []byte) (int, error) {
	select {
	case p[0] = <-l.buf:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	n := 1
	for n < len(p) {
		select {
		case p[n] = <-l.buf:
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}

// first echoes only the first n bytes ever written, then nothing.
func first(n int) func([]byte) []byte {
	left := n
	return func(p []byte) []byte {
		k := min(left, len(p))
		left -= k
		return same(p[:k])
	}
}

func TestSustainRunsUntilCtxEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	started := make(chan struct{})
	f, err := Timing{}.Sustain(ctx, newLoop(same), []byte("0123456789abcdef"), time.Second, started)
	if err != nil || f.Chunks < 2 || f.Bytes() < 16*f.Chunks {
		t.Fatalf("flow %d chunks, %d bytes, err %v", f.Chunks, f.Bytes(), err)
	}
	select {
	case <-started:
	default:
		t.Fatal("started was not closed after the first chunk")
	}
}

// An echo that stops after its first chunk fails on the second chunk's own
// deadline, long before the caller's ctx ends.
func TestSustainNamesTheChunkWhereTheEchoStopped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	chunk := []byte("0123456789abcdef")
	f, err := Timing{}.Sustain(ctx, newLoop(first(len(chunk)+3)), chunk, 50*time.Millisecond, nil)
	var stall *StallError
	if !errors.As(err, &stall) || stall.Chunk != 1 || stall.Got != 3 || f.Chunks != 1 {
		t.Fatalf("err = %v, flow %d chunks; want a stall in chunk 1 after 3 bytes", err, f.Chunks)
	}
	if ctx.Err() != nil || !strings.Contains(err.Error(), "chunk 1: 3 of 16 bytes within 50ms") {
		t.Fatalf("%v", err)
	}
}

func TestSustainIsByteExact(t *testing.T) {
	n := 0
	flip := func(p []byte) []byte {
		q := same(p)
		for i := range q {
			if n++; n == 40 {
				q[i] ^= 1
			}
		}
		return q
	}
	_, err := Timing{}.Sustain(context.Background(), newLoop(flip), []byte("0123456789abcdef"), time.Second, nil)
	var mm *MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "chunk 2: echo: byte 7 differs") {
		t.Fatalf("err = %v", err)
	}
}

// flowOf builds a flow from reads: offsets in ms from t0 and byte counts.
func flowOf(t0 time.Time, reads ...[2]int) Flow {
	f := Flow{Start: t0}
	for _, r := range reads {
		f.Arrivals = append(f.Arrivals, Arrival{At: t0.Add(time.Duration(r[0]) * time.Millisecond), Bytes: r[1]})
	}
	return f
}

func TestWindowsAtLineRate(t *testing.T) {
	t0 := time.Unix(100, 0)
	var reads [][2]int
	for ms := 10; ms <= 400; ms += 10 {
		reads = append(reads, [2]int{ms, 10})
	}
	// The host was late once: 60 ms of bytes in one read across a window edge.
	reads = append(reads[:17], append([][2]int{{230, 60}}, reads[23:]...)...)
	w := flowOf(t0, reads...).Windows(t0, t0.Add(400*time.Millisecond), 100*time.Millisecond, 1000)
	if len(w) != 4 {
		t.Fatalf("%d windows", len(w))
	}
	for i, v := range w {
		if v < 999 || v > 1001 {
			t.Fatalf("window %d: %.1f B/s, want 1000 (all %v)", i, v, w)
		}
	}
}

func TestWindowsShowWhereTheFlowStopped(t *testing.T) {
	t0 := time.Unix(100, 0)
	var reads [][2]int
	for ms := 10; ms <= 250; ms += 10 {
		reads = append(reads, [2]int{ms, 10})
	}
	w := flowOf(t0, reads...).Windows(t0, t0.Add(550*time.Millisecond), 100*time.Millisecond, 1000)
	want := []float64{1000, 1000, 500, 0, 0}
	for i := range want {
		if len(w) != len(want) || w[i] < want[i]-1 || w[i] > want[i]+1 {
			t.Fatalf("windows %v, want %v", w, want)
		}
	}
}

// A fixture that handed over late what its model had sent at line rate
// (a read carrying more than the line could bring since the last one)
// shows no dip: the bytes go back to when they could have come.
func TestWindowsLayBackALateHandOver(t *testing.T) {
	t0 := time.Unix(100, 0)
	var reads [][2]int
	for ms := 10; ms <= 400; ms += 10 {
		reads = append(reads, [2]int{ms, 10})
	}
	reads = append(reads[:17], append([][2]int{{180, 2}, {230, 58}}, reads[23:]...)...)
	w := flowOf(t0, reads...).Windows(t0, t0.Add(400*time.Millisecond), 100*time.Millisecond, 1000)
	for i, v := range w {
		if v < 999 || v > 1001 {
			t.Fatalf("window %d: %.1f B/s, want 1000 (all %v)", i, v, w)
		}
	}
}

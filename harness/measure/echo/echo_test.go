package echo

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// loop is an in-memory port whose answer a test shapes; safe for one
// writer and one reader at once.
type loop struct {
	answer func([]byte) []byte
	buf    chan byte
}

func newLoop(answer func([]byte) []byte) *loop {
	return &loop{answer: answer, buf: make(chan byte, 1<<16)}
}

func (l *loop) WriteContext(_ context.Context, p []byte) error {
	for _, b := range l.answer(p) {
		l.buf <- b
	}
	return nil
}

var errTimeout = errors.New("timeout")

func (l *loop) ReadFull(_ context.Context, p []byte) (int, error) {
	quiet := time.NewTimer(50 * time.Millisecond)
	defer quiet.Stop()
	for n := range p {
		select {
		case p[n] = <-l.buf:
		case <-quiet.C:
			return n, errTimeout
		}
	}
	return len(p), nil
}

func same(p []byte) []byte { return append([]byte(nil), p...) }

func TestRoundTripExact(t *testing.T) {
	if _, err := RoundTrip(context.Background(), newLoop(same), []byte("hello")); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTripExplainsDifference(t *testing.T) {
	flip := func(p []byte) []byte { q := same(p); q[40] ^= 0x10; return q }
	payload := bytes.Repeat([]byte{0xA5}, 64)
	_, err := RoundTrip(context.Background(), newLoop(flip), payload)
	var mm *MismatchError
	if !errors.As(err, &mm) || mm.Offset() != 40 {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"byte 40 differs: expected 0xa5, got 0xb5", "1 differ", "expected from offset 0", "a5 a5"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestRoundTripShortAnswerWrapsCause(t *testing.T) {
	drop := func(p []byte) []byte { return same(p)[:len(p)-1] }
	_, err := RoundTrip(context.Background(), newLoop(drop), []byte("abc"))
	if !errors.Is(err, errTimeout) || !strings.Contains(err.Error(), "short answer: 2 of 3") {
		t.Fatalf("err = %v", err)
	}
}

func TestSingleBytesStopsOnceVerdictIsCertain(t *testing.T) {
	rtts, err := SingleBytes(context.Background(), newLoop(same), 1000, time.Second, -1)
	if err != nil || len(rtts) != 11 {
		t.Fatalf("got %d rtts, %v; want the series to stop after 11 over budget", len(rtts), err)
	}
}

func TestPipelinedDetectsLoss(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 100)
	dropFirst := func(p []byte) []byte { return same(p)[1:] }
	if _, err := Pipelined(context.Background(), newLoop(same), data, 64); err != nil {
		t.Fatal(err)
	}
	_, err := Pipelined(context.Background(), newLoop(dropFirst), data, 64)
	var mm *MismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("err = %v", err)
	}
}

// stuck is a port whose writes never return, not even when ctx ends, and
// whose reads wait for ctx: a line that never drains behind a careless driver.
type stuck struct{}

func (stuck) WriteContext(context.Context, []byte) error { select {} }

func (stuck) ReadFull(ctx context.Context, _ []byte) (int, error) {
	<-ctx.Done()
	return 0, ctx.Err()
}

func TestPipelinedReturnsWhenAWriteNeverDoes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Pipelined(ctx, stuck{}, make([]byte, 1024), 64)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want the read's deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Pipelined waited on a blocked writer long past its deadline")
	}
}

func TestPipelinedRejectsNonPositiveChunks(t *testing.T) {
	for _, chunk := range []int{0, -1} {
		if _, err := Pipelined(context.Background(), newLoop(same), []byte("abc"), chunk); err == nil || !strings.Contains(err.Error(), "hint:") {
			t.Errorf("chunk %d: err = %v; want a refusal with a hint", chunk, err)
		}
	}
}

func TestAllBytesIsEveryValueOnce(t *testing.T) {
	all := AllBytes()
	if len(all) != 256 {
		t.Fatalf("%d bytes", len(all))
	}
	for i, b := range all {
		if int(b) != i {
			t.Fatalf("byte %d is 0x%02x", i, b)
		}
	}
}

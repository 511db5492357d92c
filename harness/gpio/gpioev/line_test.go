package gpioev

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/support/qemuuser"
)

// pipeLine is a Line reading a pipe that stands in for the line request fd:
// what the test writes to w, the Line reads as kernel records.
func pipeLine(t *testing.T) (*Line, *os.File) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	w := os.NewFile(uintptr(p[1]), "pipe-w")
	t.Cleanup(func() { w.Close() })
	l, err := newLine(os.NewFile(uintptr(p[0]), "pipe"), "GPIO17", 17, flagInput|flagEdges|flagBiasPullDown)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Halt() })
	return l, w
}

func write(t *testing.T, w *os.File, records ...[]byte) {
	t.Helper()
	if _, err := w.Write(bytes.Join(records, nil)); err != nil {
		t.Fatal(err)
	}
}

type edgeSeen struct {
	level gpio.Level
	at    time.Time
	lost  int
}

func next(t *testing.T, l *Line) edgeSeen {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	level, at, lost, err := l.NextEdge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return edgeSeen{level, at, lost}
}

func TestNextEdgeDecodesLevelsAndKernelTimes(t *testing.T) {
	l, w := pipeLine(t)
	base := uint64(l.clock.mono)
	write(t, w,
		record(base+1_000_000, eventRisingEdge, 17, 1, 1),
		record(base+1_500_250, eventFallingEdge, 17, 2, 2))
	a, b := next(t, l), next(t, l)
	if a.level != gpio.High || b.level != gpio.Low {
		t.Fatalf("levels %v %v, want High Low", a.level, b.level)
	}
	if d := b.at.Sub(a.at); d != 500250*time.Nanosecond {
		t.Fatalf("interval %v, want the kernel's 500.25µs exactly", d)
	}
	if d := a.at.Sub(l.clock.wall); d != time.Millisecond {
		t.Fatalf("first edge %v after the anchor, want 1ms", d)
	}
	if a.lost != 0 || b.lost != 0 {
		t.Fatalf("lost %d %d, want none", a.lost, b.lost)
	}
}

func TestSequenceGapsCountDroppedEdges(t *testing.T) {
	l, w := pipeLine(t)
	write(t, w,
		record(1, eventRisingEdge, 17, 1, 1),
		record(2, eventFallingEdge, 17, 2, 2),
		record(9, eventRisingEdge, 17, 5, 5), // 3 and 4 dropped
		record(10, eventFallingEdge, 17, 6, 6))
	var lost []int
	for range 4 {
		lost = append(lost, next(t, l).lost)
	}
	if want := []int{0, 0, 2, 0}; !slices.Equal(lost, want) {
		t.Fatalf("lost %v, want %v", lost, want)
	}
}

func TestSequenceGapsFromTheFirstRecord(t *testing.T) {
	l, w := pipeLine(t)
	write(t, w, record(1, eventRisingEdge, 17, 4, 4)) // the kernel starts at 1
	if e := next(t, l); e.lost != 3 {
		t.Fatalf("lost %d, want 3", e.lost)
	}
}

func TestSequenceWrapIsNotAGap(t *testing.T) {
	l, w := pipeLine(t)
	l.lastSeq = 0xFFFFFFFE
	write(t, w,
		record(1, eventRisingEdge, 17, 0xFFFFFFFF, 0xFFFFFFFF),
		record(2, eventFallingEdge, 17, 0, 0),
		record(3, eventRisingEdge, 17, 2, 2)) // 1 dropped
	var lost []int
	for range 3 {
		lost = append(lost, next(t, l).lost)
	}
	if want := []int{0, 0, 1}; !slices.Equal(lost, want) {
		t.Fatalf("lost %v, want %v", lost, want)
	}
}

func TestUnknownEventIDIsSkipped(t *testing.T) {
	l, w := pipeLine(t)
	write(t, w, record(1, 9, 17, 1, 1), record(2, eventFallingEdge, 17, 2, 2))
	if e := next(t, l); e.level != gpio.Low || e.lost != 0 {
		t.Fatalf("got %+v, want the falling edge with nothing lost", e)
	}
}

func TestPartialRecordIsAnError(t *testing.T) {
	l, w := pipeLine(t)
	write(t, w, record(1, eventRisingEdge, 17, 1, 1)[:20])
	if _, _, _, err := l.NextEdge(t.Context()); err == nil {
		t.Fatal("a 20-byte read decoded as an edge")
	}
}

func TestNextEdgeEndsAtTheDeadline(t *testing.T) {
	l, _ := pipeLine(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, _, _, err := l.NextEdge(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

func TestNextEdgeEndsWhenCancelled(t *testing.T) {
	l, _ := pipeLine(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, _, _, err := l.NextEdge(ctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
}

func TestQueuedEdgeIsReturnedAfterTheDeadline(t *testing.T) {
	l, w := pipeLine(t)
	write(t, w, record(1, eventRisingEdge, 17, 1, 1))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, _, err := l.NextEdge(ctx); err != nil {
		t.Fatalf("a queued edge was not returned: %v", err)
	}
	if l.WaitForEdge(0) {
		t.Fatal("WaitForEdge(0) reported an edge on an empty queue")
	}
}

func TestHaltEndsAWait(t *testing.T) {
	l, _ := pipeLine(t)
	done := make(chan error)
	go func() {
		_, _, _, err := l.NextEdge(context.Background())
		done <- err
	}()
	// Halt may come before or during the wait; either way it must end.
	if err := l.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrReleased) {
		t.Fatalf("err = %v, want ErrReleased", err)
	}
}

func TestEnablingEdgesDiscardsQueuedOnes(t *testing.T) {
	l, w := pipeLine(t)
	write(t, w,
		record(1, eventRisingEdge, 17, 1, 1),
		record(2, eventFallingEdge, 17, 2, 2))
	if err := l.In(gpio.PullNoChange, gpio.BothEdges); err != nil { // config unchanged: no ioctl
		t.Fatal(err)
	}
	write(t, w, record(3, eventRisingEdge, 17, 3, 3))
	if e := next(t, l); e.at.Sub(l.clock.wall) != time.Duration(3-l.clock.mono) || e.lost != 0 {
		t.Fatalf("got %+v, want only the edge after In with nothing lost", e)
	}
}

func TestReconfiguringAPipeFailsWithTheIoctlError(t *testing.T) {
	qemuuser.Skip(t, "qemu-user answers the GPIO uAPI ioctls, which it does not translate, with ENOSYS before the kernel sees them")
	l, _ := pipeLine(t)
	if err := l.In(gpio.PullUp, gpio.NoEdge); !errors.Is(err, unix.ENOTTY) {
		t.Fatalf("err = %v, want ENOTTY from SET_CONFIG on a pipe", err)
	}
	if l.Pull() != gpio.PullDown || l.Function() != "In/BothEdges" {
		t.Fatalf("a failed In changed the config: %v %s", l.Pull(), l.Function())
	}
}

func TestOpenExplainsAMissingChip(t *testing.T) {
	_, err := Open("/nonexistent/gpiochip9", 17, "GPIO17", gpio.PullDown)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, os.ErrNotExist) || e.Hint == "" {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenExplainsANonChip(t *testing.T) {
	qemuuser.Skip(t, "qemu-user answers the GPIO uAPI ioctls, which it does not translate, with ENOSYS before the kernel sees them")
	_, err := Open("/dev/null", 17, "GPIO17", gpio.PullDown)
	if !errors.Is(err, unix.ENOTTY) {
		t.Fatalf("err = %v, want ENOTTY from GET_CHIPINFO", err)
	}
}

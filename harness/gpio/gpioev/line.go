// Package gpioev reads the edges of a GPIO input through the Linux GPIO
// character device (uAPI v2) with the timestamp the kernel takes for each
// edge in its interrupt handler, instead of the time a user-space thread
// happened to wake up, and counts the edges the kernel dropped from the
// gaps in its sequence numbers. A Line is also a periph gpio.PinIn.
//
// Finding which chip and line a pin is stays with periph (harness/gpio/pin maps
// a periph pin to them); this package only requests the line and reads it.
package gpioev

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/gpio"
)

// readBatch is how many records one read can take from the kernel's queue.
const readBatch = 16

// ErrReleased is wrapped by errors after Halt released the line.
var ErrReleased = errors.New("line released")

// longAgo is a read deadline that has passed: setting it ends a wait.
var longAgo = time.Unix(1, 0)

// event is one decoded edge.
type event struct {
	level gpio.Level // after the edge
	at    time.Time  // the kernel's timestamp on the harness's clock
	lost  int        // edges the kernel dropped just before this one
}

// Line is a requested GPIO input line with edge detection. One goroutine
// reads it at a time; Halt may be called from any goroutine.
type Line struct {
	f       *os.File // the line request fd, nonblocking, on the runtime poller
	rc      syscall.RawConn
	name    string
	offset  int
	flags   uint64 // the line's gpio_v2_line_flag configuration
	clock   monoClock
	buf     []byte
	queue   []event
	lastSeq uint32     // line_seqno of the last record; the kernel starts at 1
	level   gpio.Level // after the last edge read
	halted  atomic.Bool
}

var _ gpio.PinIn = (*Line)(nil)

// newLine takes over f, a line request fd (or, in tests, anything that
// yields gpio_v2_line_event records) for line offset, configured with flags.
func newLine(f *os.File, name string, offset int, flags uint64) (*Line, error) {
	rc, err := f.SyscallConn()
	if err == nil {
		var c monoClock
		if c, err = sampleClock(kernelNow); err == nil {
			return &Line{f: f, rc: rc, name: name, offset: offset, flags: flags, clock: c, buf: make([]byte, readBatch*eventSize)}, nil
		}
	}
	f.Close()
	return nil, err
}

// NextEdge returns the next edge: the level after it, when the kernel saw
// it, and how many edges the kernel dropped just before it (its queue
// overflowed). Edges already queued are returned even if ctx has ended;
// otherwise it waits until ctx ends and returns an error wrapping ctx's.
func (l *Line) NextEdge(ctx context.Context) (gpio.Level, time.Time, int, error) {
	for wait := false; len(l.queue) == 0; wait = true {
		if err := l.read(ctx, wait); err != nil {
			return l.level, time.Time{}, 0, err
		}
	}
	e := l.queue[0]
	l.queue = l.queue[1:]
	l.level = e.level
	return e.level, e.at, e.lost, nil
}

// read decodes the records the kernel has queued into l.queue; with wait
// it blocks until there is one or ctx ends.
func (l *Line) read(ctx context.Context, wait bool) error {
	var deadline time.Time // none unless waiting
	if wait {
		if err := ctx.Err(); err != nil {
			return l.wrap(context.Cause(ctx))
		}
		deadline, _ = ctx.Deadline()
	}
	if err := l.f.SetReadDeadline(deadline); err != nil {
		return l.wrap(err)
	}
	if wait { // after the deadline is set, so a cancellation cannot be overwritten
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			l.f.SetReadDeadline(longAgo)
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired // so it cannot cut short a later read
			}
		}()
	}
	var n int
	var rerr error
	err := l.rc.Read(func(fd uintptr) bool {
		n, rerr = unix.Read(int(fd), l.buf)
		return rerr != unix.EAGAIN || !wait
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		if cerr := ctx.Err(); cerr != nil {
			return l.wrap(context.Cause(ctx))
		}
		return l.wrap(context.DeadlineExceeded) // the poller saw ctx's deadline first
	case err != nil:
		return l.wrap(err)
	case rerr == unix.EAGAIN:
		return nil
	case rerr != nil:
		return l.wrap(rerr)
	case n == 0:
		return l.wrap(io.EOF)
	case n%eventSize != 0:
		return fmt.Errorf("gpioev: %s: read %d bytes, not whole %d-byte events", l, n, eventSize)
	}
	for b := l.buf[:n]; len(b) > 0; b = b[eventSize:] {
		if e, ok := l.decode(decodeEvent(b)); ok {
			l.queue = append(l.queue, e)
		}
	}
	return nil
}

func (l *Line) wrap(err error) error {
	if l.halted.Load() {
		err = ErrReleased // the poller's own error for a closed fd is internal
	}
	return fmt.Errorf("gpioev: %s: %w", l, err)
}

// decode converts a kernel record, counting the edges dropped before it
// from the gap in line_seqno (unsigned arithmetic carries it across the
// wrap at 2^32). A gap of half the range or more is not a drop but a
// record out of order, which the kernel never produces. An unknown event
// id (uAPI v2 has none) is skipped after its sequence number is taken.
func (l *Line) decode(r lineEvent) (event, bool) {
	e := event{at: l.clock.at(r.timestampNs)}
	if gap := r.lineSeqno - l.lastSeq; gap > 1 && gap < 1<<31 {
		e.lost = int(gap - 1)
	}
	l.lastSeq = r.lineSeqno
	switch r.id {
	case eventRisingEdge:
		e.level = gpio.High
	case eventFallingEdge:
		e.level = gpio.Low
	default:
		return event{}, false
	}
	return e, true
}

// In implements gpio.PinIn. The line stays an input; pull sets the bias
// (gpio.PullNoChange keeps it) and edge the edges detected. Enabling
// detection discards the edges already queued, as periph's drivers do.
func (l *Line) In(pull gpio.Pull, edge gpio.Edge) error {
	flags := flagInput | biasFlags(pull, l.flags) | edgeFlags(edge)
	if flags != l.flags {
		cfg := lineConfig{flags: flags}
		if err := l.control(ioctlSetConfig, unsafe.Pointer(&cfg)); err != nil {
			return l.wrap(fmt.Errorf("configure: %w", err))
		}
		l.flags = flags
	}
	if edge == gpio.NoEdge {
		return nil
	}
	l.queue = l.queue[:0]
	for {
		if err := l.read(context.Background(), false); err != nil || len(l.queue) == 0 {
			return err
		}
		l.level = l.queue[len(l.queue)-1].level
		l.queue = l.queue[:0]
	}
}

// control runs an ioctl on the line fd.
func (l *Line) control(req uintptr, arg unsafe.Pointer) error {
	var err error
	if cerr := l.rc.Control(func(fd uintptr) { err = ioctl(fd, req, arg) }); cerr != nil {
		return cerr
	}
	return err
}

// Read implements gpio.PinIn: the line's level now, or after the last edge
// read if the kernel cannot be asked.
func (l *Line) Read() gpio.Level {
	v := lineValues{mask: 1}
	if err := l.control(ioctlGetValues, unsafe.Pointer(&v)); err != nil {
		return l.level
	}
	return v.bits&1 != 0
}

// WaitForEdge implements gpio.PinIn: NextEdge for at most timeout, or
// until Halt if timeout is negative.
func (l *Line) WaitForEdge(timeout time.Duration) bool {
	ctx := context.Background()
	if timeout >= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	_, _, _, err := l.NextEdge(ctx)
	return err == nil
}

// Halt implements conn.Resource: it releases the line, which ends a wait
// (with an error wrapping ErrReleased). The Line cannot be used afterwards.
func (l *Line) Halt() error {
	l.halted.Store(true)
	if err := l.f.Close(); err != nil {
		return l.wrap(err)
	}
	return nil
}

// Pull implements gpio.PinIn: the bias requested.
func (l *Line) Pull() gpio.Pull {
	switch l.flags & flagBias {
	case flagBiasPullUp:
		return gpio.PullUp
	case flagBiasPullDown:
		return gpio.PullDown
	case flagBiasDisabled:
		return gpio.Float
	}
	return gpio.PullNoChange
}

// DefaultPull implements gpio.PinIn; the uAPI does not report it.
func (l *Line) DefaultPull() gpio.Pull { return gpio.PullNoChange }

// Name implements pin.Pin: the name the line was opened under.
func (l *Line) Name() string { return l.name }

// Number implements pin.Pin: the line's offset on its chip, which is the
// BCM GPIO number on a Raspberry Pi's main chip.
func (l *Line) Number() int { return l.offset }

// Function implements pin.Pin.
func (l *Line) Function() string { return "In/" + edgeOf(l.flags).String() }

// String names the line, where it is and its timestamp source, e.g.
// "GPIO17 (/dev/gpiochip0 line 17, kernel edge timestamps)".
func (l *Line) String() string {
	return fmt.Sprintf("%s (%s, kernel edge timestamps)", l.name, l.f.Name())
}

func edgeOf(flags uint64) gpio.Edge {
	switch flags & flagEdges {
	case flagEdges:
		return gpio.BothEdges
	case flagEdgeRising:
		return gpio.RisingEdge
	case flagEdgeFalling:
		return gpio.FallingEdge
	}
	return gpio.NoEdge
}

func edgeFlags(e gpio.Edge) uint64 {
	switch e {
	case gpio.BothEdges:
		return flagEdges
	case gpio.RisingEdge:
		return flagEdgeRising
	case gpio.FallingEdge:
		return flagEdgeFalling
	}
	return 0
}

// biasFlags is the bias for pull; PullNoChange keeps the bias in current.
func biasFlags(pull gpio.Pull, current uint64) uint64 {
	switch pull {
	case gpio.PullUp:
		return flagBiasPullUp
	case gpio.PullDown:
		return flagBiasPullDown
	case gpio.Float:
		return flagBiasDisabled
	}
	return current & flagBias
}

// Package link is the UART driver: a serial port opened by path whose reads
// honour context deadlines and report a timeout as an error, never as an
// empty read. It is the only package that imports go.bug.st/serial.
//
// Every rate it sets, on Open and on SetBaud, is read back from the kernel
// (harness/serial/termios): a driver that cannot run a rate may keep another one
// while the request succeeds, and a baud check judged at a rate the host
// never ran proves nothing. Such a rate fails with RateNotKept, and the
// link stays at the rate the kernel runs; a rate that cannot be read back
// fails with RateUnknown. A driver's rounding of a rate to its chip's
// divisor, within 2 %, is the rate taken.
package link

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.bug.st/serial"
)

// pollSlice bounds one blocking read so cancellation is noticed promptly.
const pollSlice = 50 * time.Millisecond

// Link is an open serial port in 8N1 mode.
type Link struct {
	path   string
	port   serial.Port
	closed atomic.Bool // Close was called; a closed port otherwise means the device went away
	// sent and received count the bytes that crossed the port, for
	// comparing with the device's own counters.
	sent, received atomic.Int64

	mu      sync.Mutex
	baud    int
	pending []byte // bytes read past the end of a line

	observer atomic.Pointer[Observer]
}

// Observer is told of the bytes that cross the port: a write's slice with
// the time the write began, a read's bytes with the time it returned. It
// runs on the caller's goroutine and must not keep p.
type Observer func(sent bool, at time.Time, p []byte)

// Observe tells o of every byte written and read from now on; nil stops.
func (l *Link) Observe(o Observer) {
	if o == nil {
		l.observer.Store(nil)
		return
	}
	l.observer.Store(&o)
}

func (l *Link) observe(sent bool, at time.Time, p []byte) {
	if o := l.observer.Load(); o != nil && len(p) > 0 {
		(*o)(sent, at, p)
	}
}

// Open opens the serial port at path at the given baud, 8N1, raw. A path
// that is not a terminal device fails with Kind NotSerial (see Check). It
// refuses with Kind Busy, naming the holder, when another process already
// has the port open: two readers of one UART each get part of the bytes,
// and exclusive mode does not stop root.
func Open(path string, baud int) (*Link, error) {
	if baud <= 0 {
		return nil, &Error{Op: "open", Port: path, Kind: InvalidBaud, Err: fmt.Errorf("baud %d", baud)}
	}
	if err := Check(path); err != nil {
		return nil, err
	}
	if h := holder(path); h != "" {
		return nil, &Error{Op: "open", Port: path, Kind: Busy, Holder: h}
	}
	p, err := serial.Open(path, mode(baud))
	if err != nil {
		e := wrap("open", path, err).(*Error)
		if e.Kind == Busy {
			e.Holder = holder(path)
		}
		return nil, e
	}
	l := &Link{path: path, port: p, baud: baud}
	if err := l.confirm("open", baud); err != nil {
		p.Close()
		return nil, err
	}
	return l, nil
}

func mode(baud int) *serial.Mode {
	return &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit}
}

// String names the port and its rate.
func (l *Link) String() string { return fmt.Sprintf("%s@%d", l.path, l.Baud()) }

// Path is the port's device path.
func (l *Link) Path() string { return l.path }

// Baud is the host side's current rate: the last one asked for that the
// kernel confirmed (runs), else the one the kernel kept.
func (l *Link) Baud() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.baud
}

// SetBaud changes the host side's rate. It fails with RateNotKept, the
// link staying at the rate the kernel runs, when the driver did not take
// it.
func (l *Link) SetBaud(baud int) error {
	if baud <= 0 {
		return &Error{Op: "set baud", Port: l.path, Kind: InvalidBaud, Err: fmt.Errorf("baud %d", baud)}
	}
	l.mu.Lock() // held across SetMode, so unblock cannot restore the old rate
	defer l.mu.Unlock()
	if err := l.port.SetMode(mode(baud)); err != nil {
		return l.fail("set baud", err)
	}
	l.baud = baud
	return l.confirm("set baud", baud)
}

// confirm reads back the output rate the kernel runs the port at and
// fails with RateNotKept when it is not baud: a driver that cannot run a
// rate may keep another one and still report success (Linux's 8250 keeps
// the old rate when asked for more than its clock allows). The link then
// records the rate the kernel really runs. A rate that cannot be read
// back fails with RateUnknown: a sweep judged at an unconfirmed rate
// proves nothing. Callers hold mu or own l alone.
func (l *Link) confirm(op string, baud int) error {
	got, err := kernelRate(selfFDs, l.path)
	if k := classify(err); k == NotFound || k == Disconnected {
		return l.fail(op, err) // the device went away after the rate was set
	}
	if err != nil {
		return &Error{Op: op, Port: l.path, Kind: RateUnknown, Err: err}
	}
	if !runs(baud, got) {
		l.baud = got
		return &Error{Op: op, Port: l.path, Kind: RateNotKept, Err: fmt.Errorf("asked for %d baud, the kernel runs %d", baud, got)}
	}
	return nil
}

// runs reports whether a port the kernel runs at got runs the rate asked
// for. A USB serial driver may round the rate to what its chip divides to
// and write the rounded rate back (Linux's cp210x runs a CP2102N at 115384
// for 115200, 923076 for 921600): within 2 % of the request, the margin
// the kernel itself uses to match a rate to a standard one
// (tty_termios_encode_baud_rate), the port runs the request. Standard
// rates lie more than 10 % apart, so a driver that kept another one is
// never that close.
func runs(asked, got int) bool {
	return 50*abs(got-asked) <= asked
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// writeSlice bounds one write system call: when a write's context ends,
// the slice in flight is all that still goes out.
const writeSlice = 256

// Write sends all of p, waiting as long as the line takes to drain it.
func (l *Link) Write(p []byte) error { return l.WriteContext(context.Background(), p) }

// WriteContext sends all of p or fails with a Timeout when ctx ends first.
// It writes on the caller's goroutine, so an echo's timing carries no
// hand-over to another one. The serial library's write has no deadline,
// so p goes out in slices of writeSlice and, should ctx end while a slice
// waits for room in a line that does not drain, unblock frees that room.
func (l *Link) WriteContext(ctx context.Context, p []byte) error {
	stop := context.AfterFunc(ctx, l.unblock)
	defer stop()
	for len(p) > 0 {
		if ctx.Err() != nil {
			return l.timeout("write", ctx)
		}
		at := time.Now()
		n, err := l.port.Write(p[:min(len(p), writeSlice)])
		l.sent.Add(int64(n))
		l.observe(true, at, p[:max(n, 0)])
		if err != nil {
			return l.fail("write", err)
		}
		p = p[n:]
	}
	return nil
}

// unblock lets a write waiting for room complete: it discards the output
// queued in the driver, then applies the current mode again, which wakes
// a writer asleep on a tty that discarding alone does not wake (a pty).
// Best effort: the write that ran out of time reports the timeout.
func (l *Link) unblock() {
	l.port.ResetOutputBuffer()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.port.SetMode(mode(l.baud))
}

// ReadFull reads exactly len(p) bytes or fails when ctx ends. It returns the
// number of bytes read; on a timeout the error matches ErrTimeout and p[:n]
// holds what did arrive.
func (l *Link) ReadFull(ctx context.Context, p []byte) (int, error) {
	n := copy(p, l.takePending(len(p)))
	for n < len(p) {
		m, err := l.read(ctx, p[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ReadSome waits for at least one byte and returns what is available.
func (l *Link) ReadSome(ctx context.Context, p []byte) (int, error) {
	if n := copy(p, l.takePending(len(p))); n > 0 {
		return n, nil
	}
	return l.read(ctx, p)
}

// read returns as soon as some bytes arrive.
func (l *Link) read(ctx context.Context, p []byte) (int, error) {
	for {
		wait := pollSlice
		if dl, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(dl))
		}
		if err := ctx.Err(); err != nil || wait <= 0 {
			return 0, l.timeout("read", ctx)
		}
		if err := l.port.SetReadTimeout(wait); err != nil {
			return 0, l.fail("read", err)
		}
		n, err := l.port.Read(p)
		l.received.Add(int64(max(n, 0)))
		l.observe(false, time.Now(), p[:max(n, 0)])
		if err != nil {
			return n, l.fail("read", err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// fail wraps an error of op on the open port. The serial library reports a
// vanished device as a closed port, so a port closed under us is a
// disconnect; after Close, every failure is Closed.
func (l *Link) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	e := wrap(op, l.path, err).(*Error)
	switch {
	case l.closed.Load():
		e.Kind = Closed
	case e.Kind == Closed:
		e.Kind = Disconnected
	}
	return e
}

func (l *Link) timeout(op string, ctx context.Context) error {
	cause := context.Cause(ctx)
	if cause == nil || errors.Is(cause, context.DeadlineExceeded) {
		cause = ErrTimeout
	}
	return &Error{Op: op, Port: l.path, Kind: Timeout, Err: cause}
}

// ReadLine reads one line terminated by '\n' and returns it without the
// line ending ("\r\n" or "\n").
func (l *Link) ReadLine(ctx context.Context) (string, error) {
	var line []byte
	buf := make([]byte, 256)
	for {
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			l.putPending(line[i+1:])
			return string(bytes.TrimRight(line[:i], "\r")), nil
		}
		if pend := l.takePending(-1); len(pend) > 0 {
			line = append(line, pend...)
			continue
		}
		n, err := l.read(ctx, buf)
		line = append(line, buf[:n]...)
		if err != nil {
			l.putPending(line)
			return "", err
		}
	}
}

func (l *Link) takePending(max int) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if max < 0 || max > len(l.pending) {
		max = len(l.pending)
	}
	out := l.pending[:max:max]
	l.pending = l.pending[max:]
	return out
}

func (l *Link) putPending(b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = append(append([]byte(nil), b...), l.pending...)
}

// Flush discards everything already received, waiting quiet for settle so
// bytes still on the wire are dropped too. It returns how many bytes it
// threw away: it reads them rather than flushing the driver's buffer, which
// would discard them uncounted.
func (l *Link) Flush(ctx context.Context, settle time.Duration) (int, error) {
	dropped := len(l.takePending(-1))
	buf := make([]byte, 4096)
	for {
		qctx, cancel := context.WithTimeout(ctx, settle)
		n, err := l.read(qctx, buf)
		cancel()
		dropped += n
		if errors.Is(err, ErrTimeout) {
			if ctx.Err() != nil {
				return dropped, l.timeout("flush", ctx)
			}
			return dropped, nil
		}
		if err != nil {
			return dropped, err
		}
	}
}

// Resync quiet thresholds: the line counts as settled once it has been
// silent for resyncQuietBytes character times at the current rate, and never
// less than resyncQuietMin, which covers host scheduling on a busy machine.
const (
	resyncQuietBytes = 64
	resyncQuietMin   = 20 * time.Millisecond
)

// Resync brings the line back to a known state after garbage, a break (a
// UART delivers it as 0x00 with a framing error) or an overrun burst: it
// drops everything received and drains until the line has been quiet for
// resyncQuietBytes character times, so a resync at 300 baud waits as many
// characters as one at 921600. It returns how many bytes it threw away; a
// line that never goes quiet fails with a timeout when ctx ends, and a
// device that went away with Disconnected.
func (l *Link) Resync(ctx context.Context) (int, error) {
	return l.ResyncSlowed(ctx, 1)
}

// ResyncSlowed is Resync for a device that may run up to slowdown times
// slower than real time by the host's clock (an emulator on a loaded
// host): what it still has to send comes that much later, so the line
// must stay quiet for that many times resyncQuietBytes character times.
func (l *Link) ResyncSlowed(ctx context.Context, slowdown float64) (int, error) {
	char := time.Duration(float64(time.Second) * 10 / float64(l.Baud()))
	quiet := time.Duration(max(slowdown, 1) * float64(resyncQuietBytes*char))
	return l.Flush(ctx, max(quiet, resyncQuietMin))
}

// Counts are the bytes written to and read from the port since it opened.
// A write cut short by its context may have had queued bytes discarded
// (see unblock): they count as sent.
func (l *Link) Counts() (sent, received int64) { return l.sent.Load(), l.received.Load() }

// Halt drops pending input; the port stays open.
func (l *Link) Halt() error {
	l.takePending(-1)
	return l.fail("halt", l.port.ResetInputBuffer())
}

// Close closes the port.
func (l *Link) Close() error {
	l.closed.Store(true)
	return wrap("close", l.path, l.port.Close())
}

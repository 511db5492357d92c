// Package reconnect keeps the control channel usable when the Pico's USB
// serial port goes away and comes back, as it does on every reset: the
// port is found again (by USB serial number where the bench gives one,
// else by its path) and reopened, instead of failing the rest of the suite.
//
// A Line is a control.Line. A command written while the port is gone is
// held and sent once the port is back, within the deadline of the read
// that waits for its reply; a reply lost with the port is an error for
// that command, never a resend, because a command such as BURST must not
// run twice.
package reconnect

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
)

// poll is how often a missing port is looked for again.
const poll = 100 * time.Millisecond

// Port is an open control port.
type Port interface {
	control.Line
	Close() error
}

// Finder returns the path of the control port once it is present.
type Finder func(ctx context.Context) (string, error)

// Opener opens the port at path.
type Opener func(path string) (Port, error)

// ByMatch finds the port by USB identity through l; the path may change
// across a re-enumeration.
func ByMatch(l discover.Lister, m discover.Match) Finder {
	return func(ctx context.Context) (string, error) { return l.WaitFor(ctx, m) }
}

// ByPath waits for path to exist again.
func ByPath(path string) Finder {
	return func(ctx context.Context) (string, error) {
		tick := time.NewTicker(poll)
		defer tick.Stop()
		for {
			_, err := os.Stat(path)
			if err == nil {
				return path, nil
			}
			select {
			case <-ctx.Done():
				return "", fmt.Errorf("reconnect: waiting for %s: %w; gave up: %w", path, err, context.Cause(ctx))
			case <-tick.C:
			}
		}
	}
}

// LinkOpener opens a control port with link.Open at control.PortBaud,
// whatever the data UART's rate.
func LinkOpener(path string) (Port, error) {
	l, err := link.Open(path, control.PortBaud)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Open opens the control port at path with LinkOpener; find brings it
// back after it went away.
func Open(path string, find Finder) (*Line, error) {
	port, err := LinkOpener(path)
	if err != nil {
		return nil, err
	}
	return New(port, path, find, LinkOpener), nil
}

// Error is a port that did not come back.
type Error struct {
	Last string // the path it had
	Err  error
}

func (e *Error) Error() string {
	return fmt.Sprintf("reconnect: the control port %s went away and was not found again: %v (hint: check the USB cable and power; after a reset the Pico takes a second or two to re-enumerate)", e.Last, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Line is a control line that reopens its port after a disconnect.
type Line struct {
	find Finder
	open Opener

	mu     sync.Mutex
	port   Port // nil while the port is gone or after Close
	path   string
	held   []byte // a command written while the port was gone
	closed bool   // Close was called: nothing reopens the port
}

// New wraps port, open at path; find and open bring it back.
func New(port Port, path string, find Finder, open Opener) *Line {
	return &Line{port: port, path: path, find: find, open: open}
}

// gone reports whether err means the device went away.
func gone(err error) bool {
	switch link.KindOf(err) {
	case link.Disconnected, link.NotFound:
		return true
	}
	return false
}

// closedError is the error of any use after Close. Callers hold mu.
func (l *Line) closedError(op string) error {
	return &link.Error{Op: op, Port: l.path, Kind: link.Closed}
}

// drop closes a port that went away. Callers hold mu.
func (l *Line) drop() {
	if l.port != nil {
		l.port.Close()
		l.port = nil
	}
}

// Write sends p, or holds it for the next ReadLine while the port is gone.
func (l *Line) Write(p []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.closedError("write")
	}
	if l.port != nil {
		err := l.port.Write(p)
		if !gone(err) {
			return err
		}
		l.drop()
	}
	l.held = append([]byte(nil), p...)
	return nil
}

// ReadLine reads one line; while the port is gone it first finds and
// reopens it and sends the held command, all within ctx.
func (l *Line) ReadLine(ctx context.Context) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return "", l.closedError("read")
	}
	if l.port == nil {
		held := l.held
		l.held = nil
		if err := l.reopen(ctx); err != nil {
			return "", err
		}
		if err := l.port.Write(held); err != nil {
			return "", err
		}
	}
	s, err := l.port.ReadLine(ctx)
	if gone(err) {
		l.drop()
	}
	return s, err
}

// reopen finds the port and opens it, retrying an open that fails while
// the device is still settling (udev permissions, a modem manager probing
// it) until ctx ends. Callers hold mu.
func (l *Line) reopen(ctx context.Context) error {
	for {
		path, err := l.find(ctx)
		if err == nil {
			var p Port
			if p, err = l.open(path); err == nil {
				l.port, l.path = p, path
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return &Error{Last: l.path, Err: err}
		case <-time.After(poll):
		}
	}
}

// Close closes the port if it is open; after it every Write and ReadLine
// fails with a link.Closed error instead of finding the port again.
func (l *Line) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed, l.held = true, nil
	if l.port == nil {
		return nil
	}
	err := l.port.Close()
	l.port = nil
	return err
}

var _ control.Line = (*Line)(nil)

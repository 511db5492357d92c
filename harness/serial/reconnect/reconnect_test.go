package reconnect

import (
	"bufio"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
)

const serialNo = "E6614C311B8D5B2C"

// pico is a control port on a pty that answers VERSION with its name.
func pico(t *testing.T, name string) *pty.Pair {
	t.Helper()
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	go func() {
		r := bufio.NewReader(p.Master)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.TrimSpace(line) == "VERSION" {
				p.Master.Write([]byte("OK VERSION " + name + " 1.0.0\r\n"))
			}
		}
	}()
	return p
}

// usb is a fake enumerator: the Pico is listed at path, or not at all
// while path is "".
type usb struct {
	mu   sync.Mutex
	path string
}

func (u *usb) set(path string) {
	u.mu.Lock()
	u.path = path
	u.mu.Unlock()
}

func (u *usb) list() ([]*enumerator.PortDetails, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	ports := []*enumerator.PortDetails{{Name: "/dev/ttyAMA0"}}
	if u.path != "" {
		ports = append(ports, &enumerator.PortDetails{Name: u.path, IsUSB: true, VID: "2E8A", PID: "0005", SerialNumber: serialNo})
	}
	return ports, nil
}

func TestReenumeratedPortIsFoundBySerialNumber(t *testing.T) {
	first := pico(t, "first")
	bus := &usb{path: first.Path}
	find := ByMatch(discover.Lister(bus.list), discover.Match{VID: discover.PicoVID, Serial: serialNo})
	path, err := find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	port, err := LinkOpener(path)
	if err != nil {
		t.Fatal(err)
	}
	line := New(port, path, find, LinkOpener)
	defer line.Close()
	c := control.New(line)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if v, err := c.Version(ctx); err != nil || v.Name != "first" {
		t.Fatalf("before: %v, %v", v, err)
	}

	// Unplug: the port goes away and, a little later, a new one appears
	// under another path.
	bus.set("")
	first.Close()
	second := pico(t, "second")
	time.AfterFunc(3*poll, func() { bus.set(second.Path) })

	// The reply in flight when the port vanished may be lost (one error);
	// the next command reaches the device on its new path.
	var v control.Version
	var errs []error
	for attempt := 0; attempt < 2; attempt++ {
		if v, err = c.Version(ctx); err == nil {
			break
		}
		errs = append(errs, err)
	}
	if err != nil || v.Name != "second" {
		t.Fatalf("after re-enumeration: %v, %v (errors %v)", v, err, errs)
	}
}

func TestPortThatNeverComesBackFailsWithinTheDeadline(t *testing.T) {
	first := pico(t, "first")
	bus := &usb{path: first.Path}
	find := ByMatch(discover.Lister(bus.list), discover.Match{Serial: serialNo})
	port, err := LinkOpener(first.Path)
	if err != nil {
		t.Fatal(err)
	}
	line := New(port, first.Path, find, LinkOpener)
	defer line.Close()
	bus.set("")
	first.Close()
	c := control.New(line)
	var last error
	for attempt := 0; attempt < 2; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*poll)
		_, last = c.Version(ctx)
		cancel()
	}
	var re *Error
	if !errors.As(last, &re) || re.Last != first.Path || !strings.Contains(last.Error(), "hint:") {
		t.Fatalf("err = %v", last)
	}
	var nf *discover.NotFoundError
	if !errors.As(last, &nf) {
		t.Fatalf("err %v does not carry the enumerator's reason", last)
	}
}

func TestByPathWaitsForThePortToReturn(t *testing.T) {
	p := pico(t, "dev")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if got, err := ByPath(p.Path)(ctx); err != nil || got != p.Path {
		t.Fatalf("%q, %v", got, err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 3*poll)
	defer cancel()
	if _, err := ByPath("/dev/ttyNOPE9")(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

// TestClosedLineStaysClosed: after Close nothing finds or reopens the
// port; every use fails as closed.
func TestClosedLineStaysClosed(t *testing.T) {
	p := pico(t, "dev")
	port, err := LinkOpener(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	find := func(context.Context) (string, error) { found = true; return p.Path, nil }
	line := New(port, p.Path, find, LinkOpener)
	if err := line.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := line.Write([]byte("VERSION\r\n")); link.KindOf(err) != link.Closed {
		t.Fatalf("Write after Close: %v", err)
	}
	if _, err := line.ReadLine(ctx); link.KindOf(err) != link.Closed || found {
		t.Fatalf("ReadLine after Close: %v (port looked for: %v)", err, found)
	}
	if err := line.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestControlPortOpensAtTheFixedRate(t *testing.T) {
	p := pico(t, "picohil")
	line, err := Open(p.Path, ByPath(p.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer line.Close()
	if got, err := p.HostBaud(); err != nil || got != control.PortBaud {
		t.Fatalf("control port opened at %d baud (%v), want control.PortBaud %d", got, err, control.PortBaud)
	}
}

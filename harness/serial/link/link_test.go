package link

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/fixtures/pty/ptytest"
	"github.com/picohil/picohil/harness/support/qemuuser"
)

func openPair(t *testing.T) (*pty.Pair, *Link) {
	t.Helper()
	p := ptytest.Open(t)
	l, err := Open(p.Path, 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return p, l
}

func TestReadTimeoutIsAnError(t *testing.T) {
	_, l := openPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	n, err := l.ReadFull(ctx, make([]byte, 4))
	if n != 0 || !errors.Is(err, ErrTimeout) || KindOf(err) != Timeout {
		t.Fatalf("n=%d err=%v; want a timeout error", n, err)
	}
	if !strings.Contains(err.Error(), "hint:") {
		t.Fatalf("no hint in %q", err)
	}
}

func TestReadFullReturnsPartialOnTimeout(t *testing.T) {
	p, l := openPair(t)
	if _, err := p.Master.Write([]byte("ab")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	buf := make([]byte, 4)
	n, err := l.ReadFull(ctx, buf)
	if n != 2 || string(buf[:2]) != "ab" || !errors.Is(err, ErrTimeout) {
		t.Fatalf("n=%d %q err=%v", n, buf[:n], err)
	}
}

func TestReadLineKeepsWhatFollows(t *testing.T) {
	p, l := openPair(t)
	if _, err := p.Master.Write([]byte("OK one\r\nOK two\npartial")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, want := range []string{"OK one", "OK two"} {
		got, err := l.ReadLine(ctx)
		if err != nil || got != want {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	buf := make([]byte, 7)
	if _, err := l.ReadFull(ctx, buf); err != nil || string(buf) != "partial" {
		t.Fatalf("rest = %q, %v", buf, err)
	}
}

// Counts tally what crossed the port once, whatever read it: a line read
// past its end, a flush, a plain read.
func TestCountsEveryByteOnce(t *testing.T) {
	p, l := openPair(t)
	if _, err := p.Master.Write([]byte("OK one\r\nrest")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := l.ReadLine(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteContext(ctx, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if _, err := l.Flush(ctx, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if sent, received := l.Counts(); sent != 5 || received != 12 {
		t.Fatalf("Counts = %d sent, %d received; want 5, 12", sent, received)
	}
}

func TestFlushDropsStaleBytes(t *testing.T) {
	p, l := openPair(t)
	if _, err := p.Master.Write([]byte("stale")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	n, err := l.Flush(context.Background(), 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if m, _ := l.ReadSome(ctx, make([]byte, 8)); m != 0 {
		t.Fatalf("read %d bytes after flushing %d", m, n)
	}
}

func TestOpenErrorsAreOneLineWithHints(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "not-a-tty")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		baud int
		kind Kind
		hint string
	}{
		{"/dev/does-not-exist", 115200, NotFound, "HIL_SERIAL"},
		{"/dev/null", 0, InvalidBaud, "positive standard rate"},
		{plain, 115200, NotSerial, "hil detect"},
	}
	for _, c := range cases {
		_, err := Open(c.path, c.baud)
		if err == nil || KindOf(err) != c.kind || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), c.hint) {
			t.Errorf("Open(%s, %d) = %v; want kind %s with hint %q on one line", c.path, c.baud, err, c.kind, c.hint)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := map[error]Kind{
		syscall.EACCES: Permission,
		syscall.EBUSY:  Busy,
		syscall.EIO:    Disconnected,
		syscall.ENOENT: NotFound,
	}
	for err, want := range cases {
		if got := classify(err); got != want {
			t.Errorf("classify(%v) = %s, want %s", err, got, want)
		}
	}
	e := &Error{Op: "open", Port: "/dev/ttyAMA0", Kind: Permission, Err: syscall.EACCES}
	if !strings.Contains(e.Error(), "dialout") || !errors.Is(e, syscall.EACCES) {
		t.Fatalf("%v", e)
	}
}

func TestDisconnectIsNamed(t *testing.T) {
	p, l := openPair(t)
	p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := l.ReadFull(ctx, make([]byte, 1))
	if KindOf(err) != Disconnected {
		t.Fatalf("err = %v (kind %s); want disconnected", err, KindOf(err))
	}
}

func TestErrorNamesTheHolderOnceAndEveryKindHasAHint(t *testing.T) {
	busy := &Error{Op: "open", Port: "/dev/ttyACM0", Kind: Busy, Holder: "pid 42 minicom"}
	if msg := busy.Error(); strings.Count(msg, "pid 42 minicom") != 1 || !strings.Contains(msg, "hint:") {
		t.Errorf("busy: %q; want the holder once and a hint", msg)
	}
	for k := range kindNames {
		e := &Error{Op: "read", Port: "/dev/ttyACM0", Kind: k, Err: errors.New("cause")}
		if msg := e.Error(); !strings.Contains(msg, "(hint: ") || strings.Contains(msg, "\n") {
			t.Errorf("kind %s: %q; want one line with a hint", k, msg)
		}
	}
}

func TestWriteContextEndsWhenTheLineDoesNotDrain(t *testing.T) {
	p, l := openPair(t) // nothing reads the master, so the pty fills up
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.WriteContext(ctx, make([]byte, 1<<20)) }()
	select {
	case err := <-done:
		if KindOf(err) != Timeout || !errors.Is(err, ErrTimeout) {
			t.Fatalf("err = %v (kind %s); want a write timeout", err, KindOf(err))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WriteContext still blocked long after its deadline")
	}

	go io.Copy(io.Discard, p.Master) // the line drains again
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if err := l.WriteContext(wctx, []byte("after")); err != nil {
		t.Fatalf("write once the line drains: %v", err)
	}
}

// A pty stores any rate, so every rate asked for must be confirmed: the
// read-back refuses no rate a port really runs.
func TestEveryRateAPortRunsIsConfirmed(t *testing.T) {
	rates := []int{50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
		57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000,
		2500000, 3000000, 3500000, 4000000, 250000}
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	l, err := Open(p.Path, 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, rate := range rates {
		if rate > 460800 || rate == 250000 {
			qemuuser.Skip(t, "qemu-user 7.2 translates termios rate codes up to 460800 and has no termios2")
		}
		if err := l.SetBaud(rate); err != nil || l.Baud() != rate {
			t.Fatalf("SetBaud(%d) = %v, Baud %d; want the rate confirmed", rate, err, l.Baud())
		}
		if got, err := p.HostBaud(); err != nil || got != rate {
			t.Fatalf("the pty runs %d, %v; want %d", got, err, rate)
		}
	}
	if o, err := Open(p.Path, 250000); err != nil {
		t.Fatalf("Open at 250000: %v", err)
	} else {
		o.Close()
	}
}

// A USB serial driver that rounds a rate to its chip's divisor writes the
// rounded rate back: Linux's cp210x for a CP2102N (cp210x_get_actual_rate:
// div = round(48 MHz / 2 / rate), runs 48 MHz / 2 / div). The port runs
// the rate asked for and the link takes it; a rate the driver kept from
// before (an 8250 asked for more than its clock) is still refused.
func TestDriverRoundingIsTheRateTaken(t *testing.T) {
	qemuuser.Skip(t, "qemu-user 7.2 has no termios2, so no rate without a code can be set")
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// The driver's side of the port: the rate it writes back.
	drv, err := os.OpenFile(p.Path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	runAt := func(rate int) {
		t.Helper()
		tio, err := unix.IoctlGetTermios(int(drv.Fd()), unix.TCGETS2)
		if err != nil {
			t.Fatal(err)
		}
		tio.Cflag = tio.Cflag&^unix.CBAUD | unix.BOTHER
		tio.Ispeed, tio.Ospeed = uint32(rate), uint32(rate)
		if err := unix.IoctlSetTermios(int(drv.Fd()), unix.TCSETS2, tio); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Open(p.Path, 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, rate := range []int{9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600} {
		div := (48_000_000/2 + rate/2) / rate
		runAt(48_000_000 / 2 / div)
		if err := l.confirm("set baud", rate); err != nil {
			t.Errorf("%d baud run as %d by the driver: %v; want it taken", rate, 48_000_000/2/div, err)
		}
	}
	runAt(115200)
	if err := l.confirm("set baud", 230400); KindOf(err) != RateNotKept || l.Baud() != 115200 {
		t.Fatalf("230400 baud with the driver keeping 115200: %v, link at %d; want %s at 115200", err, l.Baud(), RateNotKept)
	}
}

// Without /proc the rate cannot be read back: that is no missing port.
func TestRateWithoutProcIsNoMissingPort(t *testing.T) {
	p, _ := openPair(t)
	_, err := kernelRate(filepath.Join(t.TempDir(), "proc", "self", "fd"), p.Path)
	if err == nil || classify(err) == NotFound || classify(err) == Disconnected {
		t.Fatalf("kernelRate without /proc = %v (%s); want an error that says the rate is unknown, not that the port is gone", err, classify(err))
	}
}

// A path that is no terminal is "not a serial port", saying what it is,
// never "busy": every process holds /dev/null.
func TestCheckRefusesWhatIsNoTerminal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ttyUSB0")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cases := []struct{ path, want string }{
		{"/dev/null", "not a serial port (not a tty)"},
		{file, "not a serial port (not a character device)"},
		{t.TempDir(), "not a serial port (a directory)"},
		{"/dev/ttyNOPE", "not found"},
	}
	for _, c := range cases {
		err := Check(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "hint:") || strings.Contains(err.Error(), "busy") {
			t.Errorf("Check(%s) = %v; want %q and a hint", c.path, err, c.want)
		}
		if _, err := Open(c.path, 115200); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%s) = %v; want %q", c.path, err, c.want)
		}
	}
	if err := Check(p.Path); err != nil {
		t.Errorf("Check(%s), a pty: %v", p.Path, err)
	}
	if _, err := os.Stat(sysDevChar); err != nil {
		t.Skipf("no sysfs: the tty class cannot be read: %v", err)
	}
	var st unix.Stat_t
	if err := unix.Stat("/dev/tty", &st); err == nil && !terminal(sysDevChar, uint64(st.Rdev)) {
		t.Errorf("/dev/tty is not taken for a terminal")
	}
}

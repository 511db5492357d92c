package termios

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/harness/support/qemuuser"
)

// slave opens a pty pair and returns the slave's fd: a pty stores any rate.
func slave(t *testing.T) int {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return int(s.Fd())
}

// set writes a standard rate the classic way, as the serial library does.
func set(t *testing.T, fd int, code uint32) {
	t.Helper()
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Cflag = tio.Cflag&^unix.CBAUD | code
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
}

// Every standard rate set by its code reads back as its number, through
// the request in use (TCGETS2 natively, TCGETS under qemu-user) and
// through the classic request's decoding.
func TestStandardRatesReadBack(t *testing.T) {
	fd := slave(t)
	for code, rate := range cbaudRates {
		if rate > 460800 && os.Getenv(qemuuser.Variable) != "" {
			continue // qemu-user 7.2 translates rate codes only up to 460800
		}
		set(t, fd, code)
		got, err := OutputRate(fd)
		if err != nil || got != int(rate) {
			t.Errorf("code %#o: OutputRate = %d, %v; want %d", code, got, err, rate)
		}
		c, err := classic(fd)
		if err != nil || c.Ospeed != rate || c.Ispeed != rate {
			t.Errorf("code %#o: TCGETS decodes %v; want %d", code, c, rate)
		}
	}
}

// A rate with no code (BOTHER) reads back as its number through TCGETS2,
// and the classic request refuses it rather than guess.
func TestNonStandardRate(t *testing.T) {
	qemuuser.Skip(t, "qemu-user 7.2 has no termios2, so no rate without a code can be set")
	fd := slave(t)
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS2)
	if err != nil {
		t.Fatal(err)
	}
	tio.Cflag = tio.Cflag&^unix.CBAUD | unix.BOTHER
	tio.Ispeed, tio.Ospeed = 250000, 250000
	if err := unix.IoctlSetTermios(fd, unix.TCSETS2, tio); err != nil {
		t.Fatal(err)
	}
	if got, err := OutputRate(fd); err != nil || got != 250000 {
		t.Fatalf("OutputRate = %d, %v; want 250000", got, err)
	}
	if c, err := classic(fd); err == nil {
		t.Fatalf("TCGETS decoded BOTHER as %d; want an error", c.Ospeed)
	}
}

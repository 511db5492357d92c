// Package termios reads a terminal's settings from the kernel together with
// the output rate the kernel really runs it at, which can differ from the
// rate last asked for: a driver that cannot run a rate keeps another one
// and the request still succeeds (Linux's 8250 driver keeps the old rate
// when asked for more than its clock allows).
package termios

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// Get reads fd's settings with TCGETS2, which carries the rates as
// numbers, and returns the request that writes them back. An emulated
// kernel interface without termios2 (qemu-user 7.2 answers TCGETS2 with
// ENOSYS but translates TCGETS) gets the classic request, with both rates
// decoded from its CBAUD code; a code that stands for no fixed rate
// (BOTHER) then fails, since the number is not in that answer.
func Get(fd int) (*unix.Termios, uint, error) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS2)
	if !errors.Is(err, unix.ENOSYS) {
		return t, unix.TCSETS2, err
	}
	if t, err = classic(fd); err != nil {
		return nil, 0, err
	}
	return t, unix.TCSETS, nil
}

// classic reads fd's settings with TCGETS and decodes the rates.
func classic(fd int) (*unix.Termios, error) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	rate, ok := cbaudRates[t.Cflag&unix.CBAUD]
	if !ok {
		return nil, fmt.Errorf("CBAUD code %#o is not a standard rate and TCGETS2 is unavailable", t.Cflag&unix.CBAUD)
	}
	t.Ispeed, t.Ospeed = rate, rate
	return t, nil
}

// OutputRate is the rate the kernel runs fd's output at, in baud.
func OutputRate(fd int) (int, error) {
	t, _, err := Get(fd)
	if err != nil {
		return 0, err
	}
	return int(t.Ospeed), nil
}

// Rates are the standard rates a terminal's CBAUD code names, ascending,
// without B0 (hang up).
func Rates() []int {
	var rates []int
	for _, r := range cbaudRates {
		if r > 0 {
			rates = append(rates, int(r))
		}
	}
	slices.Sort(rates)
	return rates
}

var cbaudRates = map[uint32]uint32{
	unix.B0: 0, unix.B50: 50, unix.B75: 75, unix.B110: 110, unix.B134: 134, unix.B150: 150,
	unix.B200: 200, unix.B300: 300, unix.B600: 600, unix.B1200: 1200, unix.B1800: 1800,
	unix.B2400: 2400, unix.B4800: 4800, unix.B9600: 9600, unix.B19200: 19200, unix.B38400: 38400,
	unix.B57600: 57600, unix.B115200: 115200, unix.B230400: 230400, unix.B460800: 460800,
	unix.B500000: 500000, unix.B576000: 576000, unix.B921600: 921600, unix.B1000000: 1000000,
	unix.B1152000: 1152000, unix.B1500000: 1500000, unix.B2000000: 2000000,
	unix.B2500000: 2500000, unix.B3000000: 3000000, unix.B3500000: 3500000, unix.B4000000: 4000000,
}

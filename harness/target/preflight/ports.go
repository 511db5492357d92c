package preflight

import (
	"fmt"
	"slices"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/serial/link"
)

// PortAccess opens the port at baud, switches it to each of rates (the
// sweep the suite will run) and back, and closes it again: the kernel must
// run every rate, since a driver may keep another one and still succeed.
func PortAccess(name, path string, baud int, rates ...int) report.Check {
	l, err := link.Open(path, baud)
	if err != nil {
		return fail(name, path+" opens at "+fmt.Sprint(baud)+" baud", err.Error(), portHint(err))
	}
	for _, r := range slices.Concat(rates, []int{baud}) {
		if err := l.SetBaud(r); err != nil {
			l.Close()
			return fail(name, fmt.Sprintf("%s runs every rate of the sweep %v", path, rates), err.Error(), portHint(err))
		}
	}
	if err := l.Close(); err != nil {
		return fail(name, path+" closes", err.Error(), portHint(err))
	}
	if len(rates) > 0 {
		return ok(name, fmt.Sprintf("%s opens at %d baud and runs %v", path, baud, rates))
	}
	return ok(name, fmt.Sprintf("%s opens at %d baud", path, baud))
}

// portHint is what to do about a port that does not open, by link error
// kind.
func portHint(err error) string {
	switch link.KindOf(err) {
	case link.NotFound:
		return "the port does not exist: set HIL_SERIAL / HIL_CONTROL (or the bench profile's ports) to a device listed by `hil detect` or ls /dev/serial/by-id"
	case link.Permission:
		return "add the bench user to the dialout group (sudo usermod -aG dialout $USER, log in again) or install the udev rules"
	case link.Busy:
		return "another program holds the port: close it; on /dev/serial0 that is usually the serial console's getty (see uart.console)"
	case link.InvalidBaud:
		return "the baud rate is not one the port accepts: use a standard rate (HIL_BAUD)"
	case link.RateNotKept:
		return "the port's driver runs another rate than the one asked for: use rates the UART runs in HIL_BAUD and HIL_BAUDS (or the profile's baud and bauds), or on a Pi raise the UART clock (init_uart_clock in config.txt)"
	case link.RateUnknown:
		return "the harness reads the port's rate back through /proc/self/fd: mount /proc"
	case link.Disconnected:
		return "the device went away while opening: check the USB cable and power"
	}
	return "see the error: the port exists but does not behave like a serial port"
}

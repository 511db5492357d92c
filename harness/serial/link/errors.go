package link

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"go.bug.st/serial"
)

// Kind classifies a link error so callers can branch on it.
type Kind int

// Error kinds.
const (
	Other Kind = iota
	NotFound
	Permission
	Busy
	InvalidBaud
	Timeout
	Closed
	Disconnected
	// RateNotKept: the port's driver accepted a rate but runs another one.
	RateNotKept
	// RateUnknown: the rate the kernel runs the port at cannot be read back.
	RateUnknown
	// NotSerial: the path is not a terminal device (a file, /dev/null).
	NotSerial
)

var kindNames = map[Kind]string{
	Other:        "error",
	NotFound:     "not found",
	Permission:   "permission denied",
	Busy:         "busy",
	InvalidBaud:  "invalid baud",
	Timeout:      "timeout",
	Closed:       "closed",
	Disconnected: "disconnected",
	RateNotKept:  "rate not kept",
	RateUnknown:  "rate unknown",
	NotSerial:    "not a serial port",
}

func (k Kind) String() string { return kindNames[k] }

var kindHints = map[Kind]string{
	NotFound:     "check the cable and the port name (ls /dev/serial/by-id /dev/ttyACM* /dev/ttyAMA*), or set HIL_SERIAL / HIL_CONTROL",
	Permission:   "add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again",
	Busy:         "another program holds the port; close it (fuser -v <port> names it) or pick another port",
	InvalidBaud:  "use a positive standard rate such as 9600, 115200 or 921600",
	Timeout:      "the device did not answer in time: check wiring (TX->RX, RX<-TX, GND), the baud rate and that the firmware is running",
	Disconnected: "the device went away: check the USB cable and power, then re-run",
	RateNotKept:  "the port's driver cannot run at this rate; leave it out of the profile's baud and bauds (HIL_BAUD, HIL_BAUDS), or on a Pi raise the UART clock (init_uart_clock in config.txt)",
	RateUnknown:  "the rate is read back through /proc/self/fd: mount /proc; a verdict at a rate nobody can confirm is no verdict",
	NotSerial:    "give the Pico's UART or USB serial port, such as /dev/serial0 or /dev/ttyACM0; `hil detect` lists the serial ports present",
	Closed:       "this program already closed the port; open it again before using it",
	Other:        "an unexpected serial failure: check that the path is a serial device (ls -l <port>) and the kernel log (dmesg) for driver errors",
}

// ErrTimeout is matched by errors.Is for every read that ran out of time.
var ErrTimeout = errors.New("timeout")

// Error is a link failure with the operation, the port and a hint.
type Error struct {
	Op     string
	Port   string
	Kind   Kind
	Err    error
	Holder string // for Busy: the process holding the port, "pid 123 minicom", when found
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("link: %s %s: %s", e.Op, e.Port, e.Problem())
	if h := e.Hint(); h != "" {
		msg += " (hint: " + h + ")"
	}
	return msg
}

// Problem is what went wrong, without the operation, the port or the hint.
func (e *Error) Problem() string {
	msg := e.Kind.String()
	switch {
	case e.Kind == NotSerial && e.Err != nil:
		msg += " (" + e.Err.Error() + ")"
	case e.Err != nil && e.Err.Error() != e.Kind.String():
		msg += ": " + e.Err.Error()
	}
	if e.Holder != "" {
		msg += " (held by " + e.Holder + ")"
	}
	return msg
}

// Hint is what to do about it.
func (e *Error) Hint() string {
	if e.Holder != "" {
		return "close that program or pick another port"
	}
	return kindHints[e.Kind]
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTimeout) true for timeouts.
func (e *Error) Is(target error) bool { return target == ErrTimeout && e.Kind == Timeout }

// KindOf returns the Kind of err, or Other when err is not a link error.
func KindOf(err error) Kind {
	var le *Error
	if errors.As(err, &le) {
		return le.Kind
	}
	return Other
}

// classify maps go.bug.st/serial and OS errors onto kinds.
func classify(err error) Kind {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortBusy:
			return Busy
		case serial.PortNotFound:
			return NotFound
		case serial.PermissionDenied:
			return Permission
		case serial.InvalidSpeed:
			return InvalidBaud
		case serial.PortClosed:
			return Closed
		case serial.InvalidSerialPort:
			return NotSerial
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return NotFound
	case errors.Is(err, fs.ErrPermission):
		return Permission
	case errors.Is(err, syscall.EBUSY):
		return Busy
	case errors.Is(err, syscall.EIO), errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.ENODEV):
		return Disconnected
	}
	return Other
}

func wrap(op, port string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Port: port, Kind: classify(err), Err: err}
}

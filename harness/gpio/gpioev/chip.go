package gpioev

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
	"periph.io/x/conn/v3/gpio"
)

// consumer is the name the line is requested under, as gpioinfo shows it.
const consumer = "picohil"

// ErrNoLine is wrapped when the chip has no line at the offset.
var ErrNoLine = errors.New("no such line on the chip")

// Error is a line that could not be requested, with a hint.
type Error struct {
	Line string // the name it was asked for by
	Chip string // the GPIO character device
	Err  error
	Hint string
}

func (e *Error) Error() string {
	return fmt.Sprintf("gpioev: %s on %s: %v (hint: %s)", e.Line, e.Chip, e.Err, e.Hint)
}

func (e *Error) Unwrap() error { return e.Err }

// newError wraps err with a hint; holder is the consumer the kernel reports
// for the line, if known.
func newError(line, chip string, err error, holder string) *Error {
	hint := "check the kernel log (dmesg) for GPIO errors"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		hint = "the GPIO character device is missing: not a Pi, or a kernel without CONFIG_GPIO_CDEV"
	case errors.Is(err, fs.ErrPermission):
		hint = "add your user to the gpio group (sudo usermod -aG gpio $USER) and log in again"
	case errors.Is(err, unix.EBUSY) && holder != "":
		hint = fmt.Sprintf("%q holds the line; stop it or remove the overlay that claims the pin", holder)
	case errors.Is(err, unix.EBUSY):
		hint = "another program or an overlay holds the line; stop it or remove the overlay"
	case errors.Is(err, unix.ENOTTY), errors.Is(err, unix.EINVAL):
		hint = "the kernel lacks the GPIO uAPI v2 (Linux 5.10 or later is needed), or the path is not a GPIO chip"
	case errors.Is(err, ErrNoLine):
		hint = "the pin maps to a line the chip does not have; check the pin name"
	}
	return &Error{Line: line, Chip: chip, Err: err, Hint: hint}
}

// Open requests line offset of the GPIO character device chip (such as
// /dev/gpiochip0) as an input with both-edge detection and the bias of pull
// (gpio.PullNoChange leaves the bias as it is); name is what messages call
// the line. Errors are *Error with a hint.
func Open(chip string, offset int, name string, pull gpio.Pull) (*Line, error) {
	fd, err := unix.Open(chip, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, newError(name, chip, &fs.PathError{Op: "open", Path: chip, Err: err}, "")
	}
	defer unix.Close(fd)
	var info chipInfo
	if err := ioctl(uintptr(fd), ioctlGetChipInfo, unsafe.Pointer(&info)); err != nil {
		return nil, newError(name, chip, fmt.Errorf("chip info: %w", err), "")
	}
	if offset < 0 || uint32(offset) >= info.lines {
		return nil, newError(name, chip, fmt.Errorf("%w: offset %d of %d lines", ErrNoLine, offset, info.lines), "")
	}
	flags := flagInput | flagEdges | biasFlags(pull, 0)
	req := lineRequest{numLines: 1, eventBufferSize: eventQueue, config: lineConfig{flags: flags}}
	req.offsets[0] = uint32(offset)
	copy(req.consumer[:maxNameSize-1], consumer)
	if err := ioctl(uintptr(fd), ioctlGetLine, unsafe.Pointer(&req)); err != nil {
		return nil, newError(name, chip, fmt.Errorf("request line %d: %w", offset, err), holder(fd, uint32(offset)))
	}
	lfd := int(req.fd)
	if err := unix.SetNonblock(lfd, true); err != nil { // so the runtime poller waits on it
		unix.Close(lfd)
		return nil, newError(name, chip, err, "")
	}
	where := fmt.Sprintf("%s line %d", chip, offset)
	l, err := newLine(os.NewFile(uintptr(lfd), where), name, offset, flags)
	if err != nil {
		return nil, newError(name, chip, err, "")
	}
	return l, nil
}

// holder is the consumer holding line offset of the chip open as fd, or "".
func holder(fd int, offset uint32) string {
	info := lineInfo{offset: offset}
	if ioctl(uintptr(fd), ioctlGetLineInfo, unsafe.Pointer(&info)) != nil {
		return ""
	}
	return cString(info.consumer[:])
}

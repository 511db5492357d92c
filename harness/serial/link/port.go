package link

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// Check tells, without opening it, whether path can be a serial port: it
// must exist and be a terminal device. A path that is not one (a file,
// a directory, /dev/null) fails with Kind NotSerial, never Busy: every
// process holds /dev/null, and no serial port is ever a regular file.
func Check(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		// The error names the port, quoted where it is shown; the path
		// error's own copy of it is raw and may break the one line.
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		return wrap("open", path, err)
	}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		what := "not a character device"
		if fi.IsDir() {
			what = "a directory"
		}
		return &Error{Op: "open", Port: path, Kind: NotSerial, Err: errors.New(what)}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if ok && !terminal(sysDevChar, uint64(st.Rdev)) {
		return &Error{Op: "open", Port: path, Kind: NotSerial, Err: errors.New("not a tty")}
	}
	return nil
}

// sysDevChar is where sysfs names each character device's class.
const sysDevChar = "/sys/dev/char"

// The pseudo-terminal slaves' majors (UNIX98_PTY_SLAVE_MAJOR and the seven
// after it, include/linux/major.h): devpts nodes have no sysfs entry.
const ptsMajorFirst, ptsMajorLast = 136, 143

// terminal reports whether the character device rdev is a tty: a
// pseudo-terminal slave, or a device sysfs files under the tty class
// (serial ports, USB CDC ACM and USB-serial adapters, consoles). Without
// sysfs it cannot tell and says yes: the open then decides.
func terminal(sys string, rdev uint64) bool {
	major, minor := unix.Major(rdev), unix.Minor(rdev)
	if major >= ptsMajorFirst && major <= ptsMajorLast {
		return true
	}
	if _, err := os.Stat(sys); err != nil {
		return true
	}
	class, err := filepath.EvalSymlinks(filepath.Join(sys, fmt.Sprintf("%d:%d", major, minor), "subsystem"))
	return err == nil && filepath.Base(class) == "tty"
}

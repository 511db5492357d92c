package link

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/harness/serial/termios"
)

// selfFDs lists this process's open files.
const selfFDs = procRoot + "/self/fd"

// kernelRate is the output rate the kernel runs the tty at path at, found
// among the descriptors listed in fdDir (selfFDs). The
// serial library does not expose its descriptor and the port is open
// exclusively, so it reads the settings through a duplicate of this
// process's own descriptor for the same device: a tty's settings belong
// to the device, and every descriptor of it reads the same ones.
func kernelRate(fdDir, path string) (int, error) {
	var want unix.Stat_t
	if err := unix.Stat(path, &want); err != nil {
		return 0, err
	}
	fds, err := os.ReadDir(fdDir)
	if err != nil {
		// Not wrapped: a missing /proc is no missing port.
		return 0, fmt.Errorf("cannot list this process's open files: %v", err)
	}
	// First the descriptors whose link names the port, so no other file
	// is touched (an fstat on a stuck network file system blocks); then
	// the rest, for a device node reached by another name.
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	var named, rest []int
	for _, e := range fds {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil && target == real {
			named = append(named, fd)
		} else {
			rest = append(rest, fd)
		}
	}
	for _, fd := range append(named, rest...) {
		if rate, ok, err := rateOf(fd, want.Rdev); ok || err != nil {
			return rate, err
		}
	}
	return 0, fmt.Errorf("no descriptor of device %d:%d among %s", unix.Major(want.Rdev), unix.Minor(want.Rdev), filepath.Clean(fdDir))
}

// rateOf reads the output rate through a duplicate of fd when fd is the
// character device rdev; the duplicate keeps the device open however fd
// fares meanwhile.
func rateOf(fd int, rdev uint64) (int, bool, error) {
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return 0, false, nil // closed since the listing (the listing's own descriptor)
	}
	defer unix.Close(dup)
	var st unix.Stat_t
	if err := unix.Fstat(dup, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != rdev {
		return 0, false, nil
	}
	rate, err := termios.OutputRate(dup)
	if err != nil {
		return 0, true, fmt.Errorf("read the rate back: %w", err)
	}
	return rate, true, nil
}

package link

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procRoot is where holder looks for other processes' open files.
const procRoot = "/proc"

// holder names another process that has the port at path open, as
// "pid 123 minicom", or returns "" when none can be found. It is best
// effort: only processes whose /proc/<pid>/fd this user may read are seen.
//
// A process that also owns the master side of the pty the port is (a
// device emulator, socat, a program written for the test) is the device
// itself, not a second reader: many such devices keep their slave open,
// and they are not counted.
func holder(path string) string {
	want := map[string]bool{path: true}
	real, err := filepath.EvalSymlinks(path)
	if err == nil {
		want[real] = true
	} else {
		real = path
	}
	index := ptsIndex(real)
	procs, err := os.ReadDir(procRoot)
	if err != nil {
		return ""
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == self {
			continue
		}
		if slave, master := holds(pid, want, index); slave && !master {
			return fmt.Sprintf("pid %d %s", pid, comm(pid))
		}
	}
	return ""
}

// ptsIndex is N for /dev/pts/N, else -1.
func ptsIndex(path string) int {
	s, ok := strings.CutPrefix(path, "/dev/pts/")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// holds reports whether process pid has one of the paths open (slave),
// and whether it has the master side of pty number index open (master),
// told by the tty-index the kernel shows in the master's fdinfo.
func holds(pid int, paths map[string]bool, index int) (slave, master bool) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false, false
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		switch {
		case err != nil:
		case paths[target]:
			slave = true
		case index >= 0 && (target == "/dev/ptmx" || target == "/dev/pts/ptmx"):
			master = master || ttyIndex(pid, fd.Name()) == index
		}
	}
	return slave, master
}

// ttyIndex is the pty number of a master fd of pid, or -1.
func ttyIndex(pid int, fd string) int {
	f, err := os.Open(filepath.Join(procRoot, strconv.Itoa(pid), "fdinfo", fd))
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "tty-index:"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return n
			}
		}
	}
	return -1
}

// comm is the process's command name, or "?" when it has gone.
func comm(pid int) string {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "comm"))
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

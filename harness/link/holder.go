package link

import (
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
func holder(path string) string {
	want := map[string]bool{path: true}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		want[real] = true
	}
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
		if holds(pid, want) {
			return fmt.Sprintf("pid %d %s", pid, comm(pid))
		}
	}
	return ""
}

// holds reports whether process pid has one of the paths open.
func holds(pid int, paths map[string]bool) bool {
	dir := filepath.Join(procRoot, strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && paths[target] {
			return true
		}
	}
	return false
}

// comm is the process's command name, or "?" when it has gone.
func comm(pid int) string {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "comm"))
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

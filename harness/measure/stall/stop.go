package stall

import (
	"fmt"
	"os/exec"
	"strconv"
	"time"
)

// StopProcess has the kernel stop process pid (SIGSTOP) after wait, for
// d, then continue it (SIGCONT), from a child shell, so that pid may be
// the caller itself; it returns once the child is done. It is how the
// harness's own tests make the host late on purpose.
func StopProcess(pid int, wait, d time.Duration) error {
	p := strconv.Itoa(pid)
	script := fmt.Sprintf("sleep %.3f; kill -STOP %s; sleep %.3f; kill -CONT %s", wait.Seconds(), p, d.Seconds(), p)
	if out, err := exec.Command("/bin/sh", "-c", script).CombinedOutput(); err != nil {
		return fmt.Errorf("stall: stop process %d: %w (%s)", pid, err, out)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/harness/report"

	"github.com/picohil/picohil/harness/support/qemuuser"
)

// bareEcho makes a pseudo-terminal whose master echoes every byte, and
// returns the slave's path. Unlike the fixtures' ptys nothing here keeps the
// slave open, so the suite, another process, does not find the port busy.
func bareEcho(t *testing.T) string {
	t.Helper()
	path, _ := unpluggableEcho(t)
	return path
}

// unpluggableEcho is bareEcho with its unplugging: closing the master
// removes the slave's device node, as a USB serial port leaves /dev.
func unpluggableEcho(t *testing.T) (string, func()) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var once sync.Once
	unplug := func() { once.Do(func() { cancel(); m.Close(); <-done }) }
	t.Cleanup(unplug)
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for ctx.Err() == nil {
			k, err := m.Read(buf)
			if err != nil { // EIO while no one has the slave open
				time.Sleep(5 * time.Millisecond)
				continue
			}
			m.Write(buf[:k])
		}
	}()
	return fmt.Sprintf("/dev/pts/%d", n), unplug
}

// TestBareEchoPortRunsTheEchoSpecsAndSkipsTheRest runs the suite on a pico
// bench whose only port is a plain echo: the echo family passes, every
// other spec skips and says why.
func TestBareEchoPortRunsTheEchoSpecsAndSkipsTheRest(t *testing.T) {
	qemuuser.Skip(t, outOfProcess) // before bareEcho, whose pty reader qemu-user cannot interrupt
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=pico", "HIL_SERIAL=" + bareEcho(t)})
	output, runErr := cmd.CombinedOutput()
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("no report (suite: %v):\n%s", runErr, output)
	}
	if runErr != nil || !r.Pass {
		t.Fatalf("the suite failed on a bare echo port: %v\n%s", runErr, output)
	}
	passed := 0
	for _, s := range r.Specs {
		switch s.State {
		case "passed":
			passed++
			if !slices.Contains(s.Labels, "echo") || slices.Contains(s.Labels, "control") {
				t.Errorf("%q ran on a bench without control channel or LED", s.Name)
			}
		case "skipped":
			if s.SkipReason == "" {
				t.Errorf("%q skipped without a reason", s.Name)
			}
		default:
			t.Errorf("%q: %s", s.Name, s.State)
		}
	}
	if passed == 0 {
		t.Errorf("no echo spec ran")
	}
}

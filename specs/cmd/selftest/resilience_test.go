package main

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"

	"github.com/picohil/picohil/harness/support/qemuuser"
)

// suiteDir holds the suite binary these tests build once.
var suiteDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "picohil-suite-")
	if err != nil {
		panic(err)
	}
	suiteDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var buildSuite = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(suiteDir, "specs.test")
	out, err := exec.Command("go", "test", "-c", "-o", bin, "../..").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

// outOfProcess is why the tests that run the built suite skip under qemu-user.
const outOfProcess = "the suite runs out of process, and qemu-user does not follow execve into a foreign binary"

// suiteRunTimeout bounds one out-of-process suite run here.
const suiteRunTimeout = 60 * time.Second

// suiteCmd is the built suite with args and env, bounded by
// suiteRunTimeout, writing its reports to the returned directory.
func suiteCmd(t *testing.T, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	qemuuser.Skip(t, outOfProcess)
	bin, err := buildSuite()
	if err != nil {
		t.Fatalf("building the suite: %v", err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), suiteRunTimeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, append([]string{"-ginkgo.no-color"}, args...)...)
	// HIL_STATE_DIR: bench leases and health marks of this run alone.
	cmd.Env = append(append(append(os.Environ(), "HIL_STATE_DIR="+t.TempDir()), env...), "HIL_OUT="+out)
	cmd.Dir = filepath.Dir(bin)
	return cmd, out
}

// deviceStopped is what the suite adds to a failure when the device died.
const deviceStopped = "device stopped: micropython:"

// echoOnly selects the Echo family (blink under load also echoes).
const echoOnly = "echo && !blink"

// firstSpec is the first spec of the Echo family, which the runs below
// focus on: a thousand round trips, long enough to be interrupted in.
const firstSpec = "round-trips 1000 single bytes"

type echoRun struct {
	err    error // the suite's exit
	report report.Report
	output string
	node   int // the firmware's Node process, seen when firstSpec started
}

// needMicroPython skips a test where the micropython target cannot run.
func needMicroPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skipf("the micropython target needs Node: %v", err)
	}
	if _, err := os.Stat("../../../fixtures/micropython/node/node_modules"); err != nil {
		t.Skipf("the micropython target needs its npm packages (make deps): %v", err)
	}
}

// runMicroPythonEcho runs the Echo family on the micropython target and
// calls during(suitePid, nodePid) once firstSpec has started.
func runMicroPythonEcho(t *testing.T, during func(suite, node int) error) echoRun {
	t.Helper()
	needMicroPython(t)
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=micropython", "HIL_BLINK_MS=200"}, "-ginkgo.v", "-ginkgo.label-filter="+echoOnly)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var run echoRun
	var text strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		text.WriteString(lines.Text() + "\n")
		if run.node == 0 && strings.Contains(lines.Text(), firstSpec) {
			if run.node = childCalled(cmd.Process.Pid, "node"); run.node == 0 {
				t.Errorf("no Node process under the suite (pid %d)", cmd.Process.Pid)
			} else if err := during(cmd.Process.Pid, run.node); err != nil {
				t.Error(err)
			}
		}
	}
	run.err = cmd.Wait()
	run.output = text.String()
	if run.node == 0 {
		t.Fatalf("the suite never started %q:\n%s", firstSpec, run.output)
	}
	if run.report, err = report.Read(filepath.Join(out, "report.json")); err != nil {
		t.Fatalf("no report after the run: %v\n%s", err, run.output)
	}
	if _, err := os.Stat(filepath.Join(out, "junit.xml")); err != nil {
		t.Errorf("no JUnit report after the run: %v", err)
	}
	if err := syscall.Kill(run.node, 0); !errors.Is(err, syscall.ESRCH) {
		syscall.Kill(-run.node, syscall.SIGKILL)
		t.Errorf("the firmware's Node process %d outlived the suite: %v", run.node, err)
	}
	return run
}

// childCalled returns the pid of parent's child process whose command
// name starts with comm ("node", or "nodejs" where a distribution installs
// it so), or 0.
func childCalled(parent int, comm string) int {
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", p.Name(), "status"))
		if err != nil {
			continue
		}
		name, ppid := "", ""
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "Name:"); ok {
				name = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "PPid:"); ok {
				ppid = strings.TrimSpace(v)
			}
		}
		if strings.HasPrefix(name, comm) && ppid == strconv.Itoa(parent) {
			return pid
		}
	}
	return 0
}

// TestDeviceKilledMidSuite kills the firmware's process during the first
// echo spec: that spec fails naming the disconnect, every later spec fails
// at once with why the device stopped, and report.json is still written.
func TestDeviceKilledMidSuite(t *testing.T) {
	run := runMicroPythonEcho(t, func(_, node int) error {
		return syscall.Kill(node, syscall.SIGKILL)
	})
	var exit *exec.ExitError
	if !errors.As(run.err, &exit) {
		t.Errorf("suite exit: %v, want a failure", run.err)
	}
	r := run.report
	if r.Pass || r.DeviceError == "" {
		t.Errorf("report: pass %v, device error %q; want a failed run naming the dead device", r.Pass, r.DeviceError)
	}
	var killed, after int
	for _, s := range r.Specs {
		switch {
		case !slices.Contains(s.Labels, "echo") || slices.Contains(s.Labels, "blink"):
			continue // not selected
		case strings.Contains(s.Name, firstSpec):
			killed++
			if s.State != "failed" || !strings.Contains(s.Failure, "disconnected") || !strings.Contains(s.Failure, deviceStopped) {
				t.Errorf("the spec running when the device died: %s, failure:\n%s\nwant it to name the disconnect and the device", s.State, s.Failure)
			}
		case s.State == "failed" && strings.Contains(s.Failure, "the device running"):
			after++
		default:
			t.Errorf("spec %q after the device died: %s, failure %q; want it failed at once with the device's reason", s.Name, s.State, s.Failure)
		}
	}
	if killed != 1 || after == 0 {
		t.Errorf("%d specs running at the kill, %d failed fast after it; want 1 and some", killed, after)
	}
}

// TestInterruptTearsDownAndReports sends SIGINT (Ctrl-C) and SIGTERM to
// the suite during a spec: the fixtures are torn down (the firmware's Node
// process is gone), the reports say the run was interrupted and hold the
// specs that ran, and the exit is non-zero.
func TestInterruptTearsDownAndReports(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			run := runMicroPythonEcho(t, func(suite, _ int) error {
				return syscall.Kill(suite, sig)
			})
			var exit *exec.ExitError
			if !errors.As(run.err, &exit) {
				t.Errorf("suite exit after %v: %v, want non-zero", sig, run.err)
			}
			r := run.report
			if !r.Interrupted || r.Pass {
				t.Errorf("report after %v: interrupted %v, pass %v; want an interrupted, failed run", sig, r.Interrupted, r.Pass)
			}
			i := slices.IndexFunc(r.Specs, func(s report.Spec) bool { return strings.Contains(s.Name, firstSpec) })
			if i < 0 || r.Specs[i].State != "interrupted" {
				t.Errorf("report after %v: specs %+v; want %q interrupted", sig, r.Specs, firstSpec)
			}
		})
	}
}

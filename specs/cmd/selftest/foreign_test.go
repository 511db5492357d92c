package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// ptyEchoC is a serial device the project did not write the way its
// fixtures are written: a pty whose own process keeps the slave open, as
// emulators and socat do, echoing what it reads. Its argument injects a
// fault: drop or corrupt every 1000th byte, echo each read 200 ms late
// (slow), or echo the read ending each 50th byte 50 ms late (stall); or,
// clean itself, stop the process whose id the file after "stophost:" holds
// (SIGSTOP, 50 ms, SIGCONT) before echoing the 500th byte.
const ptyEchoC = `#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv) {
	const char *mode = argc > 1 ? argv[1] : "clean";
	unsigned char in[4096], out[4096];
	unsigned long n = 0;
	alarm(600); /* never outlive a test run */
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m)) { perror("ptyecho"); return 1; }
	int s = open(ptsname(m), O_RDWR | O_NOCTTY); /* kept open */
	struct termios t;
	if (s < 0 || tcgetattr(s, &t)) { perror("ptyecho"); return 1; }
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	printf("%s\n", ptsname(m));
	fflush(stdout);
	for (;;) {
		ssize_t r = read(m, in, sizeof in), k = 0;
		if (r <= 0) return 0;
		for (ssize_t i = 0; i < r; i++) {
			int nth = ++n % 1000 == 0;
			if (nth && !strcmp(mode, "drop")) continue;
			out[k++] = nth && !strcmp(mode, "corrupt") ? in[i] ^ 0x10 : in[i];
		}
		if (!strcmp(mode, "slow")) usleep(200000);
		if (!strcmp(mode, "stall") && n % 50 == 0) usleep(50000);
		if (!strncmp(mode, "stophost:", 9) && n == 500) {
			FILE *f = fopen(mode + 9, "r");
			int pid = 0;
			if (f && fscanf(f, "%d", &pid) == 1 && pid > 0) {
				kill(pid, SIGSTOP);
				usleep(50000);
				kill(pid, SIGCONT);
			}
			if (f) fclose(f);
		}
		if (write(m, out, k) != k) return 1;
	}
}
`

// ptyEchoPy is the same device in Python, for a machine without a C compiler.
const ptyEchoPy = `import os, pty, signal, sys, time, tty
mode = sys.argv[1] if len(sys.argv) > 1 else "clean"
signal.alarm(600)
m, s = pty.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
n = 0
while True:
    out = bytearray()
    for b in os.read(m, 4096):
        n += 1
        nth = n % 1000 == 0
        if nth and mode == "drop":
            continue
        out.append(b ^ 0x10 if nth and mode == "corrupt" else b)
    if mode == "slow":
        time.sleep(0.2)
    if mode == "stall" and n % 50 == 0:
        time.sleep(0.05)
    if mode.startswith("stophost:") and n == 500:
        pid = int(open(mode[9:]).read())
        os.kill(pid, signal.SIGSTOP)
        time.sleep(0.05)
        os.kill(pid, signal.SIGCONT)
    os.write(m, out)
`

// ptyEcho builds the device with the system C compiler, else runs it
// under Python 3; without either the test is skipped.
func ptyEcho(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	if cc, err := exec.LookPath("cc"); err == nil {
		src, bin := filepath.Join(dir, "ptyecho.c"), filepath.Join(dir, "ptyecho")
		if err := os.WriteFile(src, []byte(ptyEchoC), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(cc, "-O2", "-o", bin, src).CombinedOutput(); err != nil {
			t.Fatalf("cc ptyecho.c: %v\n%s", err, out)
		}
		return []string{bin}
	}
	if py, err := exec.LookPath("python3"); err == nil {
		src := filepath.Join(dir, "ptyecho.py")
		if err := os.WriteFile(src, []byte(ptyEchoPy), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{py, src}
	}
	t.Skip("foreign pty device: neither cc nor python3 on PATH to build it (.ci/run installs gcc)")
	return nil
}

// startDevice runs the device with mode and returns its port.
func startDevice(t *testing.T, device []string, mode string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, device[0], append(device[1:], mode)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	port := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		port <- strings.TrimSpace(line)
	}()
	select {
	case p := <-port:
		if !strings.HasPrefix(p, "/dev/pts/") {
			t.Fatalf("the device printed %q, want its /dev/pts/N", p)
		}
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("the device did not print its port within 10s")
	}
	return ""
}

// The compiled suite judges a serial device written elsewhere through a
// bench profile naming only its port: clean, every echo spec passes; each
// fault fails an echo spec with its symptom.
func TestForeignPtyDevice(t *testing.T) {
	device := ptyEcho(t)
	for _, tc := range []struct {
		mode     string
		symptoms []string // one must be in an echo spec's failure; none for clean
	}{
		{"clean", nil},
		{"drop", []string{"short answer", "differs"}},
		{"corrupt", []string{"differs"}},
		{"slow", []string{"echo.rtt.1B", "echo.payload"}},
		// 50 ms inside the device on one trip in 50: the device's, not
		// the host's, since the host stalled for none of it.
		{"stall", []string{"the device answered late"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			port := startDevice(t, device, tc.mode)
			profile := filepath.Join(t.TempDir(), "bench.yaml")
			if err := os.WriteFile(profile, []byte("target: pico\ndata: "+port+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd, out := suiteCmd(t, []string{"HIL_BENCH=" + profile}, "-ginkgo.label-filter=echo && !blink")
			console, runErr := cmd.CombinedOutput()
			r, err := report.Read(filepath.Join(out, "report.json"))
			if err != nil {
				t.Fatalf("%v\n%s", err, console)
			}
			passed, failed := 0, []report.Spec{}
			for _, s := range r.Specs {
				switch s.State {
				case "passed":
					passed++
				case "skipped", "pending":
				default:
					failed = append(failed, s)
				}
			}
			for _, s := range failed {
				t.Logf("%s: %s FAILED: %s", tc.mode, s.Name, firstLines(s.Failure, 2))
			}
			if tc.symptoms == nil {
				if runErr != nil || len(failed) > 0 || passed < 7 {
					t.Fatalf("clean device: %v, %d echo specs passed, %d failed\n%s", runErr, passed, len(failed), console)
				}
				for _, c := range r.Preflight {
					if strings.HasPrefix(c.Name, "uart.") && c.Detail != port+" is not a Pi header UART (ttyS*/ttyAMA*)" {
						t.Errorf("preflight %s: %q", c.Name, c.Detail)
					}
				}
				t.Logf("clean: %d echo specs passed on %s", passed, port)
				return
			}
			if runErr == nil || !caughtBy(failed, tc.symptoms) {
				t.Fatalf("%s: the suite did not fail an echo spec showing %q (exit %v)\n%s", tc.mode, tc.symptoms, runErr, console)
			}
		})
	}
}

func caughtBy(failed []report.Spec, symptoms []string) bool {
	for _, s := range failed {
		for _, sym := range symptoms {
			if strings.HasPrefix(s.Name, "Echo ") && strings.Contains(s.Failure, sym) {
				return true
			}
		}
	}
	return false
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return fmt.Sprint(strings.Join(lines[:min(n, len(lines))], " | "))
}

// TestHostStoppedIsNotTheDevices has the device stop the harness
// (SIGSTOP, 50 ms, then SIGCONT) in the middle of a thousand one-byte
// round trips through it, before echoing the 500th byte: the stall is the
// host's, so the trip it spoiled is measured again, counted host-late,
// and the spec passes. TestForeignPtyDevice's stall mode puts the same
// 50 ms inside the device instead (on one trip in 50, enough to move the
// p99), and the spec fails naming the device.
func TestHostStoppedIsNotTheDevices(t *testing.T) {
	device := ptyEcho(t)
	pidFile := filepath.Join(t.TempDir(), "harness.pid")
	port := startDevice(t, device, "stophost:"+pidFile)
	profile := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(profile, []byte("target: pico\ndata: "+port+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, out := suiteCmd(t, []string{"HIL_BENCH=" + profile}, "-ginkgo.focus="+firstSpec)
	var console strings.Builder
	cmd.Stdout, cmd.Stderr = &console, &console
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	runErr := cmd.Wait()
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, console.String())
	}
	for _, s := range r.Specs {
		if !strings.Contains(s.Name, firstSpec) {
			continue
		}
		t.Logf("%s: %s, %d host-late samples, clock %q", s.Name, s.State, s.HostLate, s.Clock)
		if s.State != "passed" || s.HostLate == 0 || s.Clock != "host" || runErr != nil {
			t.Fatalf("a harness stopped by the host: want the spec passed on the host's clock with host-late samples; got %s, %d host-late, clock %q, exit %v\n%s",
				s.State, s.HostLate, s.Clock, runErr, s.Failure)
		}
		return
	}
	t.Fatalf("no spec %q in the report\n%s", firstSpec, console.String())
}

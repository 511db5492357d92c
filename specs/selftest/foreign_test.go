package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// ptyEchoC is a serial device the project did not write the way its
// fixtures are written: a pty whose own process keeps the slave open, as
// emulators and socat do, echoing what it reads. Its argument injects a
// fault: drop or corrupt every 1000th byte, or echo each read 200 ms late.
const ptyEchoC = `#define _GNU_SOURCE
#include <fcntl.h>
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

package preflight

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/report"
)

// tree builds a fake system root: files maps a path under it to contents,
// links maps a path to a symlink target.
func tree(t *testing.T, files, links map[string]string) Files {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for p, target := range links {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	return Files{Proc: filepath.Join(root, "proc"), Dev: filepath.Join(root, "dev"), Etc: filepath.Join(root, "etc")}
}

// consoleOnMiniUART is a Pi 4 as shipped: serial0 on the mini-UART with a
// login console and its getty.
func consoleOnMiniUART(t *testing.T) Files {
	return tree(t, map[string]string{
		"dev/ttyS0":         "",
		"dev/ttyAMA0":       "",
		"proc/cmdline":      "coherent_pool=1M console=ttyS0,115200 console=tty1 root=PARTUUID=1 rootwait\n",
		"proc/812/cmdline":  "/sbin/agetty\x00-o\x00-p -- \\u\x00--keep-baud\x00115200,57600,38400,9600\x00ttyS0\x00vt220\x00",
		"proc/813/cmdline":  "/sbin/agetty\x00-o\x00-p -- \\u\x00--noclear\x00tty1\x00linux\x00",
		"proc/self/cmdline": "hil\x00",
	}, map[string]string{
		"dev/serial0": "ttyS0",
		"dev/serial1": "ttyAMA0",
		"etc/systemd/system/getty.target.wants/serial-getty@serial0.service": "/lib/systemd/system/serial-getty@.service",
	})
}

func TestConsoleAndGettyOnSerial0Warn(t *testing.T) {
	f := consoleOnMiniUART(t)
	c := SerialConsole(f, "/dev/serial0")
	if c.Status != report.CheckWarn {
		t.Fatalf("status %s, want warn: %+v", c.Status, c)
	}
	for _, want := range []string{"(ttyS0)", "console=ttyS0,115200", "pid 812 runs /sbin/agetty", "serial-getty@serial0.service is enabled"} {
		if !strings.Contains(c.Detail, want) {
			t.Errorf("detail lacks %q: %s", want, c.Detail)
		}
	}
	if strings.Contains(c.Detail, "pid 813") || strings.Contains(c.Detail, "tty1") {
		t.Errorf("the console on tty1 is not the UART's: %s", c.Detail)
	}
	if !strings.Contains(c.Hint, "raspi-config") {
		t.Errorf("hint %q", c.Hint)
	}
}

func TestMiniUARTWarnsThroughTheAlias(t *testing.T) {
	f := consoleOnMiniUART(t)
	if c := MiniUART(f, "/dev/serial0"); c.Status != report.CheckWarn || !strings.Contains(c.Detail, "core clock") || !strings.Contains(c.Hint, "disable-bt") {
		t.Fatalf("%+v", c)
	}
	// The other alias points at the PL011, which is fine, and has no console.
	if c := MiniUART(f, "/dev/serial1"); c.Status != report.CheckOK {
		t.Fatalf("serial1: %+v", c)
	}
	if c := SerialConsole(f, "/dev/serial1"); c.Status != report.CheckOK {
		t.Fatalf("serial1: %+v", c)
	}
}

func TestConsoleNamedByAliasOnPL011Warns(t *testing.T) {
	f := tree(t, map[string]string{
		"dev/ttyAMA0":  "",
		"proc/cmdline": "console=serial0,115200 console=tty1\n",
	}, map[string]string{"dev/serial0": "ttyAMA0"})
	c := SerialConsole(f, "/dev/ttyAMA0")
	if c.Status != report.CheckWarn || !strings.Contains(c.Detail, "console=serial0,115200") {
		t.Fatalf("%+v", c)
	}
	if c := MiniUART(f, "/dev/serial0"); c.Status != report.CheckOK || !strings.Contains(c.Detail, "ttyAMA0") {
		t.Fatalf("%+v", c)
	}
}

func TestUARTChecksSkipOtherPorts(t *testing.T) {
	f := tree(t, map[string]string{"dev/ttyUSB0": "", "proc/cmdline": "console=ttyUSB0\n"}, nil)
	for _, c := range []report.Check{SerialConsole(f, "/dev/ttyUSB0"), MiniUART(f, "/dev/ttyUSB0")} {
		if c.Status != report.CheckSkip || !strings.Contains(c.Detail, "not a Pi header UART") {
			t.Fatalf("%+v", c)
		}
	}
	f = tree(t, map[string]string{"dev/pts/0": "", "dev/ttyUSB0": ""}, map[string]string{"dev/serial1": "ttyUSB0"})
	for port, want := range map[string]string{
		"/dev/pts/0":   "/dev/pts/0 is not a Pi header UART (ttyS*/ttyAMA*)",
		"/dev/ttyUSB0": "/dev/ttyUSB0 is not a Pi header UART (ttyS*/ttyAMA*)",
		"/dev/serial1": "/dev/serial1 is ttyUSB0, not a Pi header UART (ttyS*/ttyAMA*)",
	} {
		if c := SerialConsole(f, port); c.Status != report.CheckSkip || c.Detail != want {
			t.Errorf("%s: %q, want %q", port, c.Detail, want)
		}
	}
	if c := MiniUART(f, "/dev/serial0"); c.Status != report.CheckSkip || !strings.Contains(c.Detail, "does not resolve") {
		t.Fatalf("missing serial0: %+v", c)
	}
}

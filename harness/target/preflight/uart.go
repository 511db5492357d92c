package preflight

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/picohil/picohil/harness/report"
)

// Files are the system roots the UART checks read; tests point them at a
// fake tree.
type Files struct {
	Proc string // the kernel command line (cmdline) and processes (<pid>/cmdline)
	Dev  string // device nodes and the serial0/serial1 aliases
	Etc  string // systemd's enabled serial-getty units
}

// System is the running host.
var System = Files{Proc: "/proc", Dev: "/dev", Etc: "/etc"}

// piUART matches the Pi's header UARTs: ttyS0 is the mini-UART, ttyAMA*
// are PL011s.
var piUART = regexp.MustCompile(`^tty(S|AMA)[0-9]+$`)

// miniUART is the Pi's mini-UART device.
const miniUART = "ttyS0"

// aliases are the names Raspberry Pi OS links to the header UARTs.
var aliases = []string{"serial0", "serial1"}

// device resolves a /dev path through its symlinks to the device's name
// under /dev ("/dev/serial0" -> "ttyS0", "/dev/pts/3" -> "pts/3"); a path
// elsewhere is taken by its base name.
func (f Files) device(port string) (string, error) {
	rel, ok := strings.CutPrefix(filepath.Clean(port), "/dev/")
	if !ok {
		return filepath.Base(port), nil
	}
	real, err := filepath.EvalSymlinks(filepath.Join(f.Dev, rel))
	if err != nil {
		return "", err
	}
	dev, err := filepath.Rel(f.Dev, real)
	if err != nil || strings.HasPrefix(dev, "..") {
		return filepath.Base(real), nil
	}
	return dev, nil
}

// names are the device name of port and the aliases that point at it.
func (f Files) names(port string) (string, []string, error) {
	dev, err := f.device(port)
	if err != nil {
		return "", nil, err
	}
	names := []string{dev}
	for _, a := range aliases {
		if d, err := f.device("/dev/" + a); err == nil && d == dev {
			names = append(names, a)
		}
	}
	return dev, names, nil
}

// uartOf resolves port for a UART check; a port that is no Pi header UART
// gives a skip.
func (f Files) uartOf(name, port string) (string, []string, *report.Check) {
	dev, names, err := f.names(port)
	if err != nil {
		c := skip(name, fmt.Sprintf("%s does not resolve: %v", port, err))
		return "", nil, &c
	}
	if !piUART.MatchString(dev) {
		what := port + " is"
		if filepath.Clean(port) != "/dev/"+dev {
			what += " " + dev + ","
		}
		c := skip(name, what+" not a Pi header UART (ttyS*/ttyAMA*)")
		return "", nil, &c
	}
	return dev, names, nil
}

const consoleHint = "a login console on the data UART answers and swallows the Pico's bytes: raspi-config → Interface Options → Serial Port → login shell No, serial hardware Yes (or remove console=serial0,115200 from /boot/firmware/cmdline.txt and `sudo systemctl disable --now serial-getty@ttyS0`), then reboot"

// SerialConsole warns when the kernel console or a getty uses port.
func SerialConsole(f Files, port string) report.Check {
	const name = "uart.console"
	dev, names, skipped := f.uartOf(name, port)
	if skipped != nil {
		return *skipped
	}
	var found []string
	if cmdline, err := os.ReadFile(filepath.Join(f.Proc, "cmdline")); err == nil {
		for _, field := range strings.Fields(string(cmdline)) {
			con, ok := strings.CutPrefix(field, "console=")
			tty, _, _ := strings.Cut(con, ",")
			if ok && slices.Contains(names, tty) {
				found = append(found, "kernel command line has "+field)
			}
		}
	}
	found = append(found, gettys(f.Proc, names)...)
	for _, n := range names {
		unit := "serial-getty@" + n + ".service"
		if _, err := os.Lstat(filepath.Join(f.Etc, "systemd", "system", "getty.target.wants", unit)); err == nil {
			found = append(found, unit+" is enabled")
		}
	}
	if len(found) > 0 {
		return check(name, report.CheckWarn, "no console or login on "+port,
			fmt.Sprintf("%s (%s): %s", port, dev, strings.Join(found, "; ")), consoleHint)
	}
	return ok(name, fmt.Sprintf("no console or getty on %s (%s)", port, dev))
}

// gettys lists the getty processes running on one of the names.
func gettys(proc string, names []string) []string {
	entries, err := os.ReadDir(proc)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(proc, e.Name(), "cmdline"))
		if err != nil || len(raw) == 0 {
			continue
		}
		argv := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
		if !strings.Contains(filepath.Base(argv[0]), "getty") {
			continue
		}
		if slices.ContainsFunc(argv[1:], func(a string) bool { return slices.Contains(names, strings.TrimPrefix(a, "/dev/")) }) {
			out = append(out, fmt.Sprintf("pid %d runs %s", pid, strings.Join(argv, " ")))
		}
	}
	return out
}

// MiniUART warns when port is the Pi's mini-UART, whose baud is derived
// from the VPU core clock: it drifts when the clock scales.
func MiniUART(f Files, port string) report.Check {
	const name = "uart.mini"
	dev, _, skipped := f.uartOf(name, port)
	if skipped != nil {
		return *skipped
	}
	if dev == miniUART {
		return check(name, report.CheckWarn, "a PL011 UART (ttyAMA*) on the data pins",
			port+" is "+miniUART+", the mini-UART: its baud follows the core clock and drifts when the clock scales",
			"give GPIO14/15 the PL011 with dtoverlay=disable-bt (or miniuart-bt) in /boot/firmware/config.txt and reboot; else pin the clock with core_freq=250")
	}
	return ok(name, port+" is "+dev+", a PL011 UART")
}

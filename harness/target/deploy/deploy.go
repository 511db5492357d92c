// Package deploy puts firmware on a Raspberry Pi Pico over its USB serial
// port with MicroPython's raw REPL, checks that it boots and answers the
// control protocol's VERSION, and flashes MicroPython itself: bootloader
// over the raw REPL, then a .uf2 copied onto the RPI-RP2 drive.
//
// Raw REPL, as in MicroPython's pyboard.py:
//
//	Ctrl-C Ctrl-C            interrupt the running program
//	Ctrl-A                   -> "raw REPL; CTRL-B to exit\r\n>"
//	code Ctrl-D              -> "OK" stdout "\x04" stderr "\x04" ">"
//	Ctrl-D on an empty line  -> soft reset ("MPY: soft reboot\r\n")
//	Ctrl-B                   -> back to the friendly REPL (">>> ")
package deploy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// Firmware is a file to deploy and the version it must report.
type Firmware struct {
	Name    string // path on the device; empty: "main.py", which MicroPython runs at boot
	Source  []byte
	Version string // the semver VERSION must report; empty: ExpectedVersion(Source)
}

// Deploy writes fw to the device, verifies it, soft-resets the device and
// waits until the firmware answers VERSION with fw's version.
func Deploy(ctx context.Context, port Port, fw Firmware) (control.Version, error) {
	want := fw.Version
	if want == "" {
		v, err := ExpectedVersion(fw.Source)
		if err != nil {
			return control.Version{}, err
		}
		want = v
	}
	if fw.Name == "" {
		fw.Name = "main.py"
	}
	s, err := Enter(ctx, port)
	if err != nil {
		return control.Version{}, err
	}
	if err := s.WriteFile(ctx, fw.Name, fw.Source); err != nil {
		return control.Version{}, err
	}
	if err := s.Reset(ctx); err != nil {
		return control.Version{}, err
	}
	return WaitVersion(ctx, s, want)
}

var versionLine = regexp.MustCompile(`(?m)^VERSION\s*=\s*["']([^"'\s]+)["']`)

// ExpectedVersion reads VERSION = "x.y.z" from firmware source.
func ExpectedVersion(src []byte) (string, error) {
	m := versionLine.FindSubmatch(src)
	if m == nil {
		return "", &Error{Op: "read version", Kind: BadSource, Err: errors.New(`no line VERSION = "x.y.z"`)}
	}
	return string(m[1]), nil
}

// Deadlines of the boot check.
const (
	bootTimeout  = 15 * time.Second // from the soft reset to the VERSION reply
	askTimeout   = 1 * time.Second  // one VERSION request
	noiseInError = 3                // non-reply lines quoted in a NoBoot error
)

// WaitVersion asks VERSION over line until the firmware answers, then
// checks its semver against want (any version when want is empty).
func WaitVersion(ctx context.Context, line control.Line, want string) (control.Version, error) {
	ctx, cancel := context.WithTimeout(ctx, bootTimeout)
	defer cancel()
	c := control.New(line)
	for {
		actx, acancel := context.WithTimeout(ctx, askTimeout)
		v, err := c.Version(actx)
		acancel()
		switch {
		case err == nil && want != "" && v.Semver != want:
			return v, &Error{Op: "check version", Kind: WrongVersion, Err: fmt.Errorf("device runs %s, want %s", v, want)}
		case err == nil:
			return v, nil
		case !errors.Is(err, link.ErrTimeout) || ctx.Err() != nil:
			return v, &Error{Op: "wait for VERSION", Kind: NoBoot, Err: err, Got: bootNoise(c.Noise)}
		}
	}
}

// bootNoise picks what to quote from the lines the device printed instead
// of a reply: its last traceback if there is one, else the last lines.
func bootNoise(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "Traceback ") {
			end := i + 1
			for end < len(lines) && strings.HasPrefix(lines[end], " ") {
				end++
			}
			return strings.Join(lines[i:min(end+1, len(lines))], " | ")
		}
	}
	return strings.Join(lines[max(0, len(lines)-noiseInError):], " | ")
}

// sleep waits for d and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

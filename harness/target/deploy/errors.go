package deploy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/picohil/picohil/harness/serial/link"
)

// Kind classifies a deploy error so callers can branch on it.
type Kind int

// Error kinds.
const (
	Other        Kind = iota
	NoPrompt          // the raw REPL never answered
	Protocol          // the device answered outside the raw REPL protocol
	Exception         // code raised on the device
	Mismatch          // the file read back differs from the one sent
	BadSource         // the firmware file names no version
	NoBoot            // the firmware did not answer VERSION after the reset
	WrongVersion      // it answered with another version
	BadUF2            // the .uf2 file is not an RP2040 image
	NoDrive           // no RPI-RP2 drive appeared
	NoPort            // the serial port did not come back
)

var kindNames = map[Kind]string{
	Other:        "error",
	NoPrompt:     "no raw REPL prompt",
	Protocol:     "unexpected reply",
	Exception:    "device exception",
	Mismatch:     "verify mismatch",
	BadSource:    "no version in the source",
	NoBoot:       "no VERSION reply",
	WrongVersion: "wrong version",
	BadUF2:       "bad UF2",
	NoDrive:      "no RPI-RP2 drive",
	NoPort:       "port did not come back",
}

func (k Kind) String() string { return kindNames[k] }

var kindHints = map[Kind]string{
	NoPrompt:     "is MicroPython running? is another program (Thonny, mpremote, screen, the HIL suite) holding the port? if main.py ignores Ctrl-C, unplug and replug the Pico, then re-run at once",
	Protocol:     "close every other program on the port and re-run",
	Exception:    "the code failed on the device; a full or read-only filesystem shows up as OSError",
	Mismatch:     "the USB link lost or changed bytes; re-run the deploy",
	BadSource:    `declare VERSION = "x.y.z" in the firmware or pass the expected version`,
	NoBoot:       "main.py did not start or crashed at boot: connect with mpremote to see its traceback",
	WrongVersion: "the running firmware is not the one deployed: check the file and the expected version",
	BadUF2:       "use the whole MicroPython .uf2 for the Raspberry Pi Pico or Pico W (an RP2040 image; Pico 2 images do not fit)",
	NoDrive:      "hold BOOTSEL while plugging the Pico in; without a desktop, mount the drive (sudo mount /dev/disk/by-label/RPI-RP2 /mnt) and pass its mount point",
	NoPort:       "check the USB cable; a .uf2 without MicroPython brings no USB serial port back",
}

// slowHint is the hint of a reply that stopped before its end.
const slowHint = "the device was slower than the step's deadline or stopped answering mid-reply (a crash, a reset, a main.py or another program that took the port); re-run, and watch the device's console"

// Error is a deploy failure with the step, a kind and a hint.
type Error struct {
	Op   string // the step, e.g. "enter raw REPL", "write main.py"
	Kind Kind
	Err  error  // the cause, if any
	Got  string // bytes received before the failure, for context
}

// maxGot bounds the received bytes quoted in a message.
const maxGot = 160

func (e *Error) Error() string {
	kind, hint := e.Kind.String(), kindHints[e.Kind]
	timedOut := errors.Is(e.Err, link.ErrTimeout)
	if timedOut && e.Kind == Protocol {
		// The reply never ended: what came may be fine so far.
		kind, hint = "no complete reply in time", slowHint
	}
	msg := fmt.Sprintf("deploy: %s: %s", e.Op, kind)
	if e.Err != nil && !timedOut {
		msg += ": " + e.Err.Error()
	}
	if e.Got != "" {
		got := e.Got
		if len(got) > maxGot {
			got = "..." + got[len(got)-maxGot:]
		}
		msg += fmt.Sprintf(" (received %q)", got)
	}
	// A link failure such as a disconnect carries its own hint.
	lk := link.KindOf(e.Err)
	if hint != "" && (lk == link.Other || lk == link.Timeout) {
		msg += " (hint: " + hint + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err, or Other when err is not a deploy error.
func KindOf(err error) Kind {
	var de *Error
	if errors.As(err, &de) {
		return de.Kind
	}
	return Other
}

// ExceptionError is an exception raised by code run on the device.
type ExceptionError struct {
	Traceback string // as printed by MicroPython
}

// Error puts the exception line first and the frames after it, on one line.
func (e *ExceptionError) Error() string {
	var frames []string
	last := ""
	for _, l := range strings.Split(strings.TrimSpace(e.Traceback), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "File "):
			frames = append(frames, l)
		case l != "" && !strings.HasPrefix(l, "Traceback "):
			last = l
		}
	}
	if len(frames) == 0 {
		return "device raised " + last
	}
	return fmt.Sprintf("device raised %s (at %s)", last, strings.Join(frames, "; "))
}

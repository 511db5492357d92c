package control_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/picohil/picohil/fixtures/micropython"
	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/fixtures/virtual/virtualtest"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// agreeCommands cover every command, its accepted and refused arguments.
var agreeCommands = []string{"VERSION", "STATS", "BAUD 9600", "BAUD fast", "BAUD 5000000", "baud 115200",
	"BLINK 0", "BLINK 250", "BURST 0", "BURST 4", "FROB 1"}

// varying are the parts of a reply that differ between devices by design:
// the firmware's name and version, and the counters.
var varying = regexp.MustCompile(`^OK VERSION \S+ \S+$|=\d+`)

// replies sends each command on the control port and returns the reply
// lines, checking that the client pairs each with its command.
func replies(t *testing.T, port string) []string {
	t.Helper()
	l, err := link.Open(port, control.PortBaud)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out []string
	for _, cmd := range agreeCommands {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := l.Write([]byte(cmd + "\n")); err != nil {
			t.Fatal(err)
		}
		line, err := l.ReadLine(ctx)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		ok, rest := control.ParseReply(line)
		if ok == nil {
			t.Fatalf("%s: %q is not a reply", cmd, line)
		}
		if _, answers := control.Answers(cmd, *ok, rest); !answers {
			t.Errorf("%s: the reply %q does not name its command", cmd, line)
		}
		out = append(out, varying.ReplaceAllStringFunc(line, func(s string) string {
			if s[0] == '=' {
				return "=N"
			}
			return "OK VERSION <name> <semver>"
		}))
	}
	return out
}

// The virtual Pico answers every command as firmware/main.py does under
// MicroPython, and both name the command in every reply.
func TestVirtualPicoAnswersAsTheFirmware(t *testing.T) {
	sctx, cancel := context.WithTimeout(context.Background(), micropython.StartTimeout)
	defer cancel()
	fw, err := micropython.Start(sctx, micropython.Config{})
	if errors.Is(err, micropython.ErrNoNode) || errors.Is(err, micropython.ErrNoModules) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	model := virtualtest.Start(t, virtual.Config{})
	want, got := replies(t, fw.ControlPort()), replies(t, model.ControlPort())
	for i, cmd := range agreeCommands {
		if got[i] != want[i] {
			t.Errorf("%s: the virtual Pico answers %q, firmware/main.py %q", cmd, got[i], want[i])
		}
	}
}

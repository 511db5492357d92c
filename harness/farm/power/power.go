// Package power switches a Pico's USB power, to recover a Pico that a
// reset through RUN cannot: a firmware hung with RUN's pull-up lost, a
// USB stack wedged on the host's side, a board that browned out.
//
// Two switches are known, named by a bench profile's power section
// (harness/target/bench) or HIL_POWER:
//
//   - uhubctl: a hub with per-port power switching, by its location and
//     port (`uhubctl -l 1-1 -p 2 -a off`); HIL_POWER=uhubctl:1-1:2.
//   - the kernel's USB port attribute `disable` (Documentation/ABI/testing/
//     sysfs-bus-usb, /sys/bus/usb/devices/.../<hub_interface>/port<X>/disable,
//     e.g. /sys/bus/usb/devices/1-1:1.0/1-1-port2/disable): writing 1
//     disconnects the device and, on a hub that switches port power, turns
//     its VBUS off; 0 turns it back on. HIL_POWER=disable:<path>.
package power

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultOff is how long a cycle leaves the port off: long enough for a
// Pico's supply capacitors to drain below the RP2040's brown-out level.
const DefaultOff = 2 * time.Second

// Switch turns one port's power off and on.
type Switch interface {
	Off(ctx context.Context) error
	On(ctx context.Context) error
	String() string
}

// Spec is a power switch as a bench names it: Hub and Port for uhubctl,
// or Disable, the path of a port's disable attribute.
type Spec struct {
	Hub     string
	Port    int
	Disable string
}

// IsZero reports that no power switch is configured.
func (s Spec) IsZero() bool { return s == Spec{} }

// String is the HIL_POWER form of the spec.
func (s Spec) String() string {
	switch {
	case s.Disable != "":
		return "disable:" + s.Disable
	case s.Hub != "":
		return fmt.Sprintf("uhubctl:%s:%d", s.Hub, s.Port)
	}
	return ""
}

// hubLocation is uhubctl's -l: a bus, then the port path (1-1, 2-1.4).
var hubLocation = regexp.MustCompile(`^[0-9]+(-[0-9]+(\.[0-9]+)*)?$`)

// SpecError is a power setting that cannot name a switch.
type SpecError struct {
	Value, Problem string
}

func (e *SpecError) Error() string { return "power: " + strconv.Quote(e.Value) + ": " + e.Problem }

// Hint says how a power setting is written.
const Hint = "uhubctl:<hub location>:<port> (as `uhubctl` lists them, e.g. uhubctl:1-1:2), or disable:<the port's disable attribute> (e.g. disable:/sys/bus/usb/devices/1-1:1.0/1-1-port2/disable)"

// Parse reads the HIL_POWER form, "" for none.
func Parse(v string) (Spec, error) {
	if v == "" {
		return Spec{}, nil
	}
	kind, rest, _ := strings.Cut(v, ":")
	switch kind {
	case "disable":
		if !strings.HasPrefix(rest, "/") || !strings.HasSuffix(rest, "/disable") {
			return Spec{}, &SpecError{v, "not the absolute path of a port's disable attribute"}
		}
		return Spec{Disable: rest}, nil
	case "uhubctl":
		hub, port, ok := strings.Cut(rest, ":")
		n, err := strconv.Atoi(port)
		if !ok || !hubLocation.MatchString(hub) || err != nil || n < 1 || n > 255 {
			return Spec{}, &SpecError{v, "not a hub location and a port number from 1 to 255"}
		}
		return Spec{Hub: hub, Port: n}, nil
	}
	return Spec{}, &SpecError{v, "unknown kind of switch " + strconv.Quote(kind)}
}

// Switch is the switch the spec names; uhubctl is the command run for a
// hub ("uhubctl" on PATH when empty).
func (s Spec) Switch(uhubctl string) Switch {
	if s.Disable != "" {
		return PortAttribute(s.Disable)
	}
	if uhubctl == "" {
		uhubctl = "uhubctl"
	}
	return Uhubctl{Hub: s.Hub, Port: s.Port, Command: uhubctl}
}

// Error is a switch that did not switch.
type Error struct {
	Switch, Action string
	Err            error
	Hint           string
}

func (e *Error) Error() string {
	return fmt.Sprintf("power: %s %s: %v (hint: %s)", e.Switch, e.Action, e.Err, e.Hint)
}

func (e *Error) Unwrap() error { return e.Err }

// Uhubctl switches a port of a hub with per-port power switching by
// running uhubctl.
type Uhubctl struct {
	Hub     string
	Port    int
	Command string
}

func (u Uhubctl) String() string { return fmt.Sprintf("uhubctl hub %s port %d", u.Hub, u.Port) }

func (u Uhubctl) Off(ctx context.Context) error { return u.run(ctx, "off") }
func (u Uhubctl) On(ctx context.Context) error  { return u.run(ctx, "on") }

func (u Uhubctl) run(ctx context.Context, action string) error {
	out, err := exec.CommandContext(ctx, u.Command, "-l", u.Hub, "-p", strconv.Itoa(u.Port), "-a", action).CombinedOutput()
	if err == nil {
		return nil
	}
	if text := strings.TrimSpace(string(out)); text != "" {
		lines := strings.Split(text, "\n")
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(lines[len(lines)-1]))
	}
	hint := "is uhubctl installed (Debian: apt-get install uhubctl), may this user switch the hub (uhubctl's udev rule, or root), and does `uhubctl` list this hub and port with per-port power switching?"
	if errors.Is(err, exec.ErrNotFound) {
		hint = "install uhubctl (Debian: apt-get install uhubctl)"
	}
	return &Error{Switch: u.String(), Action: action, Err: err, Hint: hint}
}

// PortAttribute is the kernel's disable attribute of a USB port.
type PortAttribute string

func (p PortAttribute) String() string { return "USB port attribute " + string(p) }

func (p PortAttribute) Off(ctx context.Context) error { return p.write(ctx, "1") }
func (p PortAttribute) On(ctx context.Context) error  { return p.write(ctx, "0") }

func (p PortAttribute) write(ctx context.Context, v string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	action := map[string]string{"1": "off", "0": "on"}[v]
	err := os.WriteFile(string(p), []byte(v+"\n"), 0)
	if err == nil {
		return nil
	}
	hint := "the attribute is the port's, under its hub's interface: ls /sys/bus/usb/devices/*/*-port*/disable"
	if errors.Is(err, os.ErrPermission) {
		hint = "the attribute is root's: let the bench user write it (a udev rule, or chgrp at boot), or run as root"
	}
	return &Error{Switch: p.String(), Action: action, Err: err, Hint: hint}
}

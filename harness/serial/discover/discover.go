// Package discover finds a serial port by its USB identity (vendor id,
// product id, serial number) through go.bug.st/serial's enumerator, so a
// bench profile can name "the Pico with serial E6614C311B8D5B2C" instead of a
// /dev path that changes when the device re-enumerates.
package discover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.bug.st/serial/enumerator"
)

// PicoVID is Raspberry Pi's USB vendor id, on every RP2040 and RP2350 board.
const PicoVID = "2E8A"

// pollInterval is how often WaitFor asks the enumerator again.
const pollInterval = 100 * time.Millisecond

// Match selects USB serial ports. Empty fields match anything; VID and PID
// are four hex digits ("2E8A"), compared without regard to case.
type Match struct {
	VID, PID, Serial string
}

var hex4 = regexp.MustCompile(`^[0-9A-Fa-f]{4}$`)

// IsZero reports whether the match selects nothing in particular.
func (m Match) IsZero() bool { return m == Match{} }

// Validate returns an error naming the first malformed field.
func (m Match) Validate() error {
	switch {
	case m.IsZero():
		return fmt.Errorf("discover: empty USB match (hint: give a serial number and/or a VID:PID such as %s:000A)", PicoVID)
	case m.VID != "" && !hex4.MatchString(m.VID):
		return fmt.Errorf("discover: USB vendor id %q is not four hex digits (hint: the Pico's is %s)", m.VID, PicoVID)
	case m.PID != "" && !hex4.MatchString(m.PID):
		return fmt.Errorf("discover: USB product id %q is not four hex digits (hint: `hil detect` lists the ids of every port)", m.PID)
	}
	return nil
}

// ParseUSBID splits "VID:PID" or a bare "VID" into a Match.
func ParseUSBID(s string) (Match, error) {
	vid, pid, _ := strings.Cut(strings.TrimSpace(s), ":")
	m := Match{VID: vid, PID: pid}
	if vid == "" {
		return Match{}, fmt.Errorf("discover: USB id %q has no vendor id (hint: write VID:PID such as %s:000A)", s, PicoVID)
	}
	if err := m.Validate(); err != nil {
		return Match{}, err
	}
	return m, nil
}

func (m Match) String() string {
	s := "USB " + or(m.VID, "*") + ":" + or(m.PID, "*")
	if m.Serial != "" {
		s += fmt.Sprintf(" serial %q", m.Serial)
	}
	return s
}

func or(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// matches reports whether a port satisfies m; non-USB ports never do.
func (m Match) matches(p *enumerator.PortDetails) bool {
	return p.IsUSB &&
		(m.VID == "" || strings.EqualFold(m.VID, p.VID)) &&
		(m.PID == "" || strings.EqualFold(m.PID, p.PID)) &&
		(m.Serial == "" || m.Serial == p.SerialNumber)
}

// Lister lists the serial ports present now. System is the real one; tests
// give a function returning a fixed list.
type Lister func() ([]*enumerator.PortDetails, error)

// System lists the host's USB serial ports from sysfs, without opening
// any port: the enumerator's full list opens every ttyS* to tell a real
// 8250 UART from a placeholder, and as root that open reprograms the rate
// of a UART the harness is using (the data port, on a bench whose data
// UART is a ttyS) each time a reset's re-enumeration is searched for.
var System Lister = func() ([]*enumerator.PortDetails, error) { return usbPorts(sysClassTTY) }

// Everything lists every serial port through the enumerator, which opens
// each ttyS* port to probe it: for `hil detect`, not while a run holds ports.
var Everything Lister = func() ([]*enumerator.PortDetails, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("discover: listing serial ports: %w", err)
	}
	return ports, nil
}

// sysClassTTY is where the kernel lists its ttys.
const sysClassTTY = "/sys/class/tty"

// usbPorts lists the ttys under dir whose device is a USB interface
// (ttyACM, cdc_acm) or a USB serial converter's port (ttyUSB), with the
// USB device's ids and strings, as the enumerator reads them.
func usbPorts(dir string) ([]*enumerator.PortDetails, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("discover: listing serial ports: %w", err)
	}
	var ports []*enumerator.PortDetails
	for _, e := range entries {
		dev, err := filepath.EvalSymlinks(filepath.Join(dir, e.Name(), "device"))
		if err != nil {
			continue // a virtual tty: no device
		}
		sub, err := filepath.EvalSymlinks(filepath.Join(dev, "subsystem"))
		if err != nil {
			continue
		}
		var usb string
		switch filepath.Base(sub) {
		case "usb": // the interface of a CDC ACM device
			usb = filepath.Dir(dev)
		case "usb-serial": // a converter's port, under its interface
			usb = filepath.Dir(filepath.Dir(dev))
		default:
			continue
		}
		attr := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(usb, name))
			return strings.TrimSpace(string(b))
		}
		ports = append(ports, &enumerator.PortDetails{
			Name: "/dev/" + e.Name(), IsUSB: true, VID: attr("idVendor"), PID: attr("idProduct"),
			SerialNumber: attr("serial"), Manufacturer: attr("manufacturer"), Product: attr("product"),
		})
	}
	return ports, nil
}

// NotFoundError is returned when no port matches.
type NotFoundError struct {
	Match  Match
	Seen   int   // ports listed, matching or not
	GaveUp error // why WaitFor stopped waiting, nil after one look
}

func (e *NotFoundError) Error() string {
	waited := ""
	if e.GaveUp != nil {
		waited = fmt.Sprintf("; gave up waiting: %v", e.GaveUp)
	}
	return fmt.Sprintf("discover: no serial port matches %s (%d ports listed)%s (hint: run `hil detect` to see the ports and their ids, and check the USB cable)", e.Match, e.Seen, waited)
}

func (e *NotFoundError) Unwrap() error { return e.GaveUp }

// AmbiguousError is returned when several ports match.
type AmbiguousError struct {
	Match Match
	Ports []string // "path (serial X)" for each match
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("discover: %d serial ports match %s: %s (hint: give the serial number in the bench profile to pick one)", len(e.Ports), e.Match, strings.Join(e.Ports, ", "))
}

// Find returns the path of the one port matching m.
func (l Lister) Find(ctx context.Context, m Match) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("discover: finding %s: %w", m, err)
	}
	return l.find(m)
}

func (l Lister) find(m Match) (string, error) {
	ports, err := l()
	if err != nil {
		return "", err
	}
	var found []*enumerator.PortDetails
	for _, p := range ports {
		if m.matches(p) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return "", &NotFoundError{Match: m, Seen: len(ports)}
	case 1:
		return found[0].Name, nil
	}
	names := make([]string, len(found))
	for i, p := range found {
		names[i] = fmt.Sprintf("%s (serial %q)", p.Name, p.SerialNumber)
	}
	return "", &AmbiguousError{Match: m, Ports: names}
}

// WaitFor polls until exactly one port matches m, for a device that is
// being plugged in or re-enumerating after a reset. A malformed or
// ambiguous match fails at once (waiting cannot change it); otherwise it
// waits until ctx ends and then returns the last reason with ctx's cause.
func (l Lister) WaitFor(ctx context.Context, m Match) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		path, err := l.find(m)
		var amb *AmbiguousError
		if err == nil || errors.As(err, &amb) {
			return path, err
		}
		select {
		case <-ctx.Done():
			var nf *NotFoundError
			if errors.As(err, &nf) {
				nf.GaveUp = context.Cause(ctx)
				return "", nf
			}
			return "", fmt.Errorf("%w; gave up waiting: %w", err, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// Find looks m up among the host's serial ports.
func Find(ctx context.Context, m Match) (string, error) { return System.Find(ctx, m) }

// Describe formats one port for a listing, marking Picos.
func Describe(p *enumerator.PortDetails) string {
	if !p.IsUSB {
		return p.Name
	}
	s := fmt.Sprintf("%s  USB %s:%s serial %q %s %s", p.Name, p.VID, p.PID, p.SerialNumber, p.Manufacturer, p.Product)
	if strings.EqualFold(p.VID, PicoVID) {
		s += "  <- Raspberry Pi Pico (RP2040)"
	}
	return strings.TrimSpace(s)
}

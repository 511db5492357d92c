// Package control is the client for the firmware's control channel: one
// ASCII command line in, one reply line out. Every reply names the command
// it answers, so a reply that comes after its command's deadline is never
// taken for the next command's:
//
//	VERSION            -> OK VERSION <name> <semver>
//	BAUD <rate>        -> OK BAUD <rate>, then the data UART switches to rate
//	BLINK <half_ms>    -> OK BLINK <half_ms>
//	BURST <n>          -> OK BURST <n>, then n bytes of 0x55 back-to-back on the data UART
//	STATS              -> OK STATS rx=<n> tx=<n> errors=<n>
//	anything else      -> ERR <WORD> <reason>
//
// An OK reply repeats the command line (its word in capitals, then its
// argument) before its result; an ERR reply repeats the command word. The
// client skips a reply that names another command and, after a command
// went unanswered, drains what arrived before it sends the next one, so a
// late answer to a repeated command is dropped too. Lines that start with
// neither OK nor ERR (boot banners, log output) are skipped; both kinds
// are kept for failure messages.
package control

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PortBaud is the rate every control port is opened at. A USB CDC port
// ignores the rate for its data, so it gains nothing by following the data
// UART's, and some rates are signals: a MicroPython built with
// MICROPY_HW_USB_CDC_1200BPS_TOUCH (shared/tinyusb/mp_usbd_cdc.c; among
// the rp2 boards, the Arduino Nano RP2040 Connect) reboots into its
// bootloader when its port closes at 1200, as Arduino-style firmware does.
const PortBaud = 115200

// MinBaud and MaxBaud bound the data rates the firmware's BAUD command
// takes (MIN_BAUD and MAX_BAUD in firmware/main.py; a test holds them
// equal).
const MinBaud, MaxBaud = 300, 3000000

// Line is what the client needs from a link.
type Line interface {
	Write(p []byte) error
	ReadLine(ctx context.Context) (string, error)
}

// Client talks to the control channel.
type Client struct {
	line  Line
	Noise []string // non-reply lines and replies to other commands, most recent last
	// unanswered is the last command whose deadline passed before its
	// reply came: its reply may still arrive.
	unanswered string
}

// New returns a client over line.
func New(line Line) *Client { return &Client{line: line} }

// RejectedError is an ERR reply.
type RejectedError struct {
	Command string
	Reason  string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("control: %s rejected: %s", e.Command, e.Reason)
}

// ErrMalformed marks a reply that does not parse.
var ErrMalformed = errors.New("control: malformed reply")

// maxNoise bounds the kept non-reply lines.
const maxNoise = 50

// drainWait is how long the client listens for a late reply before it
// sends the next command: long enough to collect what the port already
// holds, far below any command's deadline.
const drainWait = 5 * time.Millisecond

// Do sends one command and returns the result its reply carries after
// the command line ("<name> <semver>" for VERSION, "" for BAUD).
func (c *Client) Do(ctx context.Context, command string) (string, error) {
	c.drain(ctx)
	if err := c.line.Write([]byte(command + "\n")); err != nil {
		return "", fmt.Errorf("control: send %q: %w", command, err)
	}
	for {
		reply, err := c.line.ReadLine(ctx)
		if err != nil {
			if ctx.Err() != nil {
				c.unanswered = command
			}
			return "", fmt.Errorf("control: waiting for the reply to %q: %w", command, err)
		}
		ok, rest := ParseReply(reply)
		if ok == nil {
			c.keep(reply)
			continue
		}
		result, answers := Answers(command, *ok, rest)
		if !answers {
			c.keep(reply + " (a reply to another command, skipped)")
			continue
		}
		if !*ok {
			return "", &RejectedError{Command: command, Reason: result}
		}
		return result, nil
	}
}

// drain reads and keeps whatever arrived after a command went unanswered.
func (c *Client) drain(ctx context.Context) {
	if c.unanswered == "" {
		return
	}
	for {
		dctx, cancel := context.WithTimeout(ctx, drainWait)
		line, err := c.line.ReadLine(dctx)
		cancel()
		if err != nil {
			break
		}
		c.keep(line + " (after " + c.unanswered + " went unanswered, drained)")
	}
	c.unanswered = ""
}

func (c *Client) keep(line string) {
	c.Noise = append(c.Noise, line)
	if len(c.Noise) > maxNoise {
		c.Noise = c.Noise[1:]
	}
}

// Answers tells whether a reply (ok and the text after its status word,
// as ParseReply gives them) answers command, and returns its result: the
// text after the repeated command line for OK, the reason after the
// repeated command word for ERR.
func Answers(command string, ok bool, rest string) (result string, answers bool) {
	want := strings.Fields(command)
	if len(want) == 0 {
		return "", false
	}
	want[0] = strings.ToUpper(want[0])
	if !ok {
		want = want[:1]
	}
	got := strings.Fields(rest)
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		return "", false
	}
	return strings.Join(got[len(want):], " "), true
}

// ParseReply classifies a line: ok is nil when the line is not a reply,
// else whether it was OK; rest is the text after the status word.
func ParseReply(line string) (ok *bool, rest string) {
	word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	var v bool
	switch word {
	case "OK":
		v = true
	case "ERR":
		v = false
	default:
		return nil, ""
	}
	return &v, strings.TrimSpace(rest)
}

// Version is the firmware's identity.
type Version struct {
	Name   string `json:"name"`
	Semver string `json:"version"`
}

func (v Version) String() string { return v.Name + " " + v.Semver }

// Version asks for the firmware name and version.
func (c *Client) Version(ctx context.Context) (Version, error) {
	rest, err := c.Do(ctx, "VERSION")
	if err != nil {
		return Version{}, err
	}
	return ParseVersion(rest)
}

// ParseVersion parses "<name> <semver>".
func ParseVersion(s string) (Version, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return Version{}, fmt.Errorf("%w: VERSION: %q, want \"<name> <semver>\"", ErrMalformed, s)
	}
	return Version{Name: f[0], Semver: f[1]}, nil
}

// SetBaud switches the device's data UART rate.
func (c *Client) SetBaud(ctx context.Context, baud int) error {
	_, err := c.Do(ctx, "BAUD "+strconv.Itoa(baud))
	return err
}

// SetBlink sets the LED half-period in milliseconds.
func (c *Client) SetBlink(ctx context.Context, halfMs int) error {
	_, err := c.Do(ctx, "BLINK "+strconv.Itoa(halfMs))
	return err
}

// Burst asks the device to send n bytes of 0x55 back-to-back.
func (c *Client) Burst(ctx context.Context, n int) error {
	_, err := c.Do(ctx, "BURST "+strconv.Itoa(n))
	return err
}

// Stats is the device's data-UART counters.
type Stats struct {
	RX     int64 `json:"rx"`
	TX     int64 `json:"tx"`
	Errors int64 `json:"errors"`
}

// Board asks for the interpreter, its version and the board the firmware
// runs on ("micropython 1.24.1 Raspberry Pi Pico with RP2040"). A firmware
// that does not report it answers with a RejectedError.
func (c *Client) Board(ctx context.Context) (string, error) {
	rest, err := c.Do(ctx, "BOARD")
	if err == nil && rest == "" {
		err = fmt.Errorf("%w: BOARD: an empty answer, want \"<interpreter> <version> <board>\"", ErrMalformed)
	}
	return rest, err
}

// Stats reads the device counters.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	rest, err := c.Do(ctx, "STATS")
	if err != nil {
		return Stats{}, err
	}
	return ParseStats(rest)
}

// ParseStats parses "rx=<n> tx=<n> errors=<n>".
func ParseStats(s string) (Stats, error) {
	var st Stats
	fields := map[string]*int64{"rx": &st.RX, "tx": &st.TX, "errors": &st.Errors}
	seen := 0
	for _, kv := range strings.Fields(s) {
		k, v, ok := strings.Cut(kv, "=")
		dst := fields[k]
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || dst == nil || err != nil || n < 0 {
			return Stats{}, fmt.Errorf("%w: STATS: bad field %q in %q", ErrMalformed, kv, s)
		}
		*dst = n
		seen++
	}
	if seen != len(fields) {
		return Stats{}, fmt.Errorf("%w: STATS: %q, want rx=<n> tx=<n> errors=<n>", ErrMalformed, s)
	}
	return st, nil
}

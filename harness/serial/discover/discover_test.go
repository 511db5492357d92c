package discover

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"
)

var bench = []*enumerator.PortDetails{
	{Name: "/dev/ttyAMA0"},
	{Name: "/dev/ttyACM0", IsUSB: true, VID: "2e8a", PID: "000a", SerialNumber: "E6614C311B8D5B2C"},
	{Name: "/dev/ttyACM1", IsUSB: true, VID: "2E8A", PID: "000A", SerialNumber: "E6614C311B8D0000"},
	{Name: "/dev/ttyUSB0", IsUSB: true, VID: "0403", PID: "6001", SerialNumber: "FTDI1"},
}

func fixed(ports []*enumerator.PortDetails) Lister {
	return func() ([]*enumerator.PortDetails, error) { return ports, nil }
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name    string
		m       Match
		want    string
		wantErr string
	}{
		{"serial only", Match{Serial: "E6614C311B8D5B2C"}, "/dev/ttyACM0", ""},
		{"vid pid and serial, case-insensitive ids", Match{VID: "2E8A", PID: "000A", Serial: "E6614C311B8D0000"}, "/dev/ttyACM1", ""},
		{"unique vid", Match{VID: "0403"}, "/dev/ttyUSB0", ""},
		{"two picos", Match{VID: "2E8A"},
			"", `discover: 2 serial ports match USB 2E8A:*: /dev/ttyACM0 (serial "E6614C311B8D5B2C"), /dev/ttyACM1 (serial "E6614C311B8D0000") (hint: give the serial number in the bench profile to pick one)`},
		{"absent serial", Match{VID: "2E8A", Serial: "NOPE"},
			"", "discover: no serial port matches USB 2E8A:* serial \"NOPE\" (4 ports listed) (hint: run `hil detect` to see the ports and their ids, and check the USB cable)"},
		{"empty", Match{}, "", "discover: empty USB match (hint: give a serial number and/or a VID:PID such as 2E8A:000A)"},
		{"bad vid", Match{VID: "2E8AX"}, "", `discover: USB vendor id "2E8AX" is not four hex digits (hint: the Pico's is 2E8A)`},
		{"bad pid", Match{VID: "2E8A", PID: "zz"}, "", "discover: USB product id \"zz\" is not four hex digits (hint: `hil detect` lists the ids of every port)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fixed(bench).Find(context.Background(), tc.m)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Find(%+v) error\n got %v\nwant %s", tc.m, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Find(%+v) = %q, %v; want %q", tc.m, got, err, tc.want)
			}
		})
	}
}

func TestFindErrorTypes(t *testing.T) {
	_, err := fixed(bench).Find(context.Background(), Match{VID: PicoVID})
	var amb *AmbiguousError
	if !errors.As(err, &amb) || len(amb.Ports) != 2 {
		t.Fatalf("want *AmbiguousError with 2 ports, got %v", err)
	}
	_, err = fixed(nil).Find(context.Background(), Match{Serial: "X"})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Seen != 0 {
		t.Fatalf("want *NotFoundError, got %v", err)
	}
	boom := errors.New("boom")
	_, err = Lister(func() ([]*enumerator.PortDetails, error) { return nil, boom }).Find(context.Background(), Match{Serial: "X"})
	if !errors.Is(err, boom) {
		t.Fatalf("want the lister's error, got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fixed(bench).Find(ctx, Match{Serial: "FTDI1"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

// TestWaitForReappears models a Pico that vanishes on reset and comes back
// under another path on the third listing.
func TestWaitForReappears(t *testing.T) {
	var calls atomic.Int32
	l := Lister(func() ([]*enumerator.PortDetails, error) {
		if calls.Add(1) < 3 {
			return bench[:1], nil
		}
		return []*enumerator.PortDetails{{Name: "/dev/ttyACM7", IsUSB: true, VID: "2E8A", PID: "000A", SerialNumber: "E6614C311B8D5B2C"}}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := l.WaitFor(ctx, Match{Serial: "E6614C311B8D5B2C"})
	if err != nil || got != "/dev/ttyACM7" {
		t.Fatalf("WaitFor = %q, %v; want /dev/ttyACM7", got, err)
	}
	if calls.Load() != 3 {
		t.Fatalf("listed %d times, want 3", calls.Load())
	}
}

func TestWaitForGivesUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*pollInterval)
	defer cancel()
	_, err := fixed(bench).WaitFor(ctx, Match{Serial: "NOPE"})
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want NotFoundError wrapping DeadlineExceeded, got %v", err)
	}
	if msg := err.Error(); strings.Count(msg, "\n") != 0 || !strings.HasSuffix(msg, ")") ||
		strings.Index(msg, "gave up waiting") > strings.Index(msg, "(hint:") {
		t.Fatalf("want one line ending with the hint, got %q", msg)
	}
}

func TestWaitForAmbiguousFailsAtOnce(t *testing.T) {
	var calls atomic.Int32
	l := Lister(func() ([]*enumerator.PortDetails, error) { calls.Add(1); return bench, nil })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := l.WaitFor(ctx, Match{VID: PicoVID})
	var amb *AmbiguousError
	if !errors.As(err, &amb) || calls.Load() != 1 {
		t.Fatalf("want one listing and *AmbiguousError, got %d listings, %v", calls.Load(), err)
	}
}

func TestParseUSBID(t *testing.T) {
	for in, want := range map[string]Match{"2E8A:000A": {VID: "2E8A", PID: "000A"}, " 2e8a ": {VID: "2e8a"}} {
		if got, err := ParseUSBID(in); err != nil || got != want {
			t.Errorf("ParseUSBID(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", ":000A", "2E8A:0", "pico"} {
		if _, err := ParseUSBID(in); err == nil {
			t.Errorf("ParseUSBID(%q) accepted", in)
		}
	}
}

func TestDescribe(t *testing.T) {
	if got := Describe(bench[0]); got != "/dev/ttyAMA0" {
		t.Errorf("Describe(uart) = %q", got)
	}
	if got := Describe(bench[1]); !strings.HasSuffix(got, "<- Raspberry Pi Pico (RP2040)") {
		t.Errorf("Describe(pico) = %q, want the Pico marker", got)
	}
	if got := Describe(bench[3]); strings.Contains(got, "Pico") {
		t.Errorf("Describe(ftdi) = %q marks a Pico", got)
	}
}

package control

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// script answers each command line with canned reply lines.
type script struct {
	replies map[string][]string
	queue   []string
	sent    []string
}

func (s *script) Write(p []byte) error {
	cmd := strings.TrimSuffix(string(p), "\n")
	s.sent = append(s.sent, cmd)
	s.queue = append(s.queue, s.replies[cmd]...)
	return nil
}

var errQuiet = errors.New("quiet")

func (s *script) ReadLine(context.Context) (string, error) {
	if len(s.queue) == 0 {
		return "", errQuiet
	}
	l := s.queue[0]
	s.queue = s.queue[1:]
	return l, nil
}

func TestClientCommands(t *testing.T) {
	s := &script{replies: map[string][]string{
		"VERSION":    {"MPY: soft reboot", "OK picohil-fw 1.0.0"},
		"STATS":      {"OK rx=10 tx=12 errors=1"},
		"BAUD 9600":  {"OK"},
		"BLINK 0":    {"ERR bad half-period 0"},
		"BURST 1000": {"OK"},
	}}
	c := New(s)
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v.Name != "picohil-fw" || v.Semver != "1.0.0" || len(c.Noise) != 1 {
		t.Fatalf("version %+v %v noise %q", v, err, c.Noise)
	}
	st, err := c.Stats(ctx)
	if err != nil || st != (Stats{RX: 10, TX: 12, Errors: 1}) {
		t.Fatalf("stats %+v %v", st, err)
	}
	if err := c.SetBaud(ctx, 9600); err != nil {
		t.Fatal(err)
	}
	if err := c.Burst(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	var rej *RejectedError
	if err := c.SetBlink(ctx, 0); !errors.As(err, &rej) || rej.Reason != "bad half-period 0" {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Do(ctx, "SILENT"); !errors.Is(err, errQuiet) {
		t.Fatalf("err = %v", err)
	}
}

func TestParsers(t *testing.T) {
	bad := []string{"", "rx=1 tx=2", "rx=1 tx=2 errors=x", "rx=1 tx=2 errors=3 extra=4", "rx=-1 tx=0 errors=0"}
	for _, s := range bad {
		if _, err := ParseStats(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseStats(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "picohil", "a b c"} {
		if _, err := ParseVersion(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseVersion(%q) = %v", s, err)
		}
	}
	if ok, rest := ParseReply("  OK  a b "); ok == nil || !*ok || rest != "a b" {
		t.Fatalf("ParseReply: %v %q", ok, rest)
	}
	if ok, _ := ParseReply("OKAY"); ok != nil {
		t.Fatal("OKAY parsed as a reply")
	}
}

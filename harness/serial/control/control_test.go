package control

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
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
		"VERSION":    {"MPY: soft reboot", "OK VERSION picohil-fw 1.0.0"},
		"STATS":      {"OK STATS rx=10 tx=12 errors=1"},
		"BAUD 9600":  {"OK BAUD 9600"},
		"BLINK 0":    {"ERR BLINK bad half-period 0"},
		"BURST 1000": {"OK BURST 1000"},
		"BOARD":      {"OK BOARD micropython 1.24.1 Raspberry Pi Pico with RP2040"},
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
	if b, err := c.Board(ctx); err != nil || b != "micropython 1.24.1 Raspberry Pi Pico with RP2040" {
		t.Fatalf("board %q %v", b, err)
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

// lateLine is a control line whose replies arrive when the test sends
// them, as from a device that answers late.
type lateLine struct{ lines chan string }

func (l *lateLine) Write([]byte) error { return nil }

func (l *lateLine) ReadLine(ctx context.Context) (string, error) {
	select {
	case s := <-l.lines:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// A reply that arrives after its command's deadline is never taken for
// the next command's: not when the next command differs (the reply names
// its command), and not when it repeats it (the late reply is drained
// before the command is sent).
func TestLateReplyIsNotTakenForTheNextCommand(t *testing.T) {
	l := &lateLine{lines: make(chan string, 4)}
	c := New(l)
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	if err := c.SetBlink(short(), 50); err == nil {
		t.Fatal("BLINK answered with no reply")
	}
	go func() {
		time.Sleep(2 * drainWait) // after STATS is sent
		l.lines <- "OK BLINK 50"  // BLINK's reply, late
		l.lines <- "OK STATS rx=1 tx=1 errors=0"
	}()
	st, err := c.Stats(short())
	if err != nil || st != (Stats{RX: 1, TX: 1}) {
		t.Fatalf("STATS after a late BLINK reply: %+v, %v", st, err)
	}

	if _, err := c.Version(short()); err == nil {
		t.Fatal("VERSION answered with no reply")
	}
	l.lines <- "OK VERSION old 1.0.0" // the first VERSION's reply, late
	go func() {
		time.Sleep(2 * drainWait)
		l.lines <- "OK VERSION new 2.0.0"
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	v, err := c.Version(ctx)
	if err != nil || v.Name != "new" {
		t.Fatalf("VERSION after a late VERSION reply: %+v, %v (noise %q)", v, err, c.Noise)
	}
	if len(c.Noise) != 2 {
		t.Fatalf("the late replies are not kept for failure messages: %q", c.Noise)
	}
}

func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		command, rest string
		ok            bool
		result        string
		answers       bool
	}{
		{"VERSION", "VERSION picohil 1.0.0", true, "picohil 1.0.0", true},
		{"BAUD 9600", "BAUD 9600", true, "", true},
		{"BAUD 9600", "BAUD 115200", true, "", false},
		{"BAUD 9600", "BAUD bad baud 9600", false, "bad baud 9600", true},
		{"STATS", "BLINK 50", true, "", false},
		{"STATS", "rx=1 tx=1 errors=0", true, "", false},
		{"blink 5", "BLINK 5", true, "", true},
		{"", "", true, "", false},
	} {
		result, answers := Answers(tc.command, tc.ok, tc.rest)
		if result != tc.result || answers != tc.answers {
			t.Errorf("Answers(%q, %v, %q) = %q, %v; want %q, %v", tc.command, tc.ok, tc.rest, result, answers, tc.result, tc.answers)
		}
	}
}

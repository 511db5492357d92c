package scenario

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// echo is a device that returns every byte written to it.
type echo struct{ ch chan []byte }

func newEcho() *echo { return &echo{ch: make(chan []byte, 64)} }

func (e *echo) WriteContext(ctx context.Context, p []byte) error {
	select {
	case e.ch <- bytes.Clone(p):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *echo) ReadSome(ctx context.Context, p []byte) (int, error) {
	select {
	case b := <-e.ch:
		return copy(p, b), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// firmware is a control channel read line by line, as harness/serial/link gives
// it, that answers VERSION.
type firmware struct {
	lines chan string
}

func (f *firmware) Write(p []byte) error {
	if strings.TrimSpace(string(p)) == "VERSION" {
		f.lines <- "OK VERSION picohil-fw 1.1.0\r"
	}
	return nil
}

func (f *firmware) ReadLine(ctx context.Context) (string, error) {
	select {
	case l := <-f.lines:
		return strings.TrimRight(l, "\r"), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// blinker is an LED that toggles every half period from its start, high
// first; it needs no goroutine of its own.
type blinker struct {
	*gpiotest.Pin
	start time.Time
	half  time.Duration
}

func newBlinker(half time.Duration) *blinker {
	return &blinker{Pin: &gpiotest.Pin{N: "LED"}, start: time.Now(), half: half}
}

func (b *blinker) In(gpio.Pull, gpio.Edge) error { return nil }

func (b *blinker) Read() gpio.Level { return (time.Since(b.start)/b.half)%2 == 0 }

func (b *blinker) WaitForEdge(timeout time.Duration) bool {
	next := b.half - time.Since(b.start)%b.half
	if next > timeout {
		time.Sleep(timeout)
		return false
	}
	time.Sleep(next)
	return true
}

// runLine records what RUN was set to.
type runLine struct {
	mu  sync.Mutex
	got []string
}

func (r *runLine) Out(l gpio.Level) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, "low")
	return nil
}

func (r *runLine) In(gpio.Pull, gpio.Edge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, "released")
	return nil
}

func mustParse(t *testing.T, steps string) *Scenario {
	t.Helper()
	s, err := Parse("t.yaml", []byte("name: t\nversion: 1\nsteps:\n"+steps))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, s *Scenario, b Bench) (*Log, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Run(ctx, s, b, Options{Wait: 500 * time.Millisecond, Grace: 100 * time.Millisecond})
}

func TestEchoAndControlPass(t *testing.T) {
	s := mustParse(t, `  - write-serial: "hello\n"
  - wait-serial: hello
  - write-serial: {port: control, value: "VERSION\n"}
  - wait-serial: {port: control, text: OK VERSION picohil-fw}
`)
	log, err := run(t, s, Bench{Data: newEcho(), Control: Lines(&firmware{lines: make(chan string, 4)})})
	if err != nil {
		t.Fatal(err)
	}
	text := log.String()
	for _, want := range []string{"step 2: wait-serial: \"hello\"", "data    > 68 65 6c 6c 6f 0a", "data    < 68 65 6c 6c 6f 0a", "control < 4f 4b", "|hello.|"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", want, text)
		}
	}
	tr := log.SerialTrace("scenario.serial")
	if len(tr.Rows) != 6+6+8+len("OK VERSION picohil-fw 1.1.0\n") {
		t.Errorf("%d trace rows:\n%v", len(tr.Rows), tr.Rows)
	}
}

// A wait-serial that never sees its line fails naming the step, with
// what came instead as a hex dump.
func TestWaitSerialFailsNamingTheStep(t *testing.T) {
	s := mustParse(t, "  - write-serial: \"hello\\n\"\n  - wait-serial: goodbye\n")
	_, err := run(t, s, Bench{Data: newEcho()})
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("got %v", err)
	}
	if se.Step.Index != 2 || se.Where() != `t.yaml:5: step 2: wait-serial: "goodbye"` {
		t.Errorf("where: %s", se.Where())
	}
	if !strings.Contains(se.Expected, `a line containing "goodbye" on the data port`) ||
		!strings.Contains(se.Seen, "6 bytes came on the data port since the scenario began") ||
		!strings.Contains(se.Seen, "68 65 6c 6c 6f 0a") {
		t.Errorf("expected %q\nseen %s", se.Expected, se.Seen)
	}
}

// wait-serial looks from where the previous one matched: a line matched
// once is not matched again, a line that came early is not lost.
func TestWaitSerialConsumesLines(t *testing.T) {
	s := mustParse(t, `  - write-serial: "one\ntwo\n"
  - delay: 50ms
  - wait-serial: two
  - wait-serial: one
`)
	_, err := run(t, s, Bench{Data: newEcho()})
	var se *StepError
	if !errors.As(err, &se) || se.Step.Index != 4 || !strings.Contains(se.Seen, `since the line "two" matched`) {
		t.Fatalf("got %v", err)
	}
	s = mustParse(t, "  - write-serial: \"one\\ntwo\\n\"\n  - delay: 50ms\n  - wait-serial: one\n  - wait-serial: two\n")
	if _, err := run(t, s, Bench{Data: newEcho()}); err != nil {
		t.Fatal(err)
	}
}

// A line counts only once it ends: text without its "\n" is not matched.
func TestWaitSerialNeedsAWholeLine(t *testing.T) {
	s := mustParse(t, "  - write-serial: \"almost\"\n  - wait-serial: almost\n")
	_, err := run(t, s, Bench{Data: newEcho()})
	if !errors.As(err, new(*StepError)) {
		t.Fatalf("matched a line that never ended: %v", err)
	}
}

const ledSteps = `  - wait-pin: {part-id: pico, pin: LED, value: 1}
  - wait-pin: {part-id: pico, pin: LED, value: 0}
  - delay: 100ms
  - expect-pin: {part-id: pico, pin: GP25, value: %d}
`

func TestLEDSteps(t *testing.T) {
	_, err := run(t, mustParse(t, strings.ReplaceAll(ledSteps, "%d", "0")), Bench{Data: newEcho(), LED: newBlinker(200 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	// One expectation wrong: the step is named, with the edges seen.
	log, err := run(t, mustParse(t, strings.ReplaceAll(ledSteps, "%d", "1")), Bench{Data: newEcho(), LED: newBlinker(200 * time.Millisecond)})
	var se *StepError
	if !errors.As(err, &se) || se.Step.Index != 4 || se.Expected != "the LED (pin GP25) reads 1" ||
		!strings.Contains(se.Seen, "it reads Low") || !strings.Contains(se.Seen, "LED edge to Low") {
		t.Fatalf("got %v", err)
	}
	if tr := log.LEDTrace("scenario.led"); len(tr.Rows) < 1 {
		t.Errorf("no edge in the trace: %v", tr)
	}
}

func TestWaitPinTimesOut(t *testing.T) {
	s := mustParse(t, "  - wait-pin: {part-id: pico, pin: LED, value: 1, timeout: 100ms}\n")
	_, err := run(t, s, Bench{Data: newEcho(), LED: &blinker{Pin: &gpiotest.Pin{}, start: time.Now().Add(-time.Hour), half: time.Hour}})
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(se.Seen, "no edge to 1 in 1") {
		t.Fatalf("got %v", err)
	}
}

func TestRunIsReleasedAtTheEnd(t *testing.T) {
	run1 := &runLine{}
	s := mustParse(t, "  - set-control: {part-id: pico, control: run, value: 0}\n  - delay: 1ms\n")
	log, err := run(t, s, Bench{Data: newEcho(), Run: run1})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(run1.got, ",") != "low,released" || !strings.Contains(log.String(), "RUN pulled low") {
		t.Errorf("RUN: %v\n%s", run1.got, log)
	}
}

func TestCheckNamesWhatTheBenchLacks(t *testing.T) {
	for _, c := range []struct{ steps, want string }{
		{"  - wait-serial: {port: control, text: OK}\n", "t.yaml:4: step 1 (wait-serial) needs the control channel, and this bench has none"},
		{"  - delay: 1ms\n  - expect-pin: {part-id: pico, pin: LED, value: 1}\n", "step 2 (expect-pin) needs an LED input"},
		{"  - set-control: {part-id: pico, control: run, value: 1}\n", "needs a line to the Pico's RUN pin"},
	} {
		_, err := run(t, mustParse(t, c.steps), Bench{Data: newEcho()})
		var me *MissingError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

// A scenario stopped from outside says so in the failing step.
func TestStoppedScenarioSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := Run(ctx, mustParse(t, "  - delay: 10s\n"), Bench{Data: newEcho()}, Options{})
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(se.Expected, "the scenario was stopped") {
		t.Fatalf("got %v", err)
	}
}

// gone is a port that fails its first reads, as a USB serial port does
// while the Pico re-enumerates after a reset.
type gone struct {
	*echo
	fails int
}

func (g *gone) ReadSome(ctx context.Context, p []byte) (int, error) {
	if g.fails > 0 {
		g.fails--
		return 0, errors.New("port gone")
	}
	return g.echo.ReadSome(ctx, p)
}

// A port that comes back is read again; a wait that times out names the
// last failure.
func TestListenerOutlivesAPortThatComesBack(t *testing.T) {
	s := mustParse(t, "  - write-serial: \"back\\n\"\n  - wait-serial: back\n")
	if _, err := run(t, s, Bench{Data: &gone{echo: newEcho(), fails: 2}}); err != nil {
		t.Fatal(err)
	}
	s = mustParse(t, "  - wait-serial: {text: never, timeout: 50ms}\n")
	_, err := run(t, s, Bench{Data: &gone{echo: newEcho(), fails: 1000}})
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(se.Seen, "the last read of the data port failed: port gone") {
		t.Fatalf("got %v", err)
	}
}

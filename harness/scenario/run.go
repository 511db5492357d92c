package scenario

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
)

// Port is one serial line of the bench; harness/serial/link's Link is one. Lines
// makes one of a line-based channel.
type Port interface {
	// WriteContext sends all of p, or fails when ctx ends first.
	WriteContext(ctx context.Context, p []byte) error
	// ReadSome waits until ctx ends for at least one byte.
	ReadSome(ctx context.Context, p []byte) (int, error)
}

// RunPin is the output wired to the Pico's RUN pin: Out(gpio.Low) holds
// the Pico in reset, In(gpio.Float, gpio.NoEdge) releases it (harness/target/reset's
// RunLine is one). Run never drives it high.
type RunPin interface {
	Out(l gpio.Level) error
	In(pull gpio.Pull, edge gpio.Edge) error
}

// Bench is what a scenario runs against. Every field but Data may be nil
// where the bench does not have it.
type Bench struct {
	Data    Port       // the data UART: Wokwi's serial monitor
	Control Port       // the control channel
	LED     gpio.PinIn // the input that reads the Pico's LED
	Run     RunPin     // the output wired to the Pico's RUN pin
}

// Options are the deadlines of the steps that do not give their own.
type Options struct {
	// Wait bounds a wait-serial or wait-pin without a timeout, a write and
	// a change of RUN; 0 takes DefaultWait.
	Wait time.Duration
	// Grace is added to a delay's length to make its deadline, and bounds
	// an expect-pin; 0 takes DefaultGrace.
	Grace time.Duration
}

// The deadlines Options leaves at zero take.
const (
	DefaultWait  = 5 * time.Second
	DefaultGrace = time.Second
)

func (o Options) wait() time.Duration  { return cmpOr(o.Wait, DefaultWait) }
func (o Options) grace() time.Duration { return cmpOr(o.Grace, DefaultGrace) }

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// deadline is how long a step may take.
func (s Step) deadline(o Options) time.Duration {
	switch s.Command {
	case Delay:
		return s.Duration + o.grace()
	case WaitSerial, WaitPin:
		return cmpOr(s.Timeout, o.wait())
	case ExpectPin:
		return o.grace()
	}
	return o.wait()
}

// Budget is the longest the scenario may take: the sum of its steps'
// deadlines. A suite adds its own slack for the spec's timeout.
func (s *Scenario) Budget(o Options) time.Duration {
	var d time.Duration
	for _, st := range s.Steps {
		d += st.deadline(o)
	}
	return d
}

// MissingError is a step that needs a line the bench does not have.
type MissingError struct {
	File string
	Step Step
	Need string // what the bench lacks, e.g. "the control channel"
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("scenario: %s:%d: step %d (%s) needs %s, and this bench has none", e.File, e.Step.Line, e.Step.Index, e.Step.Command, e.Need)
}

// Check finds the first step that needs a line b does not have.
func (s *Scenario) Check(b Bench) error {
	for _, st := range s.Steps {
		need := ""
		switch {
		case b.Data == nil && st.Port == Data && (st.Command == WaitSerial || st.Command == WriteSerial):
			need = "the data UART"
		case b.Control == nil && st.Port == Control:
			need = "the control channel"
		case b.LED == nil && (st.Command == ExpectPin || st.Command == WaitPin):
			need = "an LED input"
		case b.Run == nil && st.Command == SetControl:
			need = "a line to the Pico's RUN pin"
		}
		if need != "" {
			return &MissingError{File: s.File, Step: st, Need: need}
		}
	}
	return nil
}

// uses reports whether a step of s satisfies f.
func (s *Scenario) uses(f func(Step) bool) bool {
	for _, st := range s.Steps {
		if f(st) {
			return true
		}
	}
	return false
}

// StepError is a step that did not hold.
type StepError struct {
	File     string
	Step     Step
	Expected string // what the step expected
	Seen     string // what was seen: the serial log's tail, the LED's edges
	Hint     string // what to check on the bench
	Err      error  // the error of the line, if one failed
}

func (e *StepError) Error() string {
	return fmt.Sprintf("scenario: %s\nexpected: %s\nseen:     %s", e.Where(), e.Expected, e.Seen)
}

func (e *StepError) Unwrap() error { return e.Err }

// Where names the step: file, line, number and text.
func (e *StepError) Where() string {
	name := ""
	if e.Step.Name != "" {
		name = fmt.Sprintf(" %q", e.Step.Name)
	}
	return fmt.Sprintf("%s:%d: step %d%s: %s", e.File, e.Step.Line, e.Step.Index, name, e.Step)
}

// Run executes the steps of s in order against b and returns what it saw
// on the lines, also when a step fails. It checks b first (a *MissingError),
// and fails with a *StepError naming the first step that did not hold. RUN
// is released at the end whatever happened.
func Run(ctx context.Context, s *Scenario, b Bench, o Options) (*Log, error) {
	if err := s.Check(b); err != nil {
		return &Log{}, err
	}
	r := newRecorder()
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop := func() {
		cancel()
		wg.Wait()
	}
	r.listen(rctx, &wg, Data, b.Data)
	if s.uses(func(st Step) bool { return st.Port == Control }) {
		r.listen(rctx, &wg, Control, b.Control)
	}
	if s.uses(func(st Step) bool { return st.Command == SetControl }) {
		defer b.Run.In(gpio.Float, gpio.NoEdge)
	}
	if s.uses(func(st Step) bool { return st.Command == ExpectPin || st.Command == WaitPin }) {
		if err := b.LED.In(gpio.PullNoChange, gpio.BothEdges); err != nil {
			stop()
			return r.snapshot(), fmt.Errorf("scenario: %s: the LED input listens for edges: %w", s.File, err)
		}
		defer b.LED.In(gpio.PullNoChange, gpio.NoEdge)
		r.watch(rctx, &wg, b.LED)
	}
	for _, st := range s.Steps {
		r.mark(st)
		sctx, cancelStep := context.WithTimeout(rctx, st.deadline(o))
		err := r.do(sctx, st, b)
		cancelStep()
		if err != nil {
			stop()
			err.File = s.File
			if cause := context.Cause(ctx); cause != nil {
				err.Expected += " (the scenario was stopped: " + cause.Error() + ")"
			}
			return r.snapshot(), err
		}
	}
	stop()
	return r.snapshot(), nil
}

// do runs one step.
func (r *recorder) do(ctx context.Context, st Step, b Bench) *StepError {
	switch st.Command {
	case Delay:
		t := time.NewTimer(st.Duration)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return &StepError{Step: st, Expected: "the delay to end", Seen: "the scenario's deadline ended during it"}
		}
	case WriteSerial:
		port := b.Data
		if st.Port == Control {
			port = b.Control
		}
		r.sent(st.Port, st.Bytes)
		if err := port.WriteContext(ctx, st.Bytes); err != nil {
			return &StepError{Step: st, Expected: fmt.Sprintf("%d bytes written to the %s port", len(st.Bytes), st.Port),
				Seen: err.Error(), Hint: "the " + st.Port + " port and its cable", Err: err}
		}
		return nil
	case WaitSerial:
		return r.waitSerial(ctx, st)
	case ExpectPin:
		level := b.LED.Read()
		r.read(level)
		if level == want(st) {
			return nil
		}
		return r.pinError(st, fmt.Sprintf("it reads %s", level))
	case WaitPin:
		return r.waitPin(ctx, st, b.LED)
	case SetControl:
		var err error
		if st.Value == 0 {
			err = b.Run.Out(gpio.Low)
		} else {
			err = b.Run.In(gpio.Float, gpio.NoEdge)
		}
		r.note(fmt.Sprintf("RUN %s", map[int]string{0: "pulled low", 1: "released"}[st.Value]))
		if err != nil {
			return &StepError{Step: st, Expected: "the RUN line set", Seen: err.Error(), Hint: "the wire to the Pico's RUN pin (pin 30)", Err: err}
		}
	}
	return nil
}

func want(st Step) gpio.Level { return gpio.Level(st.Value == 1) }

const ledHint = "the LED mirror wire (Pico GP15 to the Pi's LED input) and that the firmware's blink task runs"

func (r *recorder) pinError(st Step, seen string) *StepError {
	return &StepError{Step: st, Expected: fmt.Sprintf("the LED (pin %s) reads %d", st.Pin, st.Value),
		Seen: seen + "; the LED since the scenario began:\n" + r.ledTimeline(), Hint: ledHint}
}

func (r *recorder) waitPin(ctx context.Context, st Step, led gpio.PinIn) *StepError {
	r.mu.Lock()
	from := len(r.log.LED)
	r.mu.Unlock()
	start := time.Now()
	level := led.Read()
	r.read(level)
	if level == want(st) {
		return nil
	}
	var failed error
	err := r.await(ctx, func() bool {
		failed = r.pinErr
		for _, e := range r.log.LED[from:] {
			if !e.Read && e.Level == want(st) {
				return true
			}
		}
		return failed != nil
	})
	switch {
	case failed != nil:
		return &StepError{Step: st, Expected: fmt.Sprintf("the LED (pin %s) reads %d", st.Pin, st.Value), Seen: failed.Error(), Hint: ledHint, Err: failed}
	case err != nil:
		return r.pinError(st, fmt.Sprintf("no edge to %d in %v; it reads %s", st.Value, time.Since(start).Round(time.Millisecond), led.Read()))
	}
	return nil
}

func (r *recorder) waitSerial(ctx context.Context, st Step) *StepError {
	in := r.rx[st.Port]
	start := time.Now()
	err := r.await(ctx, func() bool { return in.match(st.Text) })
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		return nil
	}
	took := time.Since(start).Round(time.Millisecond)
	var seen strings.Builder
	if in.err != nil {
		fmt.Fprintf(&seen, "the last read of the %s port failed: %v\n", st.Port, in.err)
	}
	rest := in.data[in.cursor:]
	fmt.Fprintf(&seen, "no such line in %v: %d bytes came on the %s port since %s", took, len(rest), st.Port, in.since)
	if len(rest) > 0 {
		seen.WriteString(", no line of them contains it:\n" + hexDump(tail(rest, tailBytes)))
	}
	seen.WriteString("\nthe " + st.Port + " port's log, last entries:\n" + r.log.tail(st.Port, tailEntries))
	return &StepError{Step: st, Expected: fmt.Sprintf("a line containing %q on the %s port", st.Text, st.Port),
		Seen: seen.String(), Hint: "the firmware's output, the " + st.Port + " port's wiring and rate", Err: in.err}
}

// The failure shows at most this much of a port.
const (
	tailBytes   = 256
	tailEntries = 12
)

func tail(b []byte, n int) []byte { return b[max(0, len(b)-n):] }

// inbox is what one port received, and how far wait-serial has matched.
type inbox struct {
	data   []byte
	cursor int    // where the next wait-serial looks from
	since  string // what the cursor follows, for messages
	err    error  // the last read's failure, nil once a read succeeds
}

// match finds a whole line from the cursor that contains text, and moves
// the cursor past it.
func (in *inbox) match(text string) bool {
	pos := in.cursor
	for {
		nl := bytes.IndexByte(in.data[pos:], '\n')
		if nl < 0 {
			return false
		}
		if bytes.Contains(in.data[pos:pos+nl], []byte(text)) {
			in.cursor = pos + nl + 1
			in.since = fmt.Sprintf("the line %q matched", strings.TrimRight(string(in.data[pos:pos+nl]), "\r"))
			return true
		}
		pos += nl + 1
	}
}

// recorder keeps the log while a scenario runs; readers and the LED
// watcher add to it, steps wait on it.
type recorder struct {
	start   time.Time
	mu      sync.Mutex
	log     Log
	rx      map[string]*inbox
	pinErr  error
	changed chan struct{} // closed on every change, then replaced
}

func newRecorder() *recorder {
	return &recorder{start: time.Now(), changed: make(chan struct{}),
		rx: map[string]*inbox{Data: {since: "the scenario began"}, Control: {since: "the scenario began"}}}
}

func (r *recorder) now() time.Duration { return time.Since(r.start) }

// add changes the log under the lock and wakes the waiters.
func (r *recorder) add(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
	close(r.changed)
	r.changed = make(chan struct{})
}

// await waits until done holds (checked under the lock) or ctx ends.
func (r *recorder) await(ctx context.Context, done func() bool) error {
	for {
		r.mu.Lock()
		ok, ch := done(), r.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *recorder) mark(st Step) {
	r.add(func() {
		r.log.Entries = append(r.log.Entries, Entry{At: r.now(), Note: fmt.Sprintf("step %d: %s", st.Index, st)})
	})
}

func (r *recorder) note(s string) {
	r.add(func() { r.log.Entries = append(r.log.Entries, Entry{At: r.now(), Note: s}) })
}

func (r *recorder) sent(port string, p []byte) {
	r.add(func() {
		r.log.Entries = append(r.log.Entries, Entry{At: r.now(), Port: port, Sent: true, Data: bytes.Clone(p)})
	})
}

func (r *recorder) read(l gpio.Level) {
	r.add(func() { r.log.LED = append(r.log.LED, PinEvent{At: r.now(), Level: l, Read: true}) })
}

// listen reads port into the log until ctx ends.
func (r *recorder) listen(ctx context.Context, wg *sync.WaitGroup, name string, port Port) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 4096)
		for {
			n, err := port.ReadSome(ctx, buf)
			if n > 0 {
				r.add(func() {
					r.log.Entries = append(r.log.Entries, Entry{At: r.now(), Port: name, Data: bytes.Clone(buf[:n])})
					r.rx[name].data = append(r.rx[name].data, buf[:n]...)
				})
			}
			if ctx.Err() != nil {
				return
			}
			r.add(func() { r.rx[name].err = err })
			if err != nil && !pause(ctx, readRetry) {
				return
			}
		}
	}()
}

// readRetry is how long a listener waits after a failed read before it
// reads again: a port that re-enumerates (the Pico's USB serial after a
// reset) comes back.
const readRetry = 100 * time.Millisecond

// pause waits d, false when ctx ends first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// watchSlice bounds one wait for an edge, so the watcher sees its end.
const watchSlice = 200 * time.Millisecond

// watch logs the LED's edges until ctx ends.
func (r *recorder) watch(ctx context.Context, wg *sync.WaitGroup, led gpio.PinIn) {
	next := edge.Next(led)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			sctx, cancel := context.WithTimeout(ctx, watchSlice)
			level, at, lost, err := next(sctx)
			cancel()
			switch {
			case err == nil:
				r.add(func() {
					r.log.LED = append(r.log.LED, PinEvent{At: at.Sub(r.start), Level: level, Lost: lost})
				})
			case ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded):
				r.add(func() { r.pinErr = fmt.Errorf("watching the LED: %w", err) })
				return
			}
		}
	}()
}

// snapshot is the log so far.
func (r *recorder) snapshot() *Log {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := Log{Entries: append([]Entry(nil), r.log.Entries...), LED: append([]PinEvent(nil), r.log.LED...)}
	return &l
}

func (r *recorder) ledTimeline() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.ledTimeline()
}

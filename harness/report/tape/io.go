package tape

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Writer stores a tape as JSON lines: the header, then one event a line.
type Writer struct {
	buf *bufio.Writer
	c   io.Closer // nil when the writer does not own what it writes to
}

// Create starts a tape at path with its header.
func Create(path string, h Header) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("tape: %w", err)
	}
	w, err := NewWriter(f, h)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.c = f
	return w, nil
}

// NewWriter starts a tape on out with its header; Close flushes it and
// leaves out open.
func NewWriter(out io.Writer, h Header) (*Writer, error) {
	w := &Writer{buf: bufio.NewWriter(out)}
	h.Format = Format
	if err := w.Write(Event{Kind: KindHeader, At: h.Started, Header: &h}); err != nil {
		return nil, err
	}
	return w, nil
}

// Write appends one event.
func (w *Writer) Write(e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("tape: encode %s: %w", e.Kind, err)
	}
	if _, err := w.buf.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("tape: %w", err)
	}
	return nil
}

// Close flushes the tape and closes its file.
func (w *Writer) Close() error {
	err := w.buf.Flush()
	if w.c != nil {
		err = cmp.Or(err, w.c.Close())
	}
	if err != nil {
		return fmt.Errorf("tape: %w", err)
	}
	return nil
}

// Tape is a tape read back.
type Tape struct {
	Header Header
	Events []Event // everything after the header, in the order stored
}

// maxLine bounds one stored event: a data event holds one read or one
// write slice, far below it.
const maxLine = 1 << 20

// ErrFormat marks input that is not a tape of this format.
var ErrFormat = errors.New("tape: not a " + Format + " tape")

// Read loads and checks a tape. An error names the line at fault.
func Read(r io.Reader) (Tape, error) {
	var t Tape
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return t, fmt.Errorf("%w: line %d: %w", ErrFormat, n, err)
		}
		if n == 1 {
			if e.Kind != KindHeader || e.Header == nil || e.Header.Format != Format {
				return t, fmt.Errorf("%w: line 1 is not its header {\"k\":\"header\",\"header\":{\"format\":%q,...}}", ErrFormat, Format)
			}
			t.Header = *e.Header
			continue
		}
		if err := check(e); err != nil {
			return t, fmt.Errorf("%w: line %d: %w", ErrFormat, n, err)
		}
		t.Events = append(t.Events, e)
	}
	if err := sc.Err(); err != nil {
		return t, fmt.Errorf("%w: after line %d: %w", ErrFormat, n, err)
	}
	if n == 0 {
		return t, fmt.Errorf("%w: empty", ErrFormat)
	}
	return t, nil
}

// Open reads the tape at path.
func Open(path string) (Tape, error) {
	f, err := os.Open(path)
	if err != nil {
		return Tape{}, fmt.Errorf("tape: %w", err)
	}
	defer f.Close()
	t, err := Read(f)
	if err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// check holds an event to what its kind needs.
func check(e Event) error {
	if e.At.IsZero() {
		return fmt.Errorf("%s event without a time", e.Kind)
	}
	switch e.Kind {
	case KindData:
		if e.Dir != Tx && e.Dir != Rx {
			return fmt.Errorf("data event with direction %q, want tx or rx", e.Dir)
		}
		if len(e.Bytes) == 0 {
			return errors.New("data event without bytes")
		}
		return checkStamp(e)
	case KindLine:
		if e.Dir != Tx && e.Dir != Rx {
			return fmt.Errorf("line event with direction %q, want tx or rx", e.Dir)
		}
	case KindEdge:
		if e.Level == nil {
			return errors.New("edge event without its level (high)")
		}
		return checkStamp(e)
	case KindSpec, KindEnd:
		if e.Text == "" {
			return fmt.Errorf("%s event without text", e.Kind)
		}
	case KindCapture, KindStall:
		if e.Until.Before(e.At) {
			return fmt.Errorf("%s ends before it begins", e.Kind)
		}
	case KindVerdict:
		if e.Measurement == nil || e.Measurement.Name == "" {
			return errors.New("verdict event without a named measurement")
		}
	case KindHeader:
		return errors.New("a second header")
	default:
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
	return nil
}

func checkStamp(e Event) error {
	want := 1 // an edge's one time
	if e.Kind == KindData {
		want = len(e.Bytes)
	}
	switch {
	case e.Stamp == Host && len(e.DeviceNs) > 0:
		return fmt.Errorf("%s event stamped host with device times", e.Kind)
	case e.Stamp == Device && len(e.DeviceNs) != want:
		return fmt.Errorf("%s event stamped device with %d device times, want %d", e.Kind, len(e.DeviceNs), want)
	case e.Stamp != Host && e.Stamp != Device:
		return fmt.Errorf("%s event stamped %q, want host or device", e.Kind, e.Stamp)
	}
	return nil
}

// Segment is one spec's part of a tape.
type Segment struct {
	Name   string
	State  string  // the end event's text; "" when the tape stops inside the spec
	Events []Event // between the spec event and its end, exclusive
}

// Specs splits the tape at its spec events.
func (t Tape) Specs() []Segment {
	var out []Segment
	var cur *Segment
	for _, e := range t.Events {
		switch {
		case e.Kind == KindSpec:
			out = append(out, Segment{Name: e.Text})
			cur = &out[len(out)-1]
		case cur == nil:
		case e.Kind == KindEnd:
			cur.State = e.Text
			cur = nil
		default:
			cur.Events = append(cur.Events, e)
		}
	}
	return out
}

// Span is the time from the first to the last event, for a summary.
func (t Tape) Span() time.Duration {
	if len(t.Events) == 0 {
		return 0
	}
	return t.Events[len(t.Events)-1].At.Sub(t.Events[0].At)
}

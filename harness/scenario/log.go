package scenario

import (
	"context"
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/measure/stats"
)

// Log is what a scenario did and saw, with times since it began.
type Log struct {
	Entries []Entry    // steps begun and bytes on the serial ports, in order
	LED     []PinEvent // the LED's edges and the steps' reads of it, in order
}

// Entry is a step begun, a note, or bytes on a serial port.
type Entry struct {
	At   time.Duration
	Note string // a step begun or the RUN line set; "" for bytes
	Port string // Data or Control
	Sent bool   // written to the device; false: received from it
	Data []byte
}

// PinEvent is an edge of the LED, or a step's read of it.
type PinEvent struct {
	At    time.Duration
	Level gpio.Level
	Read  bool // a step read the level; false: an edge
	Lost  int  // edges the source dropped before this one
}

// String renders the whole log: every step, every byte as hex and text,
// and the LED's edges, in time order.
func (l *Log) String() string {
	var b strings.Builder
	led := l.LED
	for _, e := range l.Entries {
		for len(led) > 0 && led[0].At <= e.At {
			b.WriteString(led[0].String())
			led = led[1:]
		}
		b.WriteString(e.String())
	}
	for _, p := range led {
		b.WriteString(p.String())
	}
	return b.String()
}

func stamp(d time.Duration) string {
	return fmt.Sprintf("%+11.3fms", float64(d)/float64(time.Millisecond))
}

func (e Entry) String() string {
	if e.Note != "" {
		return stamp(e.At) + "  " + e.Note + "\n"
	}
	dir := "<"
	if e.Sent {
		dir = ">"
	}
	head := fmt.Sprintf("%s  %-7s %s ", stamp(e.At), e.Port, dir)
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(hexDump(e.Data), "\n"), "\n") {
		if i > 0 {
			head = strings.Repeat(" ", len(head))
		}
		b.WriteString(head + line + "\n")
	}
	return b.String()
}

func (p PinEvent) String() string {
	what := "LED edge to"
	if p.Read {
		what = "LED read"
	}
	s := fmt.Sprintf("%s  %s %s", stamp(p.At), what, p.Level)
	if p.Lost > 0 {
		s += fmt.Sprintf(" [%d edges dropped before it]", p.Lost)
	}
	return s + "\n"
}

// tail renders the last n entries of one port.
func (l *Log) tail(port string, n int) string {
	var picked []Entry
	for i := len(l.Entries) - 1; i >= 0 && len(picked) < n; i-- {
		if l.Entries[i].Port == port {
			picked = append(picked, l.Entries[i])
		}
	}
	if len(picked) == 0 {
		return "  (nothing sent or received)\n"
	}
	var b strings.Builder
	for i := len(picked) - 1; i >= 0; i-- {
		e := picked[i]
		e.Data = tail(e.Data, tailBytes)
		b.WriteString(e.String())
	}
	return b.String()
}

func (l *Log) ledTimeline() string {
	if len(l.LED) == 0 {
		return "  (no edge, no read)\n"
	}
	var b strings.Builder
	for _, p := range l.LED {
		b.WriteString(p.String())
	}
	return b.String()
}

// hexDump renders bytes 16 a row: hex, then the printable ones as text.
func hexDump(p []byte) string {
	var b strings.Builder
	for i := 0; i < len(p); i += 16 {
		row := p[i:min(i+16, len(p))]
		var text strings.Builder
		for _, c := range row {
			fmt.Fprintf(&b, "%02x ", c)
			if c >= 0x20 && c < 0x7f {
				text.WriteByte(c)
			} else {
				text.WriteByte('.')
			}
		}
		fmt.Fprintf(&b, "%s |%s|\n", strings.Repeat("   ", 16-len(row)), text.String())
	}
	return b.String()
}

// The ports as numbers in SerialTrace.
var portNumber = map[string]float64{Data: 0, Control: 1}

// SerialTrace is the serial log as a report trace, one row per byte: ms
// since the scenario began, the port (0 data, 1 control), the direction
// (1 sent to the device, 0 received) and the byte's value.
func (l *Log) SerialTrace(name string) stats.Trace {
	t := stats.Trace{Name: name, Columns: []string{"t_ms", "port", "sent", "byte"}, Rows: [][]float64{}}
	for _, e := range l.Entries {
		sent := 0.0
		if e.Sent {
			sent = 1
		}
		for _, c := range e.Data {
			t.Rows = append(t.Rows, []float64{ms(e.At), portNumber[e.Port], sent, float64(c)})
		}
	}
	return t
}

// LEDTrace is the LED's edges as a report trace: ms since the scenario
// began and the level after the edge.
func (l *Log) LEDTrace(name string) stats.Trace {
	t := stats.Trace{Name: name, Columns: []string{"t_ms", "level"}, Rows: [][]float64{}}
	for _, p := range l.LED {
		if !p.Read {
			level := 0.0
			if p.Level {
				level = 1
			}
			t.Rows = append(t.Rows, []float64{ms(p.At), level})
		}
	}
	return t
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// LineConn is a line-based channel, such as the control channel's
// harness/serial/link Link or harness/serial/reconnect Line.
type LineConn interface {
	Write(p []byte) error
	ReadLine(ctx context.Context) (string, error)
}

// lineSlice bounds one ReadLine of a Lines port, so that a channel that
// holds a lock while it reads lets a write in between.
const lineSlice = 20 * time.Millisecond

// Lines makes a Port of a line-based channel: every line read comes with
// "\n" at its end (a "\r\n" line ending is not kept).
func Lines(c LineConn) Port { return &lines{c: c} }

type lines struct {
	c       LineConn
	pending []byte
}

func (l *lines) WriteContext(ctx context.Context, p []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return l.c.Write(p)
}

func (l *lines) ReadSome(ctx context.Context, p []byte) (int, error) {
	for len(l.pending) == 0 {
		end := time.Now().Add(lineSlice)
		sctx, cancel := context.WithDeadline(ctx, end)
		s, err := l.c.ReadLine(sctx)
		cancel()
		if err == nil {
			l.pending = []byte(s + "\n")
			break
		}
		// A read that ends with its slice is no failure.
		if ctx.Err() != nil || time.Now().Before(end) {
			return 0, err
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

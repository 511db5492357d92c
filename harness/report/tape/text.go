package tape

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Around picks the host-stamped data events about t: walking back from t
// until before bytes each way are covered, and on past t until after
// bytes each way.
func Around(events []Event, t time.Time, before, after int) []Event {
	var keep []int
	back := map[Dir]int{}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Kind == KindData && e.Stamp == Host && !e.At.After(t) && back[e.Dir] < before {
			back[e.Dir] += len(e.Bytes)
			keep = append(keep, i)
		}
	}
	slices.Reverse(keep)
	fwd := map[Dir]int{}
	for i, e := range events {
		if e.Kind == KindData && e.Stamp == Host && e.At.After(t) && fwd[e.Dir] < after {
			fwd[e.Dir] += len(e.Bytes)
			keep = append(keep, i)
		}
	}
	out := make([]Event, len(keep))
	for i, k := range keep {
		out[i] = events[k]
	}
	return out
}

// Of picks the events of the given kind.
func Of(events []Event, k Kind) []Event {
	var out []Event
	for _, e := range events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// arrow shows a direction: > to the device, < from it.
func arrow(d Dir) string {
	if d == Tx {
		return ">"
	}
	return "<"
}

// String is one event as a log line: time of day to the microsecond, the
// direction, and the line or the bytes in hex; a device stamp is marked.
func (e Event) String() string {
	at := e.At.Format("15:04:05.000000")
	if e.Stamp == Device && len(e.DeviceNs) > 0 {
		at = fmt.Sprintf("device %.6fs", time.Duration(e.DeviceNs[0]).Seconds())
	}
	switch e.Kind {
	case KindLine:
		return fmt.Sprintf("%s %s %s", at, arrow(e.Dir), e.Text)
	case KindData:
		return fmt.Sprintf("%s %s %4d B  % x", at, arrow(e.Dir), len(e.Bytes), []byte(e.Bytes))
	case KindEdge:
		level := "low"
		if e.Level != nil && *e.Level {
			level = "high"
		}
		return fmt.Sprintf("%s LED %s", at, level)
	}
	return fmt.Sprintf("%s %s %s", at, e.Kind, e.Text)
}

// Text is events one a line.
func Text(events []Event) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

package target

import (
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// DeviceClock is a target that stamps what happened at the device, on the
// device's own clock (see "Device time" in the package doc). Device.Clock
// holds it; nil where the target has none.
type DeviceClock interface {
	// UARTEvents returns the data UART's events numbered from from on,
	// oldest first, and the number the next event will get. Events are
	// numbered from 0 when the device starts; a log keeps only the most
	// recent ones, so the first returned may be numbered above from.
	UARTEvents(from uint64) ([]UARTEvent, uint64)
	// LEDEdges returns the LED's transitions since the device started,
	// oldest first.
	LEDEdges() []LEDEdge
}

// Progress is a DeviceClock that also reports how much time its device
// has had: how far its clock has advanced, on an epoch of its own, as last
// reported (false before the first report). A host deadline that passed
// while the device's clock advanced less than the measurement's budget was
// the host's to miss, not the device's: the host did not give it the time
// (harness/measure/echo). A target whose device time always passes with the
// host's (a model on the host's clock) need not implement it.
type Progress interface {
	Progress() (time.Duration, bool)
}

// Direction is which way a byte crossed the device's data UART.
type Direction uint8

const (
	// RX is a byte that reached the device's UART: its stop bit was
	// sampled, so the firmware could read it from then on.
	RX Direction = iota + 1
	// TX is a byte that left the device's UART: its stop bit was sent, so
	// the host's UART had it whole from then on.
	TX
)

func (d Direction) String() string {
	switch d {
	case RX:
		return "rx"
	case TX:
		return "tx"
	}
	return "?"
}

// UARTEvent is one byte at the device's data UART.
type UARTEvent struct {
	Seq  uint64 // its number, counting every event since the device started
	Dir  Direction
	Byte byte
	At   time.Duration // device time
}

// Sent reports whether the device sent the byte (TX), rather than
// received it.
func (e UARTEvent) Sent() bool { return e.Dir == TX }

// LEDEdge is one LED transition: the level after it, at device time At.
type LEDEdge struct {
	Level gpio.Level
	At    time.Duration
}

// UARTLog is a DeviceClock's UART half: a bounded log of the most recent
// events, safe for concurrent use. A target records each byte as its
// device sees it and serves UARTEvents from the log. The zero value keeps
// DefaultUARTLog events.
type UARTLog struct {
	// Keep is how many of the most recent events the log holds; zero
	// means DefaultUARTLog.
	Keep int

	mu   sync.Mutex
	ring []UARTEvent
	next uint64
}

// DefaultUARTLog holds both directions of a 115200-baud line saturated
// for about 20 s, longer than any one measurement.
const DefaultUARTLog = 1 << 19

// Add records bytes that crossed the UART in direction dir, the i-th at
// device time at[i] (len(at) == len(bytes)), and returns the number of
// the event after them.
func (l *UARTLog) Add(dir Direction, bytes []byte, at []time.Duration) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ring == nil {
		keep := l.Keep
		if keep <= 0 {
			keep = DefaultUARTLog
		}
		l.ring = make([]UARTEvent, keep)
	}
	for i, b := range bytes {
		l.ring[l.next%uint64(len(l.ring))] = UARTEvent{Seq: l.next, Dir: dir, Byte: b, At: at[i]}
		l.next++
	}
	return l.next
}

// UARTEvents is DeviceClock's UARTEvents.
func (l *UARTLog) UARTEvents(from uint64) ([]UARTEvent, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := uint64(len(l.ring)); l.next > n && from < l.next-n {
		from = l.next - n
	}
	if from >= l.next {
		return nil, l.next
	}
	out := make([]UARTEvent, 0, l.next-from)
	for s := from; s < l.next; s++ {
		out = append(out, l.ring[s%uint64(len(l.ring))])
	}
	return out, l.next
}

// LEDLog is a DeviceClock's LED half: every transition, safe for
// concurrent use.
type LEDLog struct {
	mu    sync.Mutex
	edges []LEDEdge
}

// Add records a transition to level at device time at.
func (l *LEDLog) Add(level gpio.Level, at time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.edges = append(l.edges, LEDEdge{Level: level, At: at})
}

// LEDEdges is DeviceClock's LEDEdges.
func (l *LEDLog) LEDEdges() []LEDEdge {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]LEDEdge(nil), l.edges...)
}

package tape

import (
	"time"

	"github.com/picohil/picohil/harness/target"
)

// maxDeviceRun is the most bytes one device-stamped data event holds.
const maxDeviceRun = 256

// DeviceLog moves a target's own stamps (harness/target, "Device time")
// onto a recorder: the bytes at its data UART and its LED edges, each with
// the device's time. It remembers how far it got, so each call records
// what came since the last.
type DeviceLog struct {
	Clock target.DeviceClock
	uart  uint64 // the next UART event to record
	edges int    // the LED edges recorded
}

// Record adds what the target stamped since the last call, as taken at at:
// runs of bytes in one direction as data events (a byte that reached the
// device's UART is the host's tx, one that left it the host's rx), and
// each LED edge.
func (l *DeviceLog) Record(r *Recorder, at time.Time) {
	events, next := l.Clock.UARTEvents(l.uart)
	l.uart = next
	for len(events) > 0 {
		n := 1
		for n < len(events) && n < maxDeviceRun && events[n].Dir == events[0].Dir {
			n++
		}
		b, dev := make([]byte, n), make([]time.Duration, n)
		for i, e := range events[:n] {
			b[i], dev[i] = e.Byte, e.At
		}
		dir := Rx
		if events[0].Dir == target.RX {
			dir = Tx
		}
		r.DeviceData(dir, at, b, dev)
		events = events[n:]
	}
	edges := l.Clock.LEDEdges()
	for _, e := range edges[min(l.edges, len(edges)):] {
		r.DeviceEdge(at, bool(e.Level), e.At)
	}
	l.edges = len(edges)
}

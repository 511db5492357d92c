package replay

import (
	"time"

	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/measure/verdict"
	"github.com/picohil/picohil/harness/report/tape"
	"github.com/picohil/picohil/harness/target"
)

// deviceUART rebuilds the device's UART log from a spec's device-stamped
// data events: a tape's tx is a byte that reached the device (RX), its
// rx one that left it (TX).
func deviceUART(events []tape.Event) []target.UARTEvent {
	var out []target.UARTEvent
	for _, e := range tape.Of(events, tape.KindData) {
		if e.Stamp != tape.Device {
			continue
		}
		dir := target.TX
		if e.Dir == tape.Tx {
			dir = target.RX
		}
		for i, b := range e.Bytes {
			out = append(out, target.UARTEvent{Seq: uint64(len(out)), Dir: dir, Byte: b, At: time.Duration(e.DeviceNs[i])})
		}
	}
	return out
}

// onDevice takes a measurement again on the device's clock as harness/measure/echo
// measures it there: a round trip from its request's first start bit at
// the device to its echo's last stop bit; the load's windows from the
// device's TX stamps between the capture's first and last edge.
func onDevice(name string, uart []target.UARTEvent, events []tape.Event, b verdict.Bench) (stats.Measurement, bool) {
	frame := baud.ByteTime(b.Baud)
	switch {
	case name == stats.EchoRTT:
		var rtts []time.Duration
		for _, trip := range singleTrips(uart) {
			if span, ok := echo.EchoSpan(trip, 1); ok {
				rtts = append(rtts, span+frame)
			}
		}
		return verdict.RoundTrips(rtts, b), len(rtts) > 0
	case stats.IsEchoPayload(name):
		for size := range received(uart) + 1 {
			if stats.EchoPayload(size) == name {
				span, ok := echo.EchoSpan(uart, size)
				return verdict.Payload(size, span+frame, b), ok
			}
		}
	case name == stats.BlinkLoadThroughput:
		captures := tape.Of(events, tape.KindCapture)
		if len(captures) == 0 || len(captures[0].DeviceNs) < 2 {
			return stats.Measurement{}, false
		}
		dev := captures[0].DeviceNs
		from, to := time.Duration(dev[0]), time.Duration(dev[len(dev)-1])
		rate := verdict.LineRate(b)
		var clean []float64
		for _, w := range echo.RecordedFlow(nil, uart, echo.Timing{Frame: frame, Turnaround: b.Turnaround}, 0).DeviceWindows(from, to, verdict.LoadWindow, rate, rate*verdict.LoadMin/100) {
			if !w.HostLate {
				clean = append(clean, w.Rate)
			}
		}
		m, _ := verdict.Load(clean, b)
		return m, true
	}
	return stats.Measurement{}, false
}

// singleTrips splits the log at each byte received: one-byte round trips,
// each the next request sent only once its echo came back.
func singleTrips(dev []target.UARTEvent) [][]target.UARTEvent {
	var out [][]target.UARTEvent
	for i, e := range dev {
		if e.Dir == target.RX {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], dev[i])
		}
	}
	return out
}

// received counts the bytes that reached the device.
func received(dev []target.UARTEvent) int {
	n := 0
	for _, e := range dev {
		if e.Dir == target.RX {
			n++
		}
	}
	return n
}

package echo

import (
	"time"

	"github.com/picohil/picohil/harness/target"
)

// EchoSpan is, for a recorded round trip of n bytes, what RoundTrip
// measures on the device's clock before adding the request's first
// character time: from the request's first byte reaching the device's
// UART to its echo's last byte leaving it. events are the device's UART
// events during the trip; ok is false when they do not hold it.
func EchoSpan(events []target.UARTEvent, n int) (time.Duration, bool) { return echoSpan(events, n) }

// RecordedFlow is a sustained echo rebuilt from the device's recorded UART
// events, for judging its windows again (DeviceWindows) offline; frame is
// one character's time at the line's rate.
func RecordedFlow(events []target.UARTEvent, frame time.Duration) Flow {
	return Flow{Events: events, timing: Timing{Frame: frame}}
}

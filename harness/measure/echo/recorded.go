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

// RecordedFlow is a sustained echo rebuilt from what a tape recorded, for
// judging its windows again offline (HostWindows, DeviceWindows): the
// reads' arrivals, the device's UART events where it stamps them, the
// timing (its Frame, and a Watch holding the host's recorded stalls), and
// one chunk's time on the wire.
func RecordedFlow(arrivals []Arrival, events []target.UARTEvent, t Timing, chunkTime time.Duration) Flow {
	return Flow{Arrivals: arrivals, Events: events, timing: t, chunkTime: chunkTime}
}

package specs

import (
	"fmt"
	"math"
	"time"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stall"
)

// timing is where the echo measurements take their times from: the
// target's device clock where it has one, else the host's, watched for
// the host's own lateness.
func timing() echo.Timing {
	t := echo.Timing{Frame: baud.ByteTime(cfg.Baud), Turnaround: cfg.Turnaround, Watch: rig.Watch}
	if rig.Bench.Clock != nil {
		t.Device = rig.Bench.Clock
	}
	hil.NoteClock(t.Clock())
	return t
}

// deviceEdges are the device's own stamps of its edges during a capture,
// read as the capture ends: those after mark (the device's count when the
// capture armed), from the first whose level is the first captured one;
// nil where there are fewer than three. They do not depend on the host
// having captured each edge once: a host too busy to see an edge, or that
// saw one twice, does not change the device's.
func deviceEdges(mark int, captured []edge.Edge) []edge.Edge {
	if rig.Bench.Clock == nil || len(captured) == 0 {
		return nil
	}
	all := rig.Bench.Clock.LEDEdges()
	if mark > len(all) {
		return nil
	}
	after := all[mark:]
	if len(after) > 0 && after[0].Level != captured[0].Level { // an edge just before arming
		after = after[1:]
	}
	if len(after) < 3 {
		return nil
	}
	out := make([]edge.Edge, len(after))
	for i, e := range after {
		out[i] = edge.Edge{Level: e.Level, At: time.Time{}.Add(e.At)}
	}
	return out
}

// ledMark is the device's count of LED edges so far; 0 without a clock.
func ledMark() int {
	if rig.Bench.Clock == nil {
		return 0
	}
	return len(rig.Bench.Clock.LEDEdges())
}

// uartMark is where the device's UART log stands; 0 without a clock.
func uartMark() uint64 {
	if rig.Bench.Clock == nil {
		return 0
	}
	_, next := rig.Bench.Clock.UARTEvents(math.MaxUint64)
	return next
}

// deviceBurst is a burst's timeline as the device sent it, from its TX
// stamps since mark, where it has a clock and stamped every byte the host
// read; else the host's timeline, b. device says which.
func deviceBurst(mark uint64, b baud.Burst) (timed baud.Burst, device bool) {
	if rig.Bench.Clock == nil {
		return b, false
	}
	events, _ := rig.Bench.Clock.UARTEvents(mark)
	var d baud.Burst
	for _, e := range events {
		if e.Sent() {
			d.Data = append(d.Data, e.Byte)
			d.Arrivals = append(d.Arrivals, baud.Arrival{Count: len(d.Data), At: time.Time{}.Add(e.At)})
		}
	}
	if len(d.Data) < len(b.Data) {
		return b, false
	}
	hil.NoteClock("device")
	return d, true
}

// lateWhose says whose the late samples that were counted are.
func lateWhose(t echo.Timing) string {
	if t.Device != nil {
		return "the device answered late: its own stamps time it"
	}
	return fmt.Sprintf("the device answered late: the host's stalls (beyond %v) during each counted sample explain less than its excess over the budget", stall.Bound)
}

package specs

import (
	"time"

	"github.com/picohil/picohil/harness/baud"
	"github.com/picohil/picohil/harness/bench"
)

// Sizes of the work each spec does; budgets and timeouts derive from them.
const (
	rttCount      = 1000
	blinkEdges    = 12
	burstDuration = 250 * time.Millisecond
	lineRateSpan  = 2 * time.Second
	lineRateMin   = 95.0 // percent of theoretical throughput
	baudTolerance = 2.0  // percent
	meanTolerance = 1.0  // percent of the half-period
	dutyTolerance = 2.0  // percentage points around 50%
	// opGrace is added to the physical duration of one operation to make
	// its deadline: it never enters a measured budget.
	opGrace = time.Second
)

// slack absorbs process start-up and scheduling on a busy machine in
// deadlines; it never enters a measured budget.
const slack = 10 * time.Second

// Timeouts are every deadline of the suite, derived from the bench's rates
// and cadence in one place.
type Timeouts struct {
	Setup, Reply, Cleanup time.Duration
	PerTrip               time.Duration // one round trip
	RTT                   time.Duration // the whole single-byte series
	Payload               time.Duration
	LineRate              time.Duration
	Burst                 time.Duration
	BlinkWindow           time.Duration // capture window for blinkEdges
	Blink                 time.Duration
}

func timeoutsFor(c bench.Config) Timeouts {
	frame := baud.ByteTime(max(c.Baud, 1))
	window := time.Duration(float64(blinkEdges+2) * 1.5 * float64(c.BlinkHalf))
	return Timeouts{
		Setup:       slack,
		Reply:       2 * time.Second,
		Cleanup:     5 * time.Second,
		PerTrip:     2*frame + c.Turnaround + time.Second,
		RTT:         rttCount*(2*frame+c.Turnaround) + slack,
		Payload:     2*4097*frame + c.Turnaround + slack,
		LineRate:    2*lineRateSpan + slack,
		Burst:       burstDuration + slack,
		BlinkWindow: window,
		Blink:       window + 2*time.Second + slack,
	}
}

// sweepTimeout bounds one rate of the baud sweep: 256 bytes each way and a
// burst at that rate.
func sweepTimeout(rate int) time.Duration {
	return 2*257*baud.ByteTime(rate) + burstDuration + slack
}

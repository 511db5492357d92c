// Package verdict is how the suite judges what it measured: echo round
// trips, payloads, the echo load's windows and the blink's cadence, as
// functions of the measured data and the bench's settings. The specs call
// them on what they just measured; hil replay calls them on what a tape
// recorded, so a run is judged offline exactly as it was live.
package verdict

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/stats"
)

// Limits the verdicts hold the firmware to.
const (
	// MeanTolerance is how far the blink's fitted half-period may stray
	// from the nominal, in percent.
	MeanTolerance = edge.HalfTolerancePct
	// DutyTolerance is how far the duty may stray from 50 %, in points.
	DutyTolerance = 2.0
	// The echo under the blink must move at least LoadMin percent of line
	// rate in every LoadWindow of the capture.
	LoadWindow = 100 * time.Millisecond
	LoadMin    = 90.0
)

// ErrNoCadence marks edges from which no cadence can be measured.
var ErrNoCadence = errors.New("verdict: no cadence")

// Bench is the settings a verdict is judged with.
type Bench struct {
	Baud       int
	Turnaround time.Duration // allowance on top of wire time
	BlinkHalf  time.Duration // the LED's nominal half-period
	Jitter     time.Duration // blink p99 jitter tolerance
}

// Check is a measurement and what to check on the bench when it fails.
type Check struct {
	M    stats.Measurement
	Hint string
}

// RTTBudget is one single-byte round trip's budget: the byte's wire time
// each way plus the turnaround allowance.
func RTTBudget(b Bench) time.Duration { return 2*baud.ByteTime(b.Baud) + b.Turnaround }

// RoundTrips judges single-byte round trips (stats.EchoRTT): their p99
// within RTTBudget.
func RoundTrips(rtts []time.Duration, b Bench) stats.Measurement {
	samples := micros(rtts)
	return stats.Measure(stats.EchoRTT, "us", stats.Percentile(sorted(samples), 99), stats.AtMost(us(RTTBudget(b)))).WithSamples(samples)
}

// PayloadBudget is a size-byte payload's budget: its wire time and one
// more character, plus the turnaround allowance.
func PayloadBudget(size int, b Bench) time.Duration {
	return time.Duration(size+1)*baud.ByteTime(b.Baud) + b.Turnaround
}

// Payload judges one payload's round trip (stats.EchoPayload).
func Payload(size int, rtt time.Duration, b Bench) stats.Measurement {
	return stats.Measure(stats.EchoPayload(size), "us", us(rtt), stats.AtMost(us(PayloadBudget(size, b))))
}

// Load judges the echo load's windows, in bytes per second, as percent
// of line rate: the lowest at least LoadMin. It returns the percentages.
func Load(windows []float64, b Bench) (stats.Measurement, []float64) {
	rate := LineRate(b)
	pct := make([]float64, len(windows))
	for i, w := range windows {
		pct[i] = 100 * w / rate
	}
	lowest := 0.0
	if len(pct) > 0 {
		lowest = slices.Min(pct)
	}
	return stats.Measure(stats.BlinkLoadThroughput, "%", lowest, stats.AtLeast(LoadMin)).WithSamples(pct), pct
}

// LineRate is the data line's rate in bytes per second.
func LineRate(b Bench) float64 { return float64(b.Baud) / baud.BitsPerByte }

// EdgesSeen judges how many edges a capture of want edges saw.
func EdgesSeen(prefix string, n, want int) stats.Measurement {
	return stats.Measure(prefix+stats.EdgesSeen, "edges", float64(n), stats.AtLeast(float64(want)))
}

// Cadence judges the blink's edges under the given measurement prefix:
// none missed, the fitted half-period, the duty and the p99 jitter; with
// kernel edge times also the edges the kernel dropped. It fails when the
// edges do not alternate in level, are too few for a cadence, or span no
// time (ErrNoCadence).
func Cadence(prefix string, edges []edge.Edge, b Bench, source edge.Source) ([]Check, error) {
	c, err := edge.Analyze(edges)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(c.HalfFit) || math.IsNaN(c.Duty) {
		// A NaN measurement would also stop report.json from encoding.
		return nil, fmt.Errorf("%w: %d edges span %.3f ms, no cadence (a clock that stamped them all at once?)", ErrNoCadence, len(edges), c.PeriodMs)
	}
	half := ms(b.BlinkHalf)
	checks := []Check{
		{stats.Measure(prefix+stats.EdgesMissed, "edges", float64(c.Missed), stats.AtMost(0)), "edges went missing: the LED stalled or toggled faster than the capture"},
		{stats.Measure(prefix+stats.HalfPeriod, "ms", c.HalfFit, stats.Around(half, half*MeanTolerance/100)).WithSamples(c.HalfMs),
			"the firmware's blink period (BLINK setting, HIL_BLINK_MS) or a drifting sleep: schedule against ticks, not sleep(after work)"},
		{stats.Measure(prefix+stats.Duty, "%", 100*c.Duty, stats.Around(50, DutyTolerance)), "the LED spends unequal time high and low: work done in only one half of the cycle"},
		{stats.Measure(prefix+stats.JitterP99, "ms", c.JitterP99, stats.AtMost(ms(b.Jitter))),
			"half-periods vary: another task blocks the scheduler, or the host is overloaded (HIL_JITTER_MS sets the tolerance)"},
	}
	if source == edge.Kernel {
		checks = append(checks, Check{stats.Measure(prefix+stats.KernelMissed, "edges", float64(edge.Lost(edges)), stats.AtMost(0)),
			"the kernel dropped edges from its queue because the harness fell behind (host overloaded): the firmware is not at fault"})
	}
	return checks, nil
}

func micros(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = us(d)
	}
	return out
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func sorted(v []float64) []float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s
}

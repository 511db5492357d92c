package preflight

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// Host wake-up calibration: wakeSpan of wakeNap sleeps; a p99 lateness
// above wakeShare of the jitter tolerance warns, because the host then
// spends that share of the tolerance on itself.
const (
	wakeSpan  = 200 * time.Millisecond
	wakeNap   = time.Millisecond
	wakeShare = 0.25
)

// Waker sleeps for d and returns how long it really took.
type Waker func(d time.Duration) time.Duration

// TimerWake sleeps on a runtime timer, the way edge capture and read
// deadlines wait.
func TimerWake(d time.Duration) time.Duration {
	start := time.Now()
	t := time.NewTimer(d)
	<-t.C
	return time.Since(start)
}

// HostWake measures how late the host wakes from short sleeps and records
// the p99 against wakeShare of the jitter tolerance.
func HostWake(ctx context.Context, wake Waker, jitterTol time.Duration) report.Check {
	const name = stats.HostWakeJitter
	var late []float64
	for spent := time.Duration(0); spent < wakeSpan && ctx.Err() == nil; {
		got := wake(wakeNap)
		spent += got
		late = append(late, float64(got-wakeNap)/float64(time.Microsecond))
	}
	if len(late) == 0 {
		return skip(name, "no time left to measure: "+context.Cause(ctx).Error())
	}
	sorted := slices.Sorted(slices.Values(late))
	limit := wakeShare * float64(jitterTol) / float64(time.Microsecond)
	m := stats.Measure(stats.HostWakeLate, "us", stats.Percentile(sorted, 99), stats.AtMost(limit)).WithSamples(late)
	detail := fmt.Sprintf("%d sleeps of %v woke late by p50 %.0f us, p99 %.0f us; jitter tolerance %v, warn above %.0f us",
		len(late), wakeNap, m.Summary.P50, m.Value, jitterTol, limit)
	c := ok(name, detail)
	if !m.Pass {
		c = check(name, report.CheckWarn, fmt.Sprintf("p99 wake-up lateness ≤ %.0f%% of the jitter tolerance", 100*wakeShare), detail,
			"the host adds this lateness to every edge timestamp: stop other load, set the performance cpufreq governor, or raise HIL_JITTER_MS")
	}
	c.Measurements = []stats.Measurement{m}
	return c
}

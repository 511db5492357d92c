package gpioev

import (
	"testing"
	"time"
)

// BenchmarkClockAnchor measures how well an edge's kernel time can be
// placed on the harness's clock: the anchor's error bound (half its
// bracket), worst and mean over the runs.
func BenchmarkClockAnchor(b *testing.B) {
	var worst, sum time.Duration
	for b.Loop() {
		c, err := sampleClock(kernelNow)
		if err != nil {
			b.Fatal(err)
		}
		worst, sum = max(worst, c.err), sum+c.err
	}
	b.ReportMetric(float64(worst.Nanoseconds()), "max-err-ns")
	b.ReportMetric(float64(sum.Nanoseconds())/float64(b.N), "mean-err-ns")
}

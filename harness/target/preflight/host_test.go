package preflight

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// lateBy is a Waker that wakes late by the given amounts in turn, without
// sleeping.
func lateBy(late ...time.Duration) Waker {
	i := 0
	return func(d time.Duration) time.Duration {
		l := late[i%len(late)]
		i++
		return d + l
	}
}

func TestHostWakeRecordsLatenessAgainstTheTolerance(t *testing.T) {
	c := HostWake(context.Background(), lateBy(50*time.Microsecond, 100*time.Microsecond, 150*time.Microsecond), 8*time.Millisecond)
	if c.Status != report.CheckOK || len(c.Measurements) != 1 {
		t.Fatalf("%+v", c)
	}
	m := c.Measurements[0]
	if m.Name != "host.wake_late_p99" || m.Unit != "us" || m.Value != 150 || *m.Limits.Max != 2000 {
		t.Fatalf("%s", m)
	}
	// 200 ms of 1 ms naps late by 0.1 ms on average.
	if n := len(m.Series); n != 182 || m.Summary.P50 != 100 {
		t.Fatalf("n=%d p50=%v", n, m.Summary.P50)
	}
	if !strings.Contains(c.Detail, "jitter tolerance 8ms") {
		t.Fatalf("detail %q", c.Detail)
	}
}

func TestHostWakeWarnsWhenItEatsTheTolerance(t *testing.T) {
	c := HostWake(context.Background(), lateBy(3*time.Millisecond), 8*time.Millisecond)
	if c.Status != report.CheckWarn || c.Measurements[0].Pass || !strings.Contains(c.Hint, "HIL_JITTER_MS") {
		t.Fatalf("%+v", c)
	}
}

func TestHostWakeStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if c := HostWake(ctx, lateBy(0), time.Millisecond); c.Status != report.CheckSkip {
		t.Fatalf("%+v", c)
	}
}

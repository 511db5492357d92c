package gpioev

import (
	"errors"
	"testing"
	"time"
)

// The kernel's clock for edge events, mapped through the anchor, agrees
// with time.Now() read around it, to within the anchor's own error: the
// proof that Go's monotonic clock and CLOCK_MONOTONIC tick together.
func TestKernelTimeMapsOntoTimeNow(t *testing.T) {
	c, err := sampleClock(kernelNow)
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		before := time.Now()
		ns, err := kernelNow()
		if err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		at := c.at(uint64(ns))
		if at.Before(before.Add(-c.err)) || at.After(after.Add(c.err)) {
			t.Fatalf("kernel time %v maps to %v, outside [%v, %v] ± %v", ns, at, before, after, c.err)
		}
	}
}

func TestMappedTimesKeepKernelIntervals(t *testing.T) {
	c := monoClock{mono: 5_000_000_000, wall: time.Now()}
	a, b := c.at(5_000_000_000), c.at(7_000_000_123)
	if !a.Equal(c.wall) || b.Sub(a) != 2*time.Second+123*time.Nanosecond {
		t.Fatalf("at = %v, %v", a, b)
	}
	if early := c.at(4_999_999_000); c.wall.Sub(early) != time.Microsecond {
		t.Fatalf("an edge before the anchor maps to %v", early)
	}
}

// The anchor is the pair with the tightest bracket: a clock read that was
// preempted (here: slowed) is not used.
func TestAnchorUsesTheTightestSample(t *testing.T) {
	calls := 0
	c, err := sampleClock(func() (int64, error) {
		calls++
		if calls != 5 {
			time.Sleep(20 * time.Millisecond)
		}
		return int64(calls), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.mono != 5 || calls != anchorTries {
		t.Fatalf("anchored on sample %d of %d, want 5 of %d", c.mono, calls, anchorTries)
	}
}

func TestAnchorFailsWithTheClock(t *testing.T) {
	broken := errors.New("no clock")
	if _, err := sampleClock(func() (int64, error) { return 0, broken }); !errors.Is(err, broken) {
		t.Fatalf("err = %v", err)
	}
}

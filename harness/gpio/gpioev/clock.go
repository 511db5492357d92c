package gpioev

import (
	"time"

	"golang.org/x/sys/unix"
)

// anchorTries is how many (CLOCK_MONOTONIC, time.Now) pairs sampleClock
// takes; it keeps the tightest, so one preemption cannot spoil the anchor.
const anchorTries = 8

// monoClock maps the kernel's edge timestamps, CLOCK_MONOTONIC nanoseconds
// taken in the GPIO interrupt handler, onto the time.Time the harness uses
// for every other event (deadlines, fixture truth, UART traffic).
//
// Go cannot build a time.Time with a monotonic reading from a number; only
// time.Now attaches one. So the mapping is anchored on a pair read together,
// clock_gettime(CLOCK_MONOTONIC) and time.Now(), and a timestamp ns becomes
// wall.Add(ns - mono). Add carries wall's monotonic reading along, and Go's
// monotonic clock on Linux is CLOCK_MONOTONIC itself from another origin,
// so the offset between the two is constant: intervals between mapped edges
// are exactly the kernel's, and an edge compares with time.Now() to within
// err, half the width of the anchor's bracket. The anchor is taken once per
// line and never moved, since moving it would add its error to intervals.
type monoClock struct {
	mono int64         // CLOCK_MONOTONIC, ns
	wall time.Time     // time.Now() at the same instant, within err
	err  time.Duration // half the bracket around the pair
}

// sampleClock anchors a monoClock on now, which reads CLOCK_MONOTONIC: the
// tightest of anchorTries brackets time.Now(), now(), time.Now().
func sampleClock(now func() (int64, error)) (monoClock, error) {
	var best monoClock
	for i := range anchorTries {
		before := time.Now()
		mono, err := now()
		if err != nil {
			return monoClock{}, err
		}
		half := time.Since(before) / 2
		if i == 0 || half < best.err {
			best = monoClock{mono: mono, wall: before.Add(half), err: half}
		}
	}
	return best, nil
}

// kernelNow reads CLOCK_MONOTONIC, the kernel's default clock for GPIO
// edge events.
func kernelNow() (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, err
	}
	return ts.Nano(), nil
}

// at is the time of a CLOCK_MONOTONIC timestamp.
func (c monoClock) at(ns uint64) time.Time {
	return c.wall.Add(time.Duration(int64(ns) - c.mono))
}

package stall

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWithinIsTheUnionOfOverlappingStalls(t *testing.T) {
	var w Watch
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	w.Late(at(10), at(20))
	w.Late(at(15), at(30)) // overlaps the first
	w.Late(at(50), at(52))
	w.Late(at(5), at(5)) // empty: ignored
	for _, tc := range []struct {
		from, to int
		want     time.Duration
	}{
		{0, 100, 22 * time.Millisecond},
		{25, 51, 6 * time.Millisecond},
		{31, 49, 0},
	} {
		if got := w.Within(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("Within(%d, %d) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
	for _, tc := range []struct {
		from, to int
		excess   time.Duration
		want     bool
	}{
		{0, 100, 22 * time.Millisecond, true},  // the stalls account for all of it
		{0, 100, 23 * time.Millisecond, false}, // the device was late beyond them
		{49, 53, time.Millisecond, false},      // 2 ms is within Bound
	} {
		if got := w.Explains(at(tc.from), at(tc.to), tc.excess); got != tc.want {
			t.Errorf("Explains(%d, %d, %v) = %v, want %v", tc.from, tc.to, tc.excess, got, tc.want)
		}
	}
	var none *Watch
	if none.Within(at(0), at(100)) != 0 || none.Stalls() != nil {
		t.Error("a nil Watch sees stalls")
	}
	none.Late(at(0), at(1))
	none.Stop()
}

// TestWatchSeesTheProcessStopped has the kernel stop this process for
// 50 ms (SIGSTOP, then SIGCONT, from a child shell) and expects the watch
// to have seen a stall about that long.
func TestWatchSeesTheProcessStopped(t *testing.T) {
	w := Start()
	defer w.Stop()
	time.Sleep(20 * time.Millisecond)
	before := time.Now()
	if err := StopProcess(syscall.Getpid(), 10*time.Millisecond, 50*time.Millisecond); err != nil {
		t.Skipf("cannot stop this process: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	if got := w.Within(before, time.Now()); got < 40*time.Millisecond {
		t.Fatalf("the watch saw %v of stalls around a 50 ms SIGSTOP; stalls: %v", got, w.Stalls())
	}
}

func TestHostLateErrorSaysInconclusive(t *testing.T) {
	err := &HostLateError{What: "one-byte round trips", Clean: 800, Want: 1000, Late: 101, Tries: 901}
	if s := err.Error(); !strings.Contains(s, "inconclusive: host late") || !strings.Contains(s, "101 spoiled") || strings.Contains(s, "\n") {
		t.Fatalf("HostLateError = %q", s)
	}
}

package clock

import (
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// lapsed is a context whose deadline has passed while it has not yet said
// so: the instant before its timer fires.
type lapsed struct{ context.Context }

func (lapsed) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

func TestEnded(t *testing.T) {
	if err := Ended(context.Background()); err != nil {
		t.Fatalf("running: %v", err)
	}
	if err := Ended(lapsed{context.Background()}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline just past: %v", err)
	}
	why := errors.New("stopped by the operator")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(why)
	if err := Ended(ctx); !errors.Is(err, why) {
		t.Fatalf("cancelled: %v", err)
	}
}

// WaitUntil never returns before its instant, on the fine timer or the
// coarse one, and returns at once for an instant already past.
func TestWaitUntilNeverEarly(t *testing.T) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for _, d := range []time.Duration{-time.Millisecond, 0, 20 * time.Microsecond, 87 * time.Microsecond, 500 * time.Microsecond, 3 * time.Millisecond} {
		for range 20 {
			at := time.Now().Add(d)
			if !WaitUntil(at, timer, nil, nil) {
				t.Fatalf("wait of %v: WaitUntil returned false with nothing to end it", d)
			}
			if now := time.Now(); now.Before(at) {
				t.Fatalf("wait of %v returned %v early", d, at.Sub(now))
			}
		}
	}
}

// A fine wait ends early only through done or poke while the coarse timer
// runs, and the fine timers are reused, not leaked: many goroutines
// waiting at once under a busy collector never hold more timers open than
// wait at once plus the few kept idle, far below FD_SETSIZE.
func TestWaitUntilDoneAndReuse(t *testing.T) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	done := make(chan struct{})
	close(done)
	if WaitUntil(time.Now().Add(time.Hour), timer, done, nil) {
		t.Fatal("WaitUntil an hour ahead with done closed returned true")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	const waiters = 64
	stop := make(chan struct{})
	most := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				most <- n
				return
			case <-time.After(time.Millisecond):
				n = max(n, timerFiles(t))
			}
		}
	}()
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			timer := time.NewTimer(time.Hour)
			defer timer.Stop()
			for range 300 {
				WaitUntil(time.Now().Add(10*time.Microsecond), timer, nil, nil)
				runtime.KeepAlive(make([]byte, 64<<10))
			}
		})
	}
	wg.Wait()
	close(stop)
	n := <-most
	t.Logf("at most %d fine timers open at once", n)
	if n > waiters+idleTimers {
		t.Fatalf("%d fine timers open at once with %d goroutines waiting and %d kept idle: timers are leaking", n, waiters, idleTimers)
	}
}

// timerFiles counts this process's open timerfd descriptors.
func timerFiles(t *testing.T) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Errorf("no /proc/self/fd to count descriptors: %v", err)
		return 0
	}
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && l == "anon_inode:[timerfd]" {
			n++
		}
	}
	return n
}

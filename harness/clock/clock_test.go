package clock

import (
	"context"
	"errors"
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
// runs, and the fine timers are reused, not leaked: many waits keep the
// pool at a few descriptors.
func TestWaitUntilDoneAndReuse(t *testing.T) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	done := make(chan struct{})
	close(done)
	if WaitUntil(time.Now().Add(time.Hour), timer, done, nil) {
		t.Fatal("WaitUntil an hour ahead with done closed returned true")
	}
	for range 1000 {
		WaitUntil(time.Now().Add(10*time.Microsecond), timer, nil, nil)
	}
	ft, ok := fineTimers.Get().(*fineTimer)
	if !ok {
		t.Skip("this kernel has no timerfd: fine waits use nanosleep")
	}
	defer fineTimers.Put(ft)
	if ft.fd > 1000 {
		t.Fatalf("fine timer descriptor %d after 1000 waits: timers are leaking", ft.fd)
	}
}

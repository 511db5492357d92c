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

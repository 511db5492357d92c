package link

import (
	"context"
	"io"
	"testing"
	"time"
)

func TestObserverSeesEveryByteEachWayWithItsTime(t *testing.T) {
	p, l := openPair(t)
	type seen struct {
		sent bool
		at   time.Time
		data string
	}
	var got []seen
	l.Observe(func(sent bool, at time.Time, b []byte) { got = append(got, seen{sent, at, string(b)}) })
	before := time.Now()
	if err := l.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	echo := make([]byte, 4)
	if _, err := io.ReadFull(p.Master, echo); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Master.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := l.ReadFull(ctx, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	l.Observe(nil)
	if err := l.Write([]byte("unseen")); err != nil {
		t.Fatal(err)
	}
	var sent, received string
	for _, s := range got {
		if s.at.Before(before) || s.at.After(time.Now()) {
			t.Errorf("%q stamped %v, outside the test", s.data, s.at)
		}
		if s.sent {
			sent += s.data
		} else {
			received += s.data
		}
	}
	if sent != "ping" || received != "pong" {
		t.Errorf("observed sent %q, received %q; want ping, pong (nothing once the observer is removed)", sent, received)
	}
}

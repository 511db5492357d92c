package edge

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// stampedPin stands in for a kernel-timestamped line: it hands out the
// given edges with their own times and drop counts, then the error.
type stampedPin struct {
	*gpiotest.Pin
	edges []Edge
	end   error // after the edges; nil waits for ctx
}

func (p *stampedPin) NextEdge(ctx context.Context) (gpio.Level, time.Time, int, error) {
	if len(p.edges) == 0 {
		if p.end != nil {
			return gpio.Low, time.Time{}, 0, p.end
		}
		<-ctx.Done()
		return gpio.Low, time.Time{}, 0, ctx.Err()
	}
	e := p.edges[0]
	p.edges = p.edges[1:]
	return e.Level, e.At, e.Lost, nil
}

func newStamped(edges []Edge, end error) *stampedPin {
	return &stampedPin{Pin: &gpiotest.Pin{N: "GPIO17", EdgesChan: make(chan gpio.Level)}, edges: edges, end: end}
}

func TestCaptureKeepsTheSourcesTimestampsAndDrops(t *testing.T) {
	want := square(100, 100, 100)
	want[2].Lost = 2
	p := newStamped(append([]Edge(nil), want...), nil)
	got, err := Capture(context.Background(), p, len(want), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("edge %d = %+v, want the source's %+v", i, got[i], want[i])
		}
	}
	if Lost(got) != 2 {
		t.Fatalf("Lost = %d, want 2", Lost(got))
	}
	if !strings.Contains(Timeline(got), "[2 edges dropped before it]") {
		t.Fatalf("timeline does not show the drop:\n%s", Timeline(got))
	}
}

func TestCaptureFromStampedEndsShortAtTheWindow(t *testing.T) {
	p := newStamped(square(100), nil)
	edges, err := Capture(context.Background(), p, 3, 30*time.Millisecond)
	var se *ShortError
	if !errors.As(err, &se) || se.Got != 2 || len(edges) != 2 {
		t.Fatalf("%d edges, err = %v", len(edges), err)
	}
}

func TestCaptureFromStampedPassesOnReadErrors(t *testing.T) {
	broken := errors.New("line released")
	p := newStamped(square(100), broken)
	_, err := Capture(context.Background(), p, 3, time.Second)
	var se *ShortError
	if !errors.Is(err, broken) || errors.As(err, &se) {
		t.Fatalf("err = %v, want the read error, not a short capture", err)
	}
}

func TestSourceOf(t *testing.T) {
	if s := SourceOf(newStamped(nil, nil)); s != Kernel {
		t.Fatalf("stamped pin: %s", s)
	}
	if s := SourceOf(&gpiotest.Pin{N: "GPIO17"}); s != User {
		t.Fatalf("periph pin: %s", s)
	}
}

package edge

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// square builds edges starting high, with the given half-periods in ms.
func square(halves ...float64) []Edge {
	t := time.Unix(0, 0)
	level := gpio.High
	edges := []Edge{{Level: level, At: t}}
	for _, h := range halves {
		t = t.Add(time.Duration(h * float64(time.Millisecond)))
		level = !level
		edges = append(edges, Edge{Level: level, At: t})
	}
	return edges
}

func TestAnalyzeSteadySquareWave(t *testing.T) {
	c, err := Analyze(square(100, 100, 100, 100, 100, 100))
	if err != nil {
		t.Fatal(err)
	}
	if c.Half.Mean != 100 || c.PeriodMs != 200 || c.Duty != 0.5 || c.JitterP99 != 0 || c.Missed != 0 {
		t.Fatalf("%+v", c)
	}
}

func TestAnalyzeDutyAndJitter(t *testing.T) {
	c, err := Analyze(square(60, 40, 60, 40, 72, 40))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Duty-0.6) > 0.02 || c.High.Mean != 64 || c.Low.Mean != 40 || c.JitterP99 < 18 {
		t.Fatalf("%+v", c)
	}
}

func TestAnalyzeCountsMissedEdges(t *testing.T) {
	edges := square(100, 100, 300, 100, 100) // two edges lost in the 300 ms gap
	c, err := Analyze(edges)
	if err != nil || c.Missed != 2 || len(c.HalfMs) != 4 {
		t.Fatalf("%+v, %v", c, err)
	}
	edges = append(edges, Edge{Level: edges[len(edges)-1].Level, At: edges[len(edges)-1].At.Add(100 * time.Millisecond)})
	if c, _ := Analyze(edges); c.Missed != 3 {
		t.Fatalf("repeated level not counted: %+v", c)
	}
}

func TestAnalyzeNeedsEdges(t *testing.T) {
	if _, err := Analyze(square(100)); !errors.Is(err, ErrTooFewEdges) {
		t.Fatalf("err = %v", err)
	}
}

// armedPin tells when edge detection is on: gpiotest's In flushes edges
// queued before it.
type armedPin struct {
	*gpiotest.Pin
	armed chan struct{}
}

func (p *armedPin) In(pull gpio.Pull, e gpio.Edge) error {
	err := p.Pin.In(pull, e)
	if e != gpio.NoEdge {
		close(p.armed)
	}
	return err
}

func TestCaptureOverGpiotest(t *testing.T) {
	p := &armedPin{Pin: &gpiotest.Pin{N: "GPIO17", EdgesChan: make(chan gpio.Level, 4)}, armed: make(chan struct{})}
	go func() {
		<-p.armed
		for _, l := range []gpio.Level{gpio.High, gpio.Low, gpio.High} {
			p.EdgesChan <- l
		}
	}()
	edges, err := Capture(context.Background(), p, 3, time.Second)
	if err != nil || len(edges) != 3 {
		t.Fatalf("%d edges, %v", len(edges), err)
	}
	if !sortedInTime(edges) {
		t.Fatal("timestamps go backwards")
	}
}

func sortedInTime(edges []Edge) bool {
	for i := 1; i < len(edges); i++ {
		if edges[i].At.Before(edges[i-1].At) {
			return false
		}
	}
	return true
}

func TestCaptureStuckPinExplains(t *testing.T) {
	p := &gpiotest.Pin{N: "GPIO17", EdgesChan: make(chan gpio.Level)}
	_, err := Capture(context.Background(), p, 3, 50*time.Millisecond)
	var se *ShortError
	if !errors.As(err, &se) || se.Got != 0 || !strings.Contains(err.Error(), "GP15") {
		t.Fatalf("err = %v", err)
	}
}

// TestCaptureCancelledIsNotStuck: the caller's context ending (Ctrl-C, a
// spec timeout) is not a stuck pin, with a periph pin or a stamped one.
func TestCaptureCancelledIsNotStuck(t *testing.T) {
	interrupted := errors.New("interrupted")
	for _, p := range []gpio.PinIn{&gpiotest.Pin{N: "GPIO17", EdgesChan: make(chan gpio.Level)}, newStamped(nil, nil)} {
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(20*time.Millisecond, func() { cancel(interrupted) })
		_, err := Capture(ctx, p, 3, time.Minute)
		var se *ShortError
		if !errors.Is(err, interrupted) || errors.As(err, &se) {
			t.Fatalf("%T: err = %v, want the cancel's cause, not a short capture", p, err)
		}
		short, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err = Capture(short, p, 3, time.Minute)
		stop()
		if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &se) {
			t.Fatalf("%T: err = %v, want the caller's deadline, not a short capture", p, err)
		}
	}
}

func TestTimestampError(t *testing.T) {
	truth := square(100, 100)
	captured := make([]Edge, len(truth))
	for i, e := range truth {
		captured[i] = Edge{Level: e.Level, At: e.At.Add(time.Duration(i+1) * 10 * time.Microsecond)}
	}
	got := TimestampError(captured, truth)
	if len(got) != 3 || got[0] != 10 || got[2] != 30 {
		t.Fatalf("%v", got)
	}
}

func TestTimeline(t *testing.T) {
	s := Timeline(square(100, 50))
	if !strings.Contains(s, "+100.000ms Low") || !strings.Contains(s, "(+50.000ms)") {
		t.Fatalf("%s", s)
	}
}

func TestHalfFitSpreadsOneLateEdge(t *testing.T) {
	edges := square(50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50)
	edges[0].At = edges[0].At.Add(6 * time.Millisecond) // first edge seen late
	c, err := Analyze(edges)
	if err != nil {
		t.Fatal(err)
	}
	if mean := c.Half.Mean; math.Abs(mean-50) < 0.5 {
		t.Fatalf("mean %.3f ms should carry most of the 6 ms error", mean)
	}
	if math.Abs(c.HalfFit-50) > 0.3 {
		t.Errorf("fit %.3f ms, want within 0.3 ms of 50", c.HalfFit)
	}
}

func TestHalfFitSpansMissedEdges(t *testing.T) {
	edges := square(40, 40, 40, 40, 40, 40, 40)
	edges = append(edges[:3], edges[4:]...) // one edge lost
	c, err := Analyze(edges)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.HalfFit-40) > 1e-6 {
		t.Errorf("fit %.6f ms across a missed edge, want 40", c.HalfFit)
	}
}

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

// late shifts every edge by d.
func late(edges []Edge, d time.Duration) []Edge {
	out := make([]Edge, len(edges))
	for i, e := range edges {
		out[i] = Edge{Level: e.Level, At: e.At.Add(d)}
	}
	return out
}

func TestMatchTruthPairsEdgeByEdge(t *testing.T) {
	truth := square(100, 100, 100, 100)
	captured := make([]Edge, len(truth))
	for i, e := range truth {
		captured[i] = Edge{Level: e.Level, At: e.At.Add(time.Duration(i+1) * 10 * time.Microsecond)}
	}
	m := MatchTruth(captured, truth, truth[0].At.Add(-time.Millisecond), 50*time.Millisecond)
	if len(m.ErrorsUs) != 5 || m.ErrorsUs[0] != 10 || m.ErrorsUs[4] != 50 || len(m.Missed)+len(m.Extra) != 0 {
		t.Fatalf("%+v", m)
	}
}

// A capture one whole period late lines up with true edges of the same
// level; nearest-edge matching scored it zero.
func TestMatchTruthCatchesACaptureAPeriodLate(t *testing.T) {
	truth := square(100, 100, 100, 100, 100, 100)
	captured := late(truth[:5], 200*time.Millisecond)
	m := MatchTruth(captured, truth, truth[0].At.Add(-time.Millisecond), 50*time.Millisecond)
	if len(m.Missed) != 2 || m.Missed[0] != truth[0] || m.Missed[1] != truth[1] {
		t.Fatalf("missed = %v, want the first two true edges\n%+v", m.Missed, m)
	}
}

func TestMatchTruthMissedAndExtraEdges(t *testing.T) {
	truth := square(100, 100, 100, 100, 100)
	armed := truth[0].At.Add(-time.Millisecond)
	// Edges 2 and 3 were never captured (a pair, so the levels still alternate).
	captured := append(append([]Edge{}, truth[:2]...), truth[4:]...)
	m := MatchTruth(captured, truth, armed, 50*time.Millisecond)
	if len(m.Missed) != 2 || len(m.Extra) != 0 || len(m.ErrorsUs) != 4 {
		t.Fatalf("missing pair: %+v", m)
	}
	// A glitch: two captured edges where the truth has none.
	glitch := append(append(append([]Edge{}, truth[:3]...), Edge{Level: !truth[2].Level, At: truth[2].At.Add(time.Millisecond)},
		Edge{Level: truth[2].Level, At: truth[2].At.Add(2 * time.Millisecond)}), truth[3:]...)
	m = MatchTruth(glitch, truth, armed, 50*time.Millisecond)
	if len(m.Missed) != 0 || len(m.Extra) != 2 || len(m.ErrorsUs) != len(truth) {
		t.Fatalf("glitch: %+v", m)
	}
	if s := m.String(truth[0].At); !strings.Contains(s, "extra:  captured edge") {
		t.Fatalf("%s", s)
	}
}

// True edges before the pin was armed may be absent (they went before the
// capture listened); after arming, none may be.
func TestMatchTruthBeforeArming(t *testing.T) {
	truth := square(100, 100, 100, 100)
	armed := truth[1].At.Add(30 * time.Millisecond)
	m := MatchTruth(truth[2:], truth, armed, 50*time.Millisecond)
	if len(m.Missed)+len(m.Extra) != 0 || len(m.ErrorsUs) != 3 {
		t.Fatalf("edges before arming: %+v", m)
	}
	m = MatchTruth(truth[3:], truth, armed, 50*time.Millisecond)
	if len(m.Missed) != 1 || m.Missed[0] != truth[2] {
		t.Fatalf("the first edge after arming was dropped: %+v", m)
	}
}

func TestLimitPerSource(t *testing.T) {
	if Limit(Simulated) > time.Millisecond || Limit(Kernel) >= Limit(User) {
		t.Fatalf("simulated %v, kernel %v, user %v", Limit(Simulated), Limit(Kernel), Limit(User))
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

// A truth known only to within an interval charges the capture only for the
// distance past that interval.
func TestMatchTruthErrorIsPastTheTruthsUncertainty(t *testing.T) {
	truth := square(100, 100)
	for i := range truth {
		truth[i].Within = 300 * time.Microsecond
	}
	captured := []Edge{
		{Level: truth[0].Level, At: truth[0].At.Add(-200 * time.Microsecond)}, // inside: no error
		{Level: truth[1].Level, At: truth[1].At.Add(700 * time.Microsecond)},  // 400 us past the interval
	}
	m := MatchTruth(captured, truth, truth[0].At.Add(-time.Millisecond), 50*time.Millisecond)
	if len(m.ErrorsUs) != 2 || m.ErrorsUs[0] != 0 || m.ErrorsUs[1] != 400 {
		t.Fatalf("errors %v, want [0 400]", m.ErrorsUs)
	}
}

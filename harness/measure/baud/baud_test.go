package baud

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stall"
)

func TestEffectiveIgnoresBufferedHead(t *testing.T) {
	t0 := time.Unix(0, 0)
	// 100 bytes buffered before the first read, then 1000 bytes at 115200.
	b := Burst{Arrivals: []Arrival{{100, t0}, {600, t0.Add(500 * ByteTime(115200))}, {1100, t0.Add(1000 * ByteTime(115200))}}}
	got, err := b.Effective(1100)
	if err != nil || math.Abs(got-115200) > 1 {
		t.Fatalf("Effective = %v, %v", got, err)
	}
}

func TestEffectiveNeedsTwoReads(t *testing.T) {
	if _, err := (Burst{Arrivals: []Arrival{{10, time.Now()}}}).Effective(10); err != ErrTooShort {
		t.Fatalf("err = %v", err)
	}
}

func TestEffectiveScalesMergedCharacters(t *testing.T) {
	t0 := time.Unix(0, 0)
	// 1000 bytes sent at 100000 baud (0.1 s) but decoded as 800 characters.
	b := Burst{Arrivals: []Arrival{{8, t0}, {800, t0.Add(99 * time.Millisecond)}}}
	got, err := b.Effective(1000)
	if err != nil || math.Abs(got-100000) > 100000*0.01 {
		t.Fatalf("Effective = %v, %v", got, err)
	}
}

func TestEffectiveIgnoresAStalledReaderCatchingUp(t *testing.T) {
	t0 := time.Unix(0, 0)
	bt := ByteTime(921600)
	var arr []Arrival
	// The reader stalls for the first 2000 bytes' worth of time, then reads
	// in 100-byte steps right on the wire timeline.
	arr = append(arr, Arrival{10, t0.Add(10 * bt)}, Arrival{2000, t0.Add(2000*bt + 20*time.Millisecond)})
	for c := 2100; c <= 20000; c += 100 {
		arr = append(arr, Arrival{c, t0.Add(time.Duration(c) * bt)})
	}
	got, err := (Burst{Arrivals: arr}).Effective(20000)
	if err != nil || math.Abs(got-921600) > 921600*0.002 {
		t.Fatalf("Effective = %v, %v", got, err)
	}
}

func TestBurstLen(t *testing.T) {
	if n := BurstLen(115200, 250*time.Millisecond); n != 2880 {
		t.Fatalf("BurstLen = %d", n)
	}
	if n := BurstLen(300, time.Millisecond); n != 64 {
		t.Fatalf("BurstLen floor = %d", n)
	}
}

func TestMeasureJudgesEveryRate(t *testing.T) {
	m := Measure("baud.sweep", 2, At(9600, 9600*1.01, 2), At(115200, 115200*0.985, 2))
	if !m.Pass || math.Abs(m.Value-(-1.5)) > 1e-9 || m.Unit != "%" || len(m.Points) != 2 {
		t.Fatalf("two rates within 2%%: %+v", m)
	}
	m = Measure("baud.sweep", 2, At(9600, 9600, 2), At(921600, 921600*1.025, 2))
	if m.Pass || math.Abs(m.Value-2.5) > 1e-9 || m.Points[1].Pass || !strings.Contains(m.String(), "921600: 944640.0 OUTSIDE") {
		t.Fatalf("one rate 2.5%% fast: %+v %s", m, m)
	}
	if m := Measure("baud.sweep", 2); m.Pass || !math.IsNaN(m.Value) {
		t.Fatalf("no rates: %+v", m)
	}
}

// A burst whose rate is off by more than the tolerance is the host's only
// when the host's stalls while it came explain the excess time.
func TestBurstHostLateOnlyWhereTheStallsExplainIt(t *testing.T) {
	const nominal, n = 115200, 1152 // 100 ms on the wire
	start := time.Now()
	var b Burst
	for i := 1; i <= n; i++ { // every byte 5 % late: 105 ms in all
		b.Arrivals = append(b.Arrivals, Arrival{Count: i, At: start.Add(time.Duration(float64(i) * 1.05 * float64(ByteTime(nominal))))})
	}
	eff, err := b.Effective(n)
	if err != nil {
		t.Fatal(err)
	}
	end := b.Arrivals[n-1].At
	stalled := func(d time.Duration) *stall.Watch {
		w := &stall.Watch{}
		w.Late(start.Add(40*time.Millisecond), start.Add(40*time.Millisecond+d))
		return w
	}
	for _, c := range []struct {
		what  string
		watch *stall.Watch
		want  bool
	}{
		{"no stall", &stall.Watch{}, false},
		{"a stall within stall.Bound", stalled(stall.Bound), false},
		{"a stall shorter than the 3 ms excess", stalled(2500 * time.Microsecond), false},
		{"a 10 ms stall", stalled(10 * time.Millisecond), true},
	} {
		if got := b.HostLate(eff, nominal, 2, c.watch); got != c.want {
			t.Errorf("%s during a burst at %.0f baud (%v long): host-late %v, want %v", c.what, eff, end.Sub(start), got, c.want)
		}
	}
	if b.HostLate(nominal*1.01, nominal, 2, stalled(10*time.Millisecond)) {
		t.Error("a rate within the tolerance was called host-late")
	}
}

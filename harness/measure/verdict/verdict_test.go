package verdict

import (
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
)

var bench = Bench{Baud: 115200, Turnaround: 5 * time.Millisecond, BlinkHalf: 100 * time.Millisecond, Jitter: 12 * time.Millisecond}

// trips are n round trips of d, with one of 2d.
func trips(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	out[n/2] = 2 * d
	return out
}

func TestRoundTripsAreHeldToTheWireTimeBudgetAtP99(t *testing.T) {
	budget := RTTBudget(bench) // 2 x 86.8 us + 5 ms
	if want := 2*86805*time.Nanosecond + 5*time.Millisecond; budget-want > time.Microsecond || want-budget > time.Microsecond {
		t.Fatalf("RTTBudget = %v, want %v", budget, want)
	}
	for _, c := range []struct {
		rtt  time.Duration
		pass bool
	}{{budget - 50*time.Microsecond, true}, {budget + 50*time.Microsecond, false}} {
		m := RoundTrips(trips(1000, c.rtt), bench)
		if m.Name != "echo.rtt.1B" || m.Pass != c.pass || len(m.Series) != 1000 {
			t.Errorf("RoundTrips at %v: %s, pass %v; want pass %v", c.rtt, m, m.Pass, c.pass)
		}
	}
}

func TestPayloadIsHeldToItsWireTimeAndOneCharacter(t *testing.T) {
	budget := PayloadBudget(16, bench)
	if m := Payload(16, budget-time.Microsecond, bench); !m.Pass || m.Name != "echo.payload.16B" {
		t.Errorf("just inside: %s", m)
	}
	if m := Payload(16, budget+time.Microsecond, bench); m.Pass {
		t.Errorf("just outside: %s passed", m)
	}
}

func TestLoadFailsOnOneWindowBelowItsLine(t *testing.T) {
	rate := LineRate(bench)
	windows := []float64{rate, rate, 0.89 * rate, rate}
	m, pct := Load(windows, bench)
	if m.Pass || m.Value < 88.9 || m.Value > 89.1 || len(pct) != 4 || pct[0] != 100 {
		t.Errorf("Load = %s, %v; want a failure at 89 %%", m, pct)
	}
	windows[2] = 0.91 * rate
	if m, _ := Load(windows, bench); !m.Pass {
		t.Errorf("Load at 91 %% = %s, want a pass", m)
	}
}

// square is n edges of a square wave with the given half-period.
func square(n int, half time.Duration) []edge.Edge {
	t0 := time.Unix(0, 0)
	out := make([]edge.Edge, n)
	for i := range out {
		out[i] = edge.Edge{Level: gpio.Level(i%2 == 0), At: t0.Add(time.Duration(i) * half)}
	}
	return out
}

func TestCadenceHoldsTheHalfPeriodToItsTolerance(t *testing.T) {
	for _, c := range []struct {
		half time.Duration
		pass bool
	}{{100 * time.Millisecond, true}, {100*time.Millisecond + 900*time.Microsecond, true}, {101*time.Millisecond + 100*time.Microsecond, false}} {
		checks, err := Cadence("blink", square(12, c.half), bench, edge.Simulated)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) != 4 || checks[1].M.Name != "blink.half_period" || checks[1].M.Pass != c.pass {
			t.Errorf("half-period %v: %v, want pass %v", c.half, checks[1].M, c.pass)
		}
	}
	if _, err := Cadence("blink", square(2, time.Second), bench, edge.Simulated); err == nil {
		t.Error("two edges made a cadence")
	}
}

func TestCadenceRefusesEdgesThatSpanNoTime(t *testing.T) {
	edges := square(12, 0) // every edge stamped at one instant
	if _, err := Cadence("blink", edges, bench, edge.Simulated); !errors.Is(err, ErrNoCadence) {
		t.Errorf("Cadence of edges at one instant = %v, want ErrNoCadence rather than NaN measurements", err)
	}
}

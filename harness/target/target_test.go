package target

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
)

func TestRegisterOpenAndNames(t *testing.T) {
	halted := false
	Register("test-b", OpenFunc(func(context.Context, Settings) (*Device, error) {
		return &Device{DataPort: "/dev/b", Halt: func() error { halted = true; return nil }}, nil
	}))
	Register("test-a", OpenFunc(func(_ context.Context, s Settings) (*Device, error) {
		return &Device{DataPort: s.Serial}, nil
	}))
	if n := Names(); !slices.IsSorted(n) || !slices.Contains(n, "test-a") || !slices.Contains(n, "test-b") {
		t.Fatalf("Names() = %v", n)
	}
	d, err := Open(context.Background(), "test-a", Settings{Serial: "/dev/a"})
	if err != nil || d.DataPort != "/dev/a" || d.Halt() != nil {
		t.Fatalf("open test-a: %+v, %v", d, err)
	}
	d, err = Open(context.Background(), "test-b", Settings{})
	if err != nil || d.Halt() != nil || !halted {
		t.Fatalf("open test-b: %+v, %v, halted %v", d, err, halted)
	}
	_, err = Open(context.Background(), "rp2040", Settings{})
	if err == nil || strings.Count(err.Error(), "\n") > 0 || !strings.Contains(err.Error(), "test-a test-b") {
		t.Fatalf("unknown target: %v", err)
	}
}

func TestRegisterRefusesMistakes(t *testing.T) {
	open := func(context.Context, Settings) (*Device, error) { return &Device{}, nil }
	Register("test-twice", OpenFunc(open))
	for name, d := range map[string]Driver{"": OpenFunc(open), "test-no-driver": nil, "test-twice": OpenFunc(open)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			Register(name, d)
		}()
	}
}

func TestUARTLogKeepsTheMostRecentEvents(t *testing.T) {
	l := UARTLog{Keep: 4}
	if ev, next := l.UARTEvents(0); len(ev) != 0 || next != 0 {
		t.Fatalf("empty log: %v, next %d", ev, next)
	}
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	if next := l.Add(RX, []byte{1, 2, 3}, ms(1, 2, 3)); next != 3 {
		t.Fatalf("next after three = %d", next)
	}
	ev, next := l.UARTEvents(1)
	if next != 3 || len(ev) != 2 || ev[0] != (UARTEvent{Seq: 1, Dir: RX, Byte: 2, At: 2 * time.Millisecond}) {
		t.Fatalf("from 1: %+v, next %d", ev, next)
	}
	l.Add(TX, []byte{4, 5, 6}, ms(4, 5, 6))
	ev, next = l.UARTEvents(0)
	if next != 6 || len(ev) != 4 || ev[0].Seq != 2 || ev[3].Byte != 6 || ev[3].Dir != TX {
		t.Fatalf("after wrapping, from 0: %+v, next %d (want events 2..5)", ev, next)
	}
	if ev, next = l.UARTEvents(9); len(ev) != 0 || next != 6 {
		t.Fatalf("from beyond the end: %+v, next %d", ev, next)
	}
}

type clockedSim struct {
	UARTLog
	LEDLog
}

func (*clockedSim) DataPort() string      { return "/dev/d" }
func (*clockedSim) ControlPort() string   { return "" }
func (*clockedSim) LED() gpio.PinIn       { return nil }
func (*clockedSim) LEDTruth() []edge.Edge { return nil }
func (*clockedSim) Halt() error           { return nil }

func TestSimulatedTakesTheSimulatorsClock(t *testing.T) {
	s := &clockedSim{}
	s.LEDLog.Add(gpio.High, time.Second)
	d := Simulated(s)
	if d.Clock == nil {
		t.Fatal("a simulator with a device clock gave a Device without one")
	}
	if e := d.Clock.LEDEdges(); len(e) != 1 || e[0] != (LEDEdge{Level: gpio.High, At: time.Second}) {
		t.Fatalf("LEDEdges = %+v", e)
	}
	if RX.String() != "rx" || TX.String() != "tx" {
		t.Fatalf("directions print as %v, %v", RX, TX)
	}
}

// capable is a driver that says everything a driver can say.
type capable struct{ OpenFunc }

func (capable) Model() string            { return "a model" }
func (capable) Slowdown() float64        { return 4 }
func (capable) StartTime() time.Duration { return time.Second }
func (capable) Allowances() (time.Duration, time.Duration) {
	return time.Millisecond, 2 * time.Millisecond
}

// What a driver can do is found by type assertion; a driver that says
// nothing, and no driver at all, have none of it.
func TestCapabilitiesByTypeAssertion(t *testing.T) {
	var plain Driver = OpenFunc(func(context.Context, Settings) (*Device, error) { return &Device{}, nil })
	var full Driver = capable{}
	for _, tc := range []struct {
		d       Driver
		fixture bool
		model   string
		slow    float64
		start   time.Duration
	}{{plain, false, "", 0, 0}, {full, true, "a model", 4, time.Second}, {nil, false, "", 0, 0}} {
		if IsFixture(tc.d) != tc.fixture || ModelOf(tc.d) != tc.model || SlowdownOf(tc.d) != tc.slow || StartTimeOf(tc.d) != tc.start {
			t.Errorf("%T: fixture %v model %q slowdown %v start %v", tc.d, IsFixture(tc.d), ModelOf(tc.d), SlowdownOf(tc.d), StartTimeOf(tc.d))
		}
	}
	if _, ok := full.(Allowing); !ok {
		t.Error("capable is not Allowing")
	}
}

package reset

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
)

// runPin records what was done to the line: "Low", "High" (driven) or
// "released" (a floating input).
type runPin struct {
	gpiotest.Pin
	mu     sync.Mutex
	events []string
	fail   error
}

func (p *runPin) Out(l gpio.Level) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.events = append(p.events, l.String())
	return p.Pin.Out(l)
}

func (p *runPin) In(pull gpio.Pull, edge gpio.Edge) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ev := "released"
	if pull != gpio.Float {
		ev = "input with " + pull.String()
	}
	p.events = append(p.events, ev)
	return p.Pin.In(pull, edge)
}

func (p *runPin) driven() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.events...)
}

func newPin() *runPin { return &runPin{Pin: gpiotest.Pin{N: "GPIO27", Num: 27}} }

// booting answers VERSION from its n-th question on.
type booting struct {
	n, asked int
}

func (b *booting) Version(ctx context.Context) (control.Version, error) {
	b.asked++
	if b.asked < b.n {
		return control.Version{}, &link.Error{Op: "read", Port: "ctl", Kind: link.Disconnected}
	}
	return control.Version{Name: "picohil", Semver: "1.0.0"}, nil
}

func released(t *testing.T, p *runPin) {
	t.Helper()
	if got := p.driven(); len(got) != 2 || got[0] != gpio.Low.String() || got[1] != "released" {
		t.Fatalf("RUN saw %v, want [Low released]: pulled low, then a floating input, never driven high", got)
	}
}

func TestResetPulsesAndWaitsForVersion(t *testing.T) {
	p := newPin()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := Reset(ctx, p, DefaultPulse, &booting{n: 3})
	if err != nil {
		t.Fatal(err)
	}
	released(t, p)
	if r.Attempts != 3 || r.Version.Semver != "1.0.0" || r.Pulse < DefaultPulse {
		t.Fatalf("%+v", r)
	}
	// Two fast failures each used up their attempt slot.
	if r.Recovered < 2*attempt {
		t.Fatalf("recovered after %v, questions were not spaced by %v", r.Recovered, attempt)
	}
}

func TestResetGivesUpAtTheDeadlineWithRUNReleased(t *testing.T) {
	p := newPin()
	ctx, cancel := context.WithTimeout(context.Background(), 3*attempt)
	defer cancel()
	_, err := Reset(ctx, p, DefaultPulse, &booting{n: 1 << 30})
	var re *Error
	if !errors.As(err, &re) || re.Stage != StageWait || re.Attempts == 0 || link.KindOf(err) != link.Disconnected {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "RUN pin") || !strings.Contains(err.Error(), "GPIO27") {
		t.Fatalf("err %q lacks the hint or the pin", err)
	}
	released(t, p)
}

func TestResetReleasesRUNWhenCancelledDuringThePulse(t *testing.T) {
	p := newPin()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Reset(ctx, p, MaxPulse, &booting{n: 1})
	var re *Error
	if !errors.As(err, &re) || re.Stage != StagePulse || !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "gpio group") {
		t.Fatalf("err = %v", err)
	}
	released(t, p)
}

func TestResetRefusesBadPulsesAndPinErrors(t *testing.T) {
	for _, pulse := range []time.Duration{0, -time.Millisecond, MaxPulse + 1} {
		p := newPin()
		if _, err := Reset(context.Background(), p, pulse, &booting{n: 1}); !errors.Is(err, ErrPulse) || len(p.driven()) != 0 {
			t.Fatalf("pulse %v: err %v, driven %v", pulse, err, p.driven())
		}
	}
	p := newPin()
	p.fail = errors.New("permission denied")
	if _, err := Reset(context.Background(), p, DefaultPulse, &booting{n: 1}); err == nil || !strings.Contains(err.Error(), "gpio group") {
		t.Fatalf("err = %v", err)
	}
}

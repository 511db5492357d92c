package bench

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestDefaultsAndAuto(t *testing.T) {
	c, err := FromEnv(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Target != Virtual || !c.StandIn || !strings.Contains(c.Reason, "nothing names hardware") || c.Baud != 115200 || c.BlinkHalf != time.Second || len(c.Bauds) != 8 {
		t.Fatalf("%+v", c)
	}
	c, err = FromEnv(env("HIL_SERIAL", "/dev/tty"))
	if err != nil || c.Target != Pico || c.StandIn {
		t.Fatalf("auto with an existing port: %+v, %v", c, err)
	}
	// A named port that is missing is never replaced by the simulation.
	c, err = FromEnv(env("HIL_SERIAL", "/dev/ttyNOPE"))
	want := "bench: HIL_SERIAL=\"/dev/ttyNOPE\": no such port (hint: is the Pico (or the USB-UART adapter) plugged in and powered? `hil detect` lists the serial ports present)"
	if err == nil || err.Error() != want || c.Target != Pico || c.StandIn {
		t.Fatalf("auto with a missing port: %+v, %v; want the one line %q", c, err, want)
	}
}

func TestBadSettingsEachGiveOneLine(t *testing.T) {
	cases := []struct {
		env  []string
		want string
	}{
		{[]string{"HIL_TARGET", "board"}, "unknown target"},
		{[]string{"HIL_TARGET", "pico"}, "needs the data UART port"},
		{[]string{"HIL_BAUD", "-5"}, "HIL_BAUD"},
		{[]string{"HIL_BAUD", "fast"}, "HIL_BAUD"},
		{[]string{"HIL_BAUDS", "9600,,x"}, "HIL_BAUDS"},
		{[]string{"HIL_BLINK_MS", "0"}, "HIL_BLINK_MS"},
		{[]string{"HIL_TURNAROUND_MS", "1.5"}, "HIL_TURNAROUND_MS"},
		{[]string{"HIL_JITTER_MS", "-1"}, "HIL_JITTER_MS"},
		{[]string{"HIL_FAULT", "gremlins"}, "unknown fault"},
		{[]string{"HIL_TARGET", "pico", "HIL_SERIAL", "/dev/tty", "HIL_FAULT", "no-echo"}, "the pico target injects no faults"},
	}
	for _, c := range cases {
		_, err := FromEnv(env(c.env...))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "hint:") {
			t.Errorf("%v: err = %v; want %q with a hint", c.env, err, c.want)
			continue
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.Contains(line, "hint:") {
				t.Errorf("%v: line without a hint: %q", c.env, line)
			}
		}
	}
}

func TestReproduce(t *testing.T) {
	c, err := FromEnv(env("HIL_BLINK_MS", "50", "HIL_FAULT", "no-echo"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Reproduce(); got != `HIL_TARGET=virtual HIL_BLINK_MS="50" HIL_FAULT="no-echo"` {
		t.Fatalf("%s", got)
	}
}

func TestOpenVirtual(t *testing.T) {
	c, err := FromEnv(env("HIL_TARGET", "virtual"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Halt()
	if b.LED == nil || b.ControlPort == "" || b.Truth == nil || !strings.Contains(b.Describe(), "target virtual") {
		t.Fatalf("%s", b.Describe())
	}
}

// HIL_FAULT is parsed by the target that injects faults, and the
// configuration keeps its canonical spelling for banners and reports.
func TestFaultsAreParsedByTheirTarget(t *testing.T) {
	c, err := FromEnv(env("HIL_TARGET", Virtual, "HIL_FAULT", " slow-echo,drop-byte "))
	if err != nil || c.Faults != "drop-byte,slow-echo" {
		t.Fatalf("faults %q, %v", c.Faults, err)
	}
	_, err = FromEnv(env("HIL_TARGET", MicroPython, "HIL_FAULT", "slow-echo"))
	if err == nil || !strings.Contains(err.Error(), "the micropython target injects no faults") || !strings.Contains(err.Error(), "injects them: virtual") {
		t.Fatalf("faults on micropython: %v", err)
	}
}

// HIL_SCENARIOS is found from the current directory or the module root.
func TestScenariosDirectoryIsFound(t *testing.T) {
	c, err := FromEnv(env("HIL_SCENARIOS", "specs"))
	if err != nil || !filepath.IsAbs(c.Scenarios) || filepath.Base(c.Scenarios) != "specs" {
		t.Errorf("scenarios %q, %v", c.Scenarios, err)
	}
}

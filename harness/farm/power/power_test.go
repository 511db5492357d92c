package power

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	good := map[string]Spec{
		"":                {},
		"uhubctl:1-1:2":   {Hub: "1-1", Port: 2},
		"uhubctl:2-1.4:4": {Hub: "2-1.4", Port: 4},
		"disable:/sys/bus/usb/devices/1-1:1.0/1-1-port2/disable": {Disable: "/sys/bus/usb/devices/1-1:1.0/1-1-port2/disable"},
	}
	for v, want := range good {
		got, err := Parse(v)
		if err != nil || got != want || got.String() != v {
			t.Errorf("Parse(%q) = %+v (%q), %v; want %+v", v, got, got.String(), err, want)
		}
	}
	for _, v := range []string{"uhubctl:1-1", "uhubctl:1-1:0", "uhubctl:hub:2", "uhubctl:1-1:x", "disable:relative/disable", "disable:/sys/bus/usb/devices/1-1/authorized", "pdu:3"} {
		if _, err := Parse(v); err == nil || !strings.HasPrefix(err.Error(), "power: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) = %v, want one line", v, err)
		}
	}
}

// uhubctlDouble is a stand-in for uhubctl that logs its arguments, and
// fails as uhubctl does when the hub is not found when fail is set.
func uhubctlDouble(t *testing.T, fail bool) (cmd, log string) {
	dir := t.TempDir()
	log = filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\n"
	if fail {
		script += "echo 'No compatible devices detected!'\nexit 1\n"
	}
	cmd = filepath.Join(dir, "uhubctl")
	if err := os.WriteFile(cmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return cmd, log
}

func TestUhubctlCycle(t *testing.T) {
	cmd, log := uhubctlDouble(t, false)
	sw := Spec{Hub: "1-1", Port: 2}.Switch(cmd)
	if err := Cycle(context.Background(), sw, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if string(b) != "-l 1-1 -p 2 -a off\n-l 1-1 -p 2 -a on\n" {
		t.Fatalf("uhubctl was run as:\n%s", b)
	}
	cmd, _ = uhubctlDouble(t, true)
	err := Spec{Hub: "1-1", Port: 2}.Switch(cmd).Off(context.Background())
	if err == nil || !strings.Contains(err.Error(), "power: uhubctl hub 1-1 port 2 off: exit status 1: No compatible devices detected! (hint: ") {
		t.Fatalf("err = %v", err)
	}
	err = Spec{Hub: "1-1", Port: 2}.Switch(filepath.Join(t.TempDir(), "none")).Off(context.Background())
	if err == nil || !strings.Contains(err.Error(), "hint: install uhubctl") && !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func TestPortAttribute(t *testing.T) {
	path := filepath.Join(t.TempDir(), "disable")
	os.WriteFile(path, []byte("0\n"), 0o644)
	sw := Spec{Disable: path}.Switch("")
	if err := sw.Off(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "1\n" {
		t.Fatalf("off wrote %q", b)
	}
	if err := sw.On(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "0\n" {
		t.Fatalf("on wrote %q", b)
	}
	err := PortAttribute("/nonexistent/1-1-port2/disable").Off(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ls /sys/bus/usb/devices/*/*-port*/disable") {
		t.Fatalf("err = %v", err)
	}
}

// events is a switch that records what it was told.
type events struct{ log []string }

func (e *events) Off(context.Context) error { e.log = append(e.log, "off"); return nil }
func (e *events) On(ctx context.Context) error {
	e.log = append(e.log, "on")
	return ctx.Err()
}
func (e *events) String() string { return "test switch" }

func TestCycleTurnsPowerBackOnWhenCutShort(t *testing.T) {
	var sw events
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := Cycle(ctx, &sw, time.Hour)
	if strings.Join(sw.log, ",") != "off,on" || err == nil || !strings.Contains(err.Error(), "cut short while off (power is back on)") {
		t.Fatalf("log %v, err %v", sw.log, err)
	}
}

func TestRecover(t *testing.T) {
	var sw events
	n := 0
	r, err := Recover(context.Background(), &sw, time.Millisecond, func(context.Context) error {
		if n++; n < 3 {
			return errors.New("no port yet")
		}
		return nil
	})
	if err != nil || r.Tries != 3 || !strings.HasPrefix(r.String(), "power-cycled the Pico through test switch (off 1ms): it answered ") {
		t.Fatalf("%v %v", r, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	_, err = Recover(ctx, &sw, time.Millisecond, func(context.Context) error { return errors.New("no port yet") })
	if err == nil || !strings.Contains(err.Error(), "no port yet") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}

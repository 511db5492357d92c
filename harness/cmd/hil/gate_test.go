package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/baud"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/stats"
)

func writeReport(t *testing.T, dir, name string, pass bool, state string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	r := report.Report{Schema: report.Schema, Target: "virtual", Pass: pass, Specs: []report.Spec{{
		Name: "Baud sweep", State: state,
		Measurements: []stats.Measurement{baud.Measure("baud.effective", 2, baud.At(9600, 9601, 2))},
	}}}
	if err := report.Write(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBaselineAndGate(t *testing.T) {
	dir := t.TempDir()
	clean := writeReport(t, dir, "clean.json", true, "passed")
	failing := writeReport(t, dir, "failing.json", false, "failed")
	base := filepath.Join(dir, "baselines", "1.0.0.json")
	var out bytes.Buffer
	if err := runBaseline([]string{"--from", failing, "--out", base}, &out); err == nil || !strings.Contains(err.Error(), "not a passing run") {
		t.Fatalf("a failing report was promoted: %v", err)
	}
	if err := runBaseline([]string{"--from", clean, "--out", base}, &out); err != nil {
		t.Fatal(err)
	}
	if err := runGate([]string{"--baseline", base, "--current", clean}, &out); err != nil {
		t.Fatalf("clean vs clean: %v\n%s", err, out.String())
	}
	err := runGate([]string{"--baseline", base, "--current", failing}, &out)
	if !errors.Is(err, errRegressed) || !strings.Contains(err.Error(), "spec: Baud sweep") || !strings.Contains(out.String(), "REGRESSED: newly failing") {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
}

func TestGPIOChips(t *testing.T) {
	dev, sys := t.TempDir(), t.TempDir()
	if chips, err := gpioChips(dev, sys); err != nil || len(chips) != 0 {
		t.Fatalf("empty: %v %v", chips, err)
	}
	if err := os.WriteFile(filepath.Join(dev, "gpiochip0"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	label := filepath.Join(sys, "bus/gpio/devices/gpiochip0")
	if err := os.MkdirAll(label, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(label, "label"), []byte("pinctrl-bcm2711\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	chips, err := gpioChips(dev, sys)
	if err != nil || len(chips) != 1 || !strings.HasSuffix(chips[0], "gpiochip0  pinctrl-bcm2711") {
		t.Fatalf("%q %v", chips, err)
	}
}

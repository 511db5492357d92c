package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

func writeReport(t *testing.T, dir, name string, pass bool, state string, edit ...func(*report.Report)) string {
	t.Helper()
	path := filepath.Join(dir, name)
	r := report.Report{Schema: report.Schema, Target: "pico", Pass: pass, Specs: []report.Spec{{
		Name: "Baud sweep", State: state,
		Measurements: []stats.Measurement{baud.Measure("baud.effective", 2, baud.At(9600, 9601, 2))},
	}}}
	for _, e := range edit {
		e(&r)
	}
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

func TestGateRefusesUnlikeRuns(t *testing.T) {
	dir := t.TempDir()
	base := writeReport(t, dir, "base.json", true, "passed")
	mpy := writeReport(t, dir, "mpy.json", true, "passed", func(r *report.Report) { r.Target, r.Settings.TurnaroundMs = "micropython", 30 })
	var out bytes.Buffer
	err := runGate([]string{"--baseline", base, "--current", mpy}, &out)
	var unlike *unlikeError
	if !errors.As(err, &unlike) || !strings.HasPrefix(err.Error(), "gate: refused, unlike runs: target pico (baseline) vs micropython (current); also turnaround allowance") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
	if err := runGate([]string{"--baseline", base, "--current", mpy, "--allow-unlike"}, &out); err != nil || !strings.Contains(out.String(), "comparing unlike runs") {
		t.Fatalf("--allow-unlike: %v\n%s", err, out.String())
	}
}

func TestBaselineRefusesAFixtureUnlessTold(t *testing.T) {
	dir := t.TempDir()
	virtual := writeReport(t, dir, "virtual.json", true, "passed", func(r *report.Report) { r.Target, r.Fixture = "virtual", true })
	out := filepath.Join(dir, "1.0.0.json")
	var w bytes.Buffer
	if err := runBaseline([]string{"--from", virtual, "--out", out}, &w); err == nil || !strings.Contains(err.Error(), "ran on the virtual fixture") {
		t.Fatalf("a fixture run was promoted: %v", err)
	}
	if err := runBaseline([]string{"--from", virtual, "--out", out, "--fixture"}, &w); err != nil {
		t.Fatal(err)
	}
}

func TestGateTrendPage(t *testing.T) {
	dir := t.TempDir()
	var baselines []string
	for i, rate := range []float64{9600, 9610, 9620} {
		baselines = append(baselines, "--baseline", writeReport(t, dir, fmt.Sprintf("1.%d.0.json", i), true, "passed", func(r *report.Report) {
			r.FirmwareVersion = fmt.Sprintf("1.%d.0", i)
			r.Specs[0].Measurements[0].Value = rate
		}))
	}
	cur := writeReport(t, dir, "current.json", true, "passed", func(r *report.Report) { r.FirmwareVersion = "1.3.0" })
	html := filepath.Join(dir, "gate.html")
	var out bytes.Buffer
	if err := runGate(append(baselines, "--current", cur, "--html", html), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="verdict">PASSED`, `<figure id="trend-0">`, `baud.effective error at 9600`, `>1.0.0<`, `>1.3.0<`, `class="point"`, "over 3 baselines"} {
		if !strings.Contains(string(b)+out.String(), want) {
			t.Errorf("gate page lacks %q", want)
		}
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

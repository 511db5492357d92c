package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/report"
)

// A report given in place of a run that is not there stops gate-check at
// once, before it spends minutes on the runs it makes itself.
func TestGateCheckRefusesAMissingGivenReport(t *testing.T) {
	var w bytes.Buffer
	suite := fakeSuite(t, nil)
	missing := filepath.Join(t.TempDir(), "faults")
	err := runGateCheck([]string{"--suite", suite, "--hil", suite, "--faults", missing, "--out", t.TempDir()}, &w)
	if err == nil || !strings.Contains(err.Error(), "the slow-echo report") || !strings.Contains(err.Error(), "hint: make gate-check") {
		t.Fatalf("err = %v; want the missing slow-echo report named with a hint", err)
	}
	if w.Len() > 0 {
		t.Errorf("ran before refusing:\n%s", w.String())
	}
}

// lateSuite stands in for the suite: its first late runs end with a spec
// inconclusive and exit 1, as the real suite does, and the later ones pass.
// It counts its runs, a line each, in the file runs.
func lateSuite(t *testing.T, late int) (suite, runs string) {
	t.Helper()
	dir := t.TempDir()
	for name, state := range map[string]string{"late": report.Inconclusive, "passed": "passed"} {
		r := report.Report{Schema: report.Schema, Target: "virtual", Specs: []report.Spec{{Name: "Echo round-trips\nsecond line", State: state}}}
		if err := report.Write(filepath.Join(dir, name+".json"), r); err != nil {
			t.Fatal(err)
		}
	}
	runs = filepath.Join(dir, "runs")
	script := fmt.Sprintf(`#!/bin/sh
echo run >> %[1]s
if [ "$(wc -l < %[1]s)" -le %[2]d ]; then cp %[3]s/late.json "$HIL_OUT/report.json"; exit 1; fi
cp %[3]s/passed.json "$HIL_OUT/report.json"
`, runs, late, dir)
	suite = filepath.Join(dir, "specs.test")
	if err := os.WriteFile(suite, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return suite, runs
}

func runCount(t *testing.T, runs string) int {
	t.Helper()
	b, err := os.ReadFile(runs)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// A run of gate-check's own that the host left inconclusive is compared by
// no rule on its late spec: it is run again, and one that stays
// inconclusive stops gate-check saying so, never judged.
func TestGateCheckRunsAnInconclusiveRunAgain(t *testing.T) {
	hil, err := exec.LookPath("true")
	if err != nil {
		t.Skip(err)
	}
	t.Run("stays late", func(t *testing.T) {
		suite, runs := lateSuite(t, 99)
		var w bytes.Buffer
		err := runGateCheck([]string{"--suite", suite, "--hil", hil, "--out", t.TempDir()}, &w)
		if err == nil || !strings.Contains(err.Error(), "the baseline run stayed inconclusive: host late in 3 tries (Echo round-trips)") {
			t.Fatalf("err = %v; want the baseline run named inconclusive after 3 tries\n%s", err, w.String())
		}
		if n := runCount(t, runs); n != 3 || strings.Contains(w.String(), "ran in") {
			t.Errorf("%d runs, want 3 and none judged:\n%s", n, w.String())
		}
	})
	t.Run("late once", func(t *testing.T) {
		suite, runs := lateSuite(t, 1)
		var w bytes.Buffer
		err := runGateCheck([]string{"--suite", suite, "--hil", hil, "--out", t.TempDir()}, &w)
		if err != nil && strings.Contains(err.Error(), "inconclusive") {
			t.Fatalf("err = %v\n%s", err, w.String())
		}
		if !strings.Contains(w.String(), "baseline     ran in") || !strings.Contains(w.String(), "(try 2), 0 specs failed") {
			t.Errorf("want the baseline judged on its second try:\n%s", w.String())
		}
		if n := runCount(t, runs); n != len(gateRuns)+1 {
			t.Errorf("%d runs, want %d: one more than the runs", n, len(gateRuns)+1)
		}
	})
}

// A report given in place of a run that has a spec the host was too late
// to measure is refused before any run: the gate would judge it on what
// was left.
func TestGateCheckRefusesAnInconclusiveGivenReport(t *testing.T) {
	suite, runs := lateSuite(t, 0)
	hil, err := exec.LookPath("true")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	late := filepath.Join(dir, "report.json")
	if err := report.Write(late, report.Report{Schema: report.Schema, Target: "virtual", Specs: []report.Spec{{Name: "Blink under load", State: report.Inconclusive}}}); err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	err = runGateCheck([]string{"--suite", suite, "--hil", hil, "--baseline", late, "--out", t.TempDir()}, &w)
	if err == nil || !strings.Contains(err.Error(), "the baseline report "+late+" is inconclusive: host late (Blink under load)") {
		t.Fatalf("err = %v; want the given baseline refused as inconclusive", err)
	}
	if _, err := os.Stat(runs); err == nil || w.Len() > 0 {
		t.Errorf("ran before refusing:\n%s", w.String())
	}
}

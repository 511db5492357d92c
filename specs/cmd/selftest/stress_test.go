package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/report"
)

func TestStressCountsFailedRuns(t *testing.T) {
	pass := report.Report{Schema: report.Schema, Target: "virtual", Pass: true, Specs: []report.Spec{{Name: "Echo round-trips", State: "passed"}}}
	var w bytes.Buffer
	if err := runStress([]string{"--suite", fakeSuite(t, &pass), "--runs", "3", "--out", t.TempDir()}, &w); err != nil {
		t.Fatalf("three passing runs: %v\n%s", err, w.String())
	}
	if !strings.Contains(w.String(), "3 of 3 runs passed, 0 failed") {
		t.Errorf("summary:\n%s", w.String())
	}

	fail := perfSampleReport()
	w.Reset()
	err := runStress([]string{"--suite", fakeSuite(t, &fail), "--runs", "2", "--out", t.TempDir()}, &w)
	if err == nil || !strings.Contains(err.Error(), "2 of 2 runs did not pass (2 failed, 0 inconclusive)") {
		t.Fatalf("failing runs: %v\n%s", err, w.String())
	}
	for _, want := range []string{"run 1/2 FAILED", "[failed] Blink under load: ", "0 of 2 runs passed"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, w.String())
		}
	}

	w.Reset()
	if err := runStress([]string{"--suite", fakeSuite(t, nil), "--runs", "1", "--out", t.TempDir()}, &w); err == nil {
		t.Fatalf("a run that wrote no report passed:\n%s", w.String())
	}
	if err := runStress([]string{"--runs", "1"}, &w); err == nil || !strings.Contains(err.Error(), "--suite is required") {
		t.Errorf("no --suite: %v", err)
	}
}

func TestStressCountsInconclusiveRunsApart(t *testing.T) {
	late := report.Report{Schema: report.Schema, Target: "virtual", Specs: []report.Spec{
		{Name: "Echo round-trips", State: "passed"},
		{Name: "Blink under load", State: report.Inconclusive},
	}}
	var w bytes.Buffer
	err := runStress([]string{"--suite", fakeSuite(t, &late), "--runs", "2", "--out", t.TempDir()}, &w)
	if err == nil || !strings.Contains(err.Error(), "2 of 2 runs did not pass (0 failed, 2 inconclusive)") {
		t.Fatalf("inconclusive runs: %v\n%s", err, w.String())
	}
	for _, want := range []string{"run 1/2 INCONCLUSIVE", "[inconclusive] Blink under load", "0 of 2 runs passed, 0 failed, 2 inconclusive"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, w.String())
		}
	}
}

// TestStressBusyLoopsRunBesideEveryRun has the suite count the busy loops
// it runs beside, and checks that none outlives the series.
func TestStressBusyLoopsRunBesideEveryRun(t *testing.T) {
	dir := t.TempDir()
	seen := filepath.Join(dir, "seen")
	suite := filepath.Join(dir, "specs.test")
	script := "#!/bin/sh\nn=0\nfor f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null | grep -q '" + busyMark() + "' && n=$((n+1)); done\necho $n >> " + seen + "\n"
	if err := os.WriteFile(suite, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	_ = runStress([]string{"--suite", suite, "--runs", "2", "--busy", "2", "--out", t.TempDir()}, &w)
	b, err := os.ReadFile(seen)
	if err != nil {
		t.Fatalf("the suite never ran: %v\n%s", err, w.String())
	}
	if got := strings.Fields(string(b)); !slices.Equal(got, []string{"2", "2"}) {
		t.Errorf("busy loops seen by each run: %v, want [2 2]", got)
	}
	if n := busyLeft(t); n != 0 {
		t.Errorf("%d busy loops outlived the series", n)
	}
	if err := runStress([]string{"--suite", suite, "--busy", "99"}, &w); err == nil || !strings.Contains(err.Error(), "give 0 to 16 busy loops") {
		t.Errorf("--busy 99: %v", err)
	}
}

func busyLeft(t *testing.T) int {
	t.Helper()
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	n := 0
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), busyMark()) {
			n++
		}
	}
	return n
}

package main

import (
	"bytes"
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
	if err == nil || !strings.Contains(err.Error(), "2 of 2 runs failed") {
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

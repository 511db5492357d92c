package main

import (
	"bytes"
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

// A run of gate-check's own that comes back inconclusive (the host too
// late to measure a spec) is run again, and one that stays inconclusive
// stops gate-check saying so: its cases would be judged on what was left.
func TestGateCheckRunsAnInconclusiveRunAgain(t *testing.T) {
	late := report.Report{Schema: report.Schema, Target: "virtual", Specs: []report.Spec{
		{Name: "Echo round-trips", State: report.Inconclusive},
	}}
	var w bytes.Buffer
	suite := fakeSuite(t, &late)
	err := runGateCheck([]string{"--suite", suite, "--hil", suite, "--out", t.TempDir()}, &w)
	if err == nil || !strings.Contains(err.Error(), "the baseline run stayed inconclusive: host late in 3 tries (Echo round-trips)") {
		t.Fatalf("err = %v; want the baseline run named inconclusive after 3 tries\n%s", err, w.String())
	}
	if !strings.Contains(w.String(), "try 3 of 3") || strings.Contains(w.String(), "ran in") {
		t.Errorf("want three tries and no judged run:\n%s", w.String())
	}
}

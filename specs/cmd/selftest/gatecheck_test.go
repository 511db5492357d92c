package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
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

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/harness/report"
)

// A fault's run passes only when a spec of its families fails with its
// symptom, and none outside them fails.
func TestFaultRunMustFailItsFamilyAlone(t *testing.T) {
	probes, err := virtualProbes(string(virtual.SlowEchoNear))
	if err != nil || len(probes) != 1 || !probes[0].alone {
		t.Fatalf("probes %+v, %v", probes, err)
	}
	p := probes[0]
	rtt := report.Spec{Name: "Echo round-trips 1000 single bytes", Labels: []string{"echo", "timing"},
		Failure: "expected: echo.rtt.1B within [-inf, 5173.6] us"}
	sweep := report.Spec{Name: "Baud works at every rate", Labels: []string{"baud", "integrity"}, Failure: "echo: byte 3 differs"}
	if ok, _ := caught(p, []report.Spec{rtt}); !ok {
		t.Fatal("the echo family's symptom did not count as caught")
	}
	if ok, _ := caught(p, []report.Spec{sweep}); ok {
		t.Fatal("a baud failure counted as catching an echo fault")
	}
	if others := outside(p.families, []report.Spec{rtt, sweep}); len(others) != 1 || others[0] != sweep.Name {
		t.Fatalf("outside = %v, want the baud spec as a false alarm", others)
	}
}

// Every fault make faults runs has a symptom to look for.
func TestEveryFaultHasASymptom(t *testing.T) {
	probes, err := virtualProbes("")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probes {
		if len(p.symptoms) == 0 || len(p.families) == 0 {
			t.Errorf("fault %s: symptoms %v, families %v", p.name, p.symptoms, p.families)
		}
	}
}

// flakySuite writes a suite stand-in: each run reports the blink family
// failing with the fault's symptom, and a baud spec failing too in the
// runs listed in flaky (counted from 1 in the file runs).
func flakySuite(t *testing.T, flaky ...int) string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "suite")
	var cases strings.Builder
	for _, n := range flaky {
		fmt.Fprintf(&cases, "%d) extra=',%s' ;; ", n, `{"name":"Baud sweep","labels":["baud"],"state":"failed","failure":"baud.sweep = 44.8 %"}`)
	}
	body := fmt.Sprintf(`#!/bin/sh
n=$(( $(cat %[1]s/runs 2>/dev/null || echo 0) + 1 )); echo $n > %[1]s/runs
extra=''
case $n in %[2]s esac
printf '{"schema":"%[3]s","faults":"%%s","specs":[{"name":"Blink cadence","labels":["blink"],"state":"failed","failure":"blink.edges_missed = 2"}%%s]}' "$HIL_FAULT" "$extra" > "$HIL_OUT/report.json"
exit 1
`, dir, cases.String(), report.Schema)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// A failure outside the fault's families counts as a false alarm only when
// a second run with the same fault and seed repeats it; one that does not
// repeat is shown, not hidden.
func TestFalseAlarmMustRepeat(t *testing.T) {
	probes, err := virtualProbes(string(virtual.BlinkSkip))
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	suite, out := flakySuite(t, 1), t.TempDir()
	o := runOne(suite, out, nil, probes[0])
	if len(o.others) != 1 {
		t.Fatalf("first run: others %v, err %v", o.others, o.err)
	}
	o = confirm(&log, suite, out, nil, o)
	if !o.caught || len(o.others) != 0 || len(o.unproven) != 1 || !strings.Contains(log.String(), "running it again") {
		t.Fatalf("a flake that did not repeat: others %v, unproven %v\n%s", o.others, o.unproven, log.String())
	}
	suite, out = flakySuite(t, 1, 2), t.TempDir()
	o = confirm(&log, suite, out, nil, runOne(suite, out, nil, probes[0]))
	if len(o.others) != 1 || len(o.unproven) != 0 {
		t.Fatalf("a false alarm that repeated: others %v, unproven %v", o.others, o.unproven)
	}
}

// The clean run is held to the same rule: a failure that a second run with
// the same seed repeats fails it, one that does not is shown as unproven.
func TestCleanRunFailureMustRepeat(t *testing.T) {
	var log strings.Builder
	suite, out := flakySuite(t, 1), t.TempDir()
	o := judgeClean(&log, suite, out, nil, runOne(suite, out, nil, probe{name: "clean"}))
	if len(o.others) != 1 || o.others[0] != "Blink cadence" || len(o.unproven) != 1 || o.unproven[0] != "Baud sweep" {
		t.Fatalf("clean run: repeated %v, unproven %v\n%s", o.others, o.unproven, log.String())
	}
}

// A clean run's second try replays no fault: the suite names a clean run's
// faults "none", and a target refuses that as HIL_FAULT.
func TestCleanRunRetryReplaysNoFault(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "suite")
	body := fmt.Sprintf(`#!/bin/sh
n=$(( $(cat %[1]s/runs 2>/dev/null || echo 0) + 1 )); echo $n > %[1]s/runs
if [ -n "$HIL_FAULT" ]; then echo "HIL_FAULT=$HIL_FAULT refused"; exit 1; fi
state=passed; [ $n -eq 1 ] && state=failed
printf '{"schema":"%[2]s","faults":"none","specs":[{"name":"Echo payload","labels":["echo"],"state":"%%s","failure":"late"}]}' "$state" > "$HIL_OUT/report.json"
[ $state = passed ]
`, dir, report.Schema)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	out := t.TempDir()
	o := judgeClean(&log, script, out, nil, runOne(script, out, nil, probe{name: "clean"}))
	if o.err != nil || len(o.others) != 0 || len(o.unproven) != 1 {
		t.Fatalf("clean retry: err %v, repeated %v, unproven %v\n%s", o.err, o.others, o.unproven, log.String())
	}
}

package main

import (
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

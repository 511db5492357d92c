package main

import (
	"strings"
	"testing"
)

func TestMutantsApplyToTheFirmware(t *testing.T) {
	probes, err := mutantProbes("rp2040", "../../../firmware/main.py", t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) != len(mutants) {
		t.Fatalf("%d variants written for rp2040, want %d", len(probes), len(mutants))
	}
	emulated := 0
	for _, m := range mutants {
		if m.emulated {
			emulated++
		}
	}
	probes, err = mutantProbes("micropython", "../../../firmware/main.py", t.TempDir(), "")
	if err != nil || len(probes) != len(mutants)-emulated {
		t.Fatalf("micropython: %d variants, want %d without the CPU-time ones (%v)", len(probes), len(mutants)-emulated, err)
	}
	if _, err := mutantProbes("micropython", "../../../firmware/main.py", t.TempDir(), "costly-echo"); err == nil {
		t.Fatal("micropython ran costly-echo, whose cost it does not model")
	}
	probes, err = mutantProbes("micropython", "../../../firmware/main.py", t.TempDir(), "print-echo, long-blink")
	if err != nil || len(probes) != 2 {
		t.Fatalf("--only two variants: %d probes, %v", len(probes), err)
	}
}

func TestUnknownMutantIsRefusedWithTheList(t *testing.T) {
	_, err := mutantProbes("micropython", "../../../firmware/main.py", t.TempDir(), "print-echo,pirnt-echo")
	if err == nil || !strings.Contains(err.Error(), "pirnt-echo") || !strings.Contains(err.Error(), "polling-echo") {
		t.Fatalf("err = %v, want the unknown name and the list", err)
	}
}

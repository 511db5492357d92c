package main

import (
	"strings"
	"testing"
)

func TestMutantsApplyToTheFirmware(t *testing.T) {
	probes, err := mutantProbes("../../firmware/main.py", t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) != len(mutants) {
		t.Fatalf("%d variants written, want %d", len(probes), len(mutants))
	}
	probes, err = mutantProbes("../../firmware/main.py", t.TempDir(), "print-echo, long-blink")
	if err != nil || len(probes) != 2 {
		t.Fatalf("--only two variants: %d probes, %v", len(probes), err)
	}
}

func TestUnknownMutantIsRefusedWithTheList(t *testing.T) {
	_, err := mutantProbes("../../firmware/main.py", t.TempDir(), "print-echo,pirnt-echo")
	if err == nil || !strings.Contains(err.Error(), "pirnt-echo") || !strings.Contains(err.Error(), "polling-echo") {
		t.Fatalf("err = %v, want the unknown name and the list", err)
	}
}

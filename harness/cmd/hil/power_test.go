package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPowerCycleRunsTheSwitch cycles a bench's power through a uhubctl
// double (no hub here) under the bench's lease, and refuses a bench
// without a switch in one line.
func TestPowerCycleRunsTheSwitch(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	double := filepath.Join(dir, "uhubctl")
	os.WriteFile(double, []byte("#!/bin/sh\necho \"$*\" >> "+log+"\n"), 0o755)
	t.Setenv("HIL_TARGET", "virtual")
	t.Setenv("HIL_BENCH_ID", "power-test")
	t.Setenv("HIL_STATE_DIR", dir)
	t.Setenv("HIL_UHUBCTL", double)
	var out bytes.Buffer
	if err := runPower([]string{"cycle"}, &out); err == nil || !strings.Contains(err.Error(), "no power switch") {
		t.Fatalf("a bench without a switch: %v", err)
	}
	t.Setenv("HIL_POWER", "uhubctl:1-1:2")
	if err := runPower([]string{"cycle", "--off", "10ms"}, &out); err != nil {
		t.Fatal(err)
	}
	calls, _ := os.ReadFile(log)
	if string(calls) != "-l 1-1 -p 2 -a off\n-l 1-1 -p 2 -a on\n" || !strings.Contains(out.String(), "power: cycled uhubctl hub 1-1 port 2 (off 10ms)") {
		t.Fatalf("uhubctl ran as:\n%s\noutput:\n%s", calls, out.String())
	}
	if err := runPower([]string{"off"}, &out); err != nil || !strings.HasSuffix(out.String(), "power: uhubctl hub 1-1 port 2 off\n") {
		t.Fatalf("off: %v\n%s", err, out.String())
	}
}

// TestMatrixRetryReadsTheVerdicts plans the hil workflow's retries from
// the verdict artifacts as the retries job lays them out, and appends the
// plan to the step output file.
func TestMatrixRetryReadsTheVerdicts(t *testing.T) {
	dir := t.TempDir()
	for b, v := range map[string]string{"1": "bench", "2": "pass", "3": "firmware"} {
		os.MkdirAll(filepath.Join(dir, "verdict-"+b), 0o755)
		os.WriteFile(filepath.Join(dir, "verdict-"+b, "verdict"), []byte(v+"\n"), 0o644)
	}
	output := filepath.Join(dir, "github_output")
	var out bytes.Buffer
	if err := runMatrix([]string{"retry", "--benches", `["1","2","3"]`, "--verdicts", dir, "--output", output}, &out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(output)
	if string(got) != `retries=[{"failed":"1","on":"2"}]`+"\n" || !strings.Contains(out.String(), "matrix: bench 1 failed on the bench: retried once on bench 2") {
		t.Fatalf("output file %q\nstdout:\n%s", got, out.String())
	}
	err := runMatrix([]string{"healthy", "--benches", `["1"]`, "--jobs", writeJobs(t, `[{"name":"health bench 1","conclusion":"failure"}]`)}, &out)
	if err == nil || !strings.HasPrefix(err.Error(), "matrix: no healthy bench among 1: bench 1's last health run: failure") {
		t.Fatalf("no healthy bench: %v", err)
	}
}

func writeJobs(t *testing.T, jobs string) string {
	path := filepath.Join(t.TempDir(), "jobs.json")
	os.WriteFile(path, []byte(jobs), 0o644)
	return path
}

package main

import "testing"

func TestFuzzVerdict(t *testing.T) {
	const race = "--- FAIL: FuzzRead (10.02s)\n    context deadline exceeded\nFAIL\n"
	const found = "--- FAIL: FuzzRead (0.31s)\n    fuzzing.go:12: boom\n\n    Failing input written to testdata/fuzz/FuzzRead/1f2e\n    To re-run:\n    go test -run=FuzzRead/1f2e\nFAIL\n"
	for _, c := range []struct {
		name   string
		log    string
		failed bool
		want   fuzzOutcome
	}{
		{"passed", "fuzz: elapsed: 5s, execs: 1000 (200/sec)\nPASS\n", false, fuzzPassed},
		{"coordinator deadline race", race, true, fuzzDeadlineRace},
		{"failing input", found, true, fuzzFailed},
		{"failing input and a deadline", found + race, true, fuzzFailed},
		{"build failure", "# ./harness/report\nreport.go:1: syntax error\nFAIL\n", true, fuzzFailed},
		{"deadline inside a message", "--- FAIL: FuzzRead\n    read: context deadline exceeded after 3 s\nFAIL\n", true, fuzzFailed},
	} {
		if got := fuzzVerdict(c.log, c.failed); got != c.want {
			t.Errorf("%s: verdict %d, want %d", c.name, got, c.want)
		}
	}
}

func TestFuzzTargetsAreChecked(t *testing.T) {
	if _, err := parseFuzzTargets([]string{"./harness/report:FuzzRead", "./fixtures/wire:FuzzResample"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{nil, {"./harness/report"}, {"./harness/report:Read"}, {":FuzzRead"}} {
		if _, err := parseFuzzTargets(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

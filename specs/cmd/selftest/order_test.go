package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/report"
)

// A run's spec order is reproducible: the seed is in the banner,
// report.json, report.html and every rerun line.
func TestSpecSeedIsRecordedAndInTheRerunLine(t *testing.T) {
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=100", "HIL_FAULT=no-echo"},
		"-ginkgo.seed=4242", "-ginkgo.focus=all 256 byte values")
	console, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed with no echo:\n%s", console)
	}
	if !strings.Contains(string(console), "spec order seed 4242") {
		t.Errorf("the banner does not name the seed:\n%s", console)
	}
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.SpecSeed != 4242 || !strings.Contains(r.Reproduce, "SEED=4242") {
		t.Errorf("report.json: spec_seed %d, reproduce %q; want 4242 and SEED=4242", r.SpecSeed, r.Reproduce)
	}
	failed := 0
	for _, s := range r.Specs {
		if s.State == "failed" {
			failed++
			if !strings.Contains(s.Failure, "rerun:") || !strings.Contains(s.Failure, "SEED=4242") {
				t.Errorf("%s: the rerun line lacks SEED=4242:\n%s", s.Name, s.Failure)
			}
		}
	}
	if failed == 0 {
		t.Errorf("no spec failed with no echo")
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || !strings.Contains(string(html), "seed 4242") {
		t.Errorf("report.html does not show the seed (%v)", err)
	}
}

// Package gatecheck proves the example suite's measurement is gated: the
// firmware with a blocking sleep in its STATS path, at a size the spec's
// own limit lets pass, is blocked by `hil gate` against a clean run, and
// at 1.3 times the limit fails the spec. `make example-test` runs it with
// the compiled suite and hil; without them it skips, saying so.
package gatecheck

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var (
	suite    = flag.String("suite", "", "the compiled example suite (go test -c ./specs/example)")
	hil      = flag.String("hil", "", "the built hil command")
	firmware = flag.String("firmware", "", "the reference firmware, firmware/main.py")
)

// stats is the firmware's STATS branch, where a mutant sleeps.
const stats = `        if cmd == "STATS":
`

// mutant writes firmware with a blocking sleep of ms before the STATS
// reply.
func mutant(t *testing.T, dir string, ms int) string {
	t.Helper()
	src, err := os.ReadFile(*firmware)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(src, []byte(stats)) != 1 {
		t.Fatalf("%s: the STATS branch %q is not there once: update the mutant", *firmware, stats)
	}
	out := bytes.Replace(src, []byte(stats), fmt.Appendf(nil, "%s            time.sleep_ms(%d)\n", stats, ms), 1)
	path := filepath.Join(dir, fmt.Sprintf("stats-sleep-%d.py", ms))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// report is what the check reads of a run's report.json.
type report struct {
	Pass  bool `json:"pass"`
	Specs []struct {
		Failure      string `json:"failure"`
		Measurements []struct {
			Name  string  `json:"name"`
			Value float64 `json:"value"`
		} `json:"measurements"`
	} `json:"specs"`
}

// run runs the suite on the firmware under MicroPython, reports in dir,
// and returns its report.
func run(t *testing.T, dir, fw string) report {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil { // no report of an earlier run is read as this one's
		t.Fatal(err)
	}
	cmd := exec.Command(*suite, "-ginkgo.seed=1")
	cmd.Env = append(os.Environ(), "HIL_TARGET=micropython", "HIL_BLINK_MS=200", "HIL_FIRMWARE="+fw, "HIL_OUT="+dir)
	out, _ := cmd.CombinedOutput() // a failed suite is judged from its report
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("%s: no report (%v); its output:\n%s", dir, err, out)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: pass %v %+v", filepath.Base(dir), r.Pass, r.Specs)
	return r
}

// gate runs hil gate on two runs' reports: its exit status and output.
func gate(t *testing.T, base, cur string) (int, string) {
	t.Helper()
	out, err := exec.Command(*hil, "gate", "--baseline", filepath.Join(base, "report.json"), "--current", filepath.Join(cur, "report.json")).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestAnInjectedRegressionIsBlocked(t *testing.T) {
	if *suite == "" || *hil == "" || *firmware == "" {
		t.Skip("needs -suite, -hil and -firmware: make example-test gives them")
	}
	out := t.TempDir()
	if d := os.Getenv("EXAMPLE_GATE_OUT"); d != "" {
		out = d // kept for reading after the run
	}
	dir := func(name string) string { return filepath.Join(out, name) }
	const name = "example.stats_reply_loaded"

	for _, clean := range []string{"clean-1", "clean-2"} {
		if r := run(t, dir(clean), *firmware); !r.Pass {
			t.Fatalf("%s: the reference firmware failed the example suite", clean)
		}
	}
	if status, text := gate(t, dir("clean-1"), dir("clean-2")); status != 0 {
		t.Errorf("clean against clean: hil gate exit %d, want 0 (a false block)\n%s", status, text)
	}

	// 35 ms: 1.4 times the gate's floor, a third of the spec's limit.
	if r := run(t, dir("sleep-35"), mutant(t, out, 35)); !r.Pass {
		t.Errorf("sleep-35: the spec failed; it should pass its own limit and leave the regression to the gate")
	}
	status, text := gate(t, dir("clean-1"), dir("sleep-35"))
	if status != 1 || !strings.Contains(text, name) || !regressedRow(text, name) {
		t.Errorf("sleep-35 against clean: hil gate exit %d, want 1 with %s REGRESSED\n%s", status, name, text)
	}

	// 130 ms: 1.3 times the spec's limit.
	r := run(t, dir("sleep-130"), mutant(t, out, 130))
	if r.Pass || len(r.Specs) == 0 || !strings.Contains(r.Specs[0].Failure, name) || !strings.Contains(r.Specs[0].Failure, "rerun:") {
		t.Errorf("sleep-130: want the spec failed naming %s and the rerun command, got %+v", name, r)
	}
}

// regressedRow reports whether the gate's table has name's row regressed.
func regressedRow(text, name string) bool {
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, name+" ") && strings.Contains(line, "REGRESSED") {
			return true
		}
	}
	return false
}

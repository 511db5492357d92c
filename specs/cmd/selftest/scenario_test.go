package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// runScenarios runs the suite's scenario specs alone on env's target with
// the scenario files of dir (relative to specs/), and reads its report.
func runScenarios(t *testing.T, dir string, env ...string) (report.Report, string, error) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("../..", dir))
	if err != nil {
		t.Fatal(err)
	}
	cmd, out := suiteCmd(t, append(env, "HIL_SCENARIOS="+abs), "-ginkgo.label-filter=scenario")
	console, runErr := cmd.CombinedOutput()
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, console)
	}
	return r, string(console), runErr
}

// scenarioSpecs are the scenario specs of a report.
func scenarioSpecs(r report.Report) []report.Spec {
	var specs []report.Spec
	for _, s := range r.Specs {
		if slices.Contains(s.Labels, "scenario") {
			specs = append(specs, s)
		}
	}
	return specs
}

// The shipped scenarios pass against the reference firmware and the
// virtual Pico, each with its serial log in report.json; the reset
// scenario skips where the target has no RUN line.
func TestScenariosPass(t *testing.T) {
	for _, target := range []struct {
		name string
		env  []string
	}{
		{"virtual", []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=100"}},
		{"micropython", []string{"HIL_TARGET=micropython", "HIL_BLINK_MS=200"}},
	} {
		t.Run(target.name, func(t *testing.T) {
			if target.name == "micropython" {
				needMicroPython(t)
			}
			r, console, err := runScenarios(t, "scenarios", target.env...)
			if err != nil {
				t.Fatalf("the scenarios failed on %s: %v\n%s", target.name, err, console)
			}
			specs := scenarioSpecs(r)
			if len(specs) != 4 {
				t.Fatalf("%d scenario specs, want 4:\n%s", len(specs), console)
			}
			for _, s := range specs {
				if target.name == "micropython" && strings.Contains(s.Name, "reset.yaml") {
					// The fixture has no RUN line.
					if s.State != "skipped" || !strings.Contains(s.SkipReason, "needs a line to the Pico's RUN pin") {
						t.Errorf("%s: %s (%s)", s.Name, s.State, s.SkipReason)
					}
					continue
				}
				i := slices.IndexFunc(s.Traces, func(tr stats.Trace) bool { return tr.Name == "scenario.serial" })
				if s.State != "passed" || i < 0 || len(s.Traces[i].Rows) == 0 {
					t.Errorf("%s: %s, traces %v", s.Name, s.State, s.Traces)
				}
			}
		})
	}
}

// The mirror of blink.yaml with one expectation wrong fails, naming the
// step, with the LED's timeline and the command that reruns it.
func TestWrongScenarioFailsNamingTheStep(t *testing.T) {
	r, console, err := runScenarios(t, "scenarios/wrong", "HIL_TARGET=virtual", "HIL_BLINK_MS=100")
	if err == nil {
		t.Fatalf("the wrong scenario passed:\n%s", console)
	}
	specs := scenarioSpecs(r)
	if len(specs) != 1 || specs[0].State != "failed" {
		t.Fatalf("want the one scenario failed, got %+v", specs)
	}
	f := specs[0].Failure
	for _, want := range []string{
		"blink.yaml:12: step 6: expect-pin: {part-id: pico, pin: LED, value: 1}: the LED (pin LED) reads 1",
		"it reads Low", "LED edge to Low", "rerun:", "HIL_SCENARIOS=", "make hil",
	} {
		if !strings.Contains(f, want) {
			t.Errorf("the failure lacks %q:\n%s", want, f)
		}
	}
}

// A file with a step no bench can run stops the run before any spec, on
// one line naming the file, line, step and command, with a hint.
func TestUnknownStepIsRefusedAtLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "press.yaml")
	if err := os.WriteFile(file, []byte("name: press\nversion: 1\nsteps:\n  - delay: 10ms\n  - press-button: btn1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=virtual", "HIL_SCENARIOS=" + dir})
	console, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the run passed:\n%s", console)
	}
	var lines []string
	for _, l := range strings.Split(string(console), "\n") {
		if strings.Contains(l, file) {
			lines = append(lines, l)
		}
	}
	want := file + `:5: step 2: unknown step "press-button" (hint: the steps are delay`
	if len(lines) != 1 || !strings.Contains(lines[0], want) || strings.Contains(string(console), "Ran ") {
		t.Errorf("want one line with %q and no spec run, got %q:\n%s", want, lines, console)
	}
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil || !strings.Contains(r.Stopped, want) {
		t.Errorf("report.json: stopped %q (%v)", r.Stopped, err)
	}
}

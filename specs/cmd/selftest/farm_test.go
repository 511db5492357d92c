package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/support/qemuuser"
)

// lineSeen is when a suite printed a line containing some text.
type lineSeen struct {
	at   time.Time
	line string
}

// bgSuite is a suite started in the background.
type bgSuite struct {
	seen   chan lineSeen // lines with a mark, as they come
	done   chan struct{}
	output strings.Builder
	err    error
	ended  time.Time
}

// startSuite starts the virtual suite on the bench "lease-test" in the
// shared state directory, focused on one short spec, as job name.
func startSuite(t *testing.T, state, name string, marks ...string) *bgSuite {
	t.Helper()
	cmd, _ := suiteCmd(t, []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=100", "HIL_BENCH_ID=lease-test",
		"HIL_STATE_DIR=" + state, "HIL_JOB=" + name}, "-ginkgo.focus=all 256 byte values")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &bgSuite{seen: make(chan lineSeen, 16), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			r.output.WriteString(sc.Text() + "\n")
			for _, m := range marks {
				if strings.Contains(sc.Text(), m) {
					r.seen <- lineSeen{time.Now(), sc.Text()}
				}
			}
		}
		r.err = cmd.Wait()
		r.ended = time.Now()
	}()
	return r
}

// next is the next marked line, or a test failure after a deadline.
func (r *bgSuite) next(t *testing.T) lineSeen {
	t.Helper()
	select {
	case l := <-r.seen:
		return l
	case <-r.done:
		t.Fatalf("the suite ended without the line expected:\n%s", r.output.String())
	case <-time.After(suiteRunTimeout):
		t.Fatal("no line within the suite's deadline")
	}
	return lineSeen{}
}

// Two suites started on one bench: the second waits, saying for whom,
// and runs once the first has ended.
func TestTwoSuitesOnOneBenchTakeTurns(t *testing.T) {
	state := t.TempDir()
	const taken, held = "lease: bench lease-test is this run's", "lease: bench lease-test is held by"
	first := startSuite(t, state, "suite-A", taken)
	first.next(t)
	second := startSuite(t, state, "suite-B", taken, held)
	wait := second.next(t)
	if !strings.Contains(wait.line, held+` job "suite-A" (PID `) {
		t.Fatalf("the second suite did not wait for the first: %q\n%s", wait.line, second.output.String())
	}
	got := second.next(t)
	<-first.done
	<-second.done
	if first.err != nil || second.err != nil {
		t.Fatalf("first: %v\n%s\nsecond: %v\n%s", first.err, first.output.String(), second.err, second.output.String())
	}
	if got.at.Before(first.ended.Add(-time.Second)) { // the first releases just before it exits
		t.Fatalf("the second suite took the bench at %v, before the first ended at %v", got.at, first.ended)
	}
	t.Logf("second suite: %s\n  then %s, %v after the first ended", wait.line, got.line, got.at.Sub(first.ended))
}

// A failed health run marks the bench; the next firmware run refuses,
// naming the reason; a passing health run clears the mark and the run
// goes ahead.
func TestHealthMarkRefusesFirmwareRunsUntilAHealthRunPasses(t *testing.T) {
	qemuuser.Skip(t, outOfProcess)
	hil, err := buildHil()
	if err != nil {
		t.Fatalf("building hil: %v", err)
	}
	state := t.TempDir()
	env := []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=100", "HIL_BENCH_ID=health-test", "HIL_STATE_DIR=" + state}
	healthRun := func(extra ...string) (string, error) {
		cmd := exec.Command(hil, "health")
		cmd.Env = append(append(os.Environ(), env...), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	suite := func() (string, report.Report, error) {
		cmd, out := suiteCmd(t, env, "-ginkgo.focus=all 256 byte values")
		text, err := cmd.CombinedOutput()
		r, _ := report.Read(filepath.Join(out, "report.json"))
		return string(text), r, err
	}

	out, err := healthRun("HIL_FAULT=no-echo")
	const reason = "echo: short answer: 0 of 1 bytes received"
	if err == nil || !strings.Contains(out, "health: bench health-test is marked unhealthy, and refuses firmware runs until a health run passes: "+reason) {
		t.Fatalf("a health run on a bench that does not echo: %v\n%s", err, out)
	}
	text, r, err := suite()
	want := "health: bench health-test is unhealthy since "
	if err == nil || !strings.Contains(text, want) || !strings.Contains(r.Stopped, want) || !strings.Contains(r.Stopped, reason) {
		t.Fatalf("the suite on the marked bench: %v, stopped %q\n%s", err, r.Stopped, text)
	}
	t.Logf("refused: %s", r.Stopped)

	if out, err := healthRun(); err != nil || !strings.Contains(out, "health: bench health-test is healthy") {
		t.Fatalf("a health run on a sound bench: %v\n%s", err, out)
	}
	if text, r, err := suite(); err != nil || !r.Pass {
		t.Fatalf("the suite after a passing health run: %v\n%s", err, text)
	}
}

// verdictOf runs hil verdict on a report: its output and exit status.
func verdictOf(t *testing.T, hil, report string) (string, int) {
	t.Helper()
	out, err := exec.Command(hil, "verdict", "--report", report).CombinedOutput()
	code := 0
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// expectBlame checks a run's classification in report.json, JUnit,
// report.html and hil verdict's exit status.
func expectBlame(t *testing.T, hil, out string, r report.Report, whose, cause, html string, status int) {
	t.Helper()
	if r.Blame != whose || r.BenchCause != cause {
		t.Errorf("report.json: blame %q, bench_cause %q; want %q, %q", r.Blame, r.BenchCause, whose, cause)
	}
	junit, _ := os.ReadFile(filepath.Join(out, "junit.xml"))
	want := `name="blame" value="&#34;` + whose + `&#34;"`
	if cause != "" {
		want = `name="cause" value="&#34;` + cause + `&#34;"`
	}
	if !strings.Contains(string(junit), want) {
		t.Errorf("junit.xml lacks %s", want)
	}
	page, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(page), html) {
		t.Errorf("report.html lacks %q", html)
	}
	text, code := verdictOf(t, hil, filepath.Join(out, "report.json"))
	if code != status {
		t.Errorf("hil verdict exited %d, want %d:\n%s", code, status, text)
	}
	t.Logf("hil verdict (exit %d): %s", code, text)
}

// A firmware fault is the firmware's failure; a port that leaves mid-run
// is the bench's, and the gate does not compare such a run.
func TestFailuresAreTheFirmwaresOrTheBenchs(t *testing.T) {
	qemuuser.Skip(t, outOfProcess)
	hil, err := buildHil()
	if err != nil {
		t.Fatalf("building hil: %v", err)
	}
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=100", "HIL_FAULT=no-echo"}, "-ginkgo.focus=all 256 byte values")
	text, _ := cmd.CombinedOutput()
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	expectBlame(t, hil, out, r, "firmware", "", "the firmware's failure", 1)

	data, unplug := unpluggableEcho(t)
	cmd, out = suiteCmd(t, []string{"HIL_TARGET=pico", "HIL_SERIAL=" + data}, "-ginkgo.v", "-ginkgo.label-filter="+echoOnly)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var console strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		console.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), firstSpec) {
			unplug()
		}
	}
	cmd.Wait()
	r, err = report.Read(filepath.Join(out, "report.json"))
	if err != nil || r.Pass {
		t.Fatalf("the run with its port unplugged: pass %v, %v\n%s", r.Pass, err, console.String())
	}
	expectBlame(t, hil, out, r, "bench", "port gone", "the bench's failure: port gone", 3)

	gate, err := exec.Command(hil, "gate", "--baseline", filepath.Join(out, "report.json"), "--current", filepath.Join(out, "report.json")).CombinedOutput()
	if exit, ok := errors.AsType[*exec.ExitError](err); !ok || exit.ExitCode() != 2 || !strings.Contains(string(gate), "gate: not compared: ") {
		t.Errorf("hil gate on a run that failed on the bench: %v\n%s", err, gate)
	}
}

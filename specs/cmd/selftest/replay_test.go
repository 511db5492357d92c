package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/report/tape"
)

// The slow-echo fault fails the first two specs, blink-drift (3 % slow)
// the third.
const (
	replayFocus  = "round-trips 1000 single bytes|returns payloads .* 16 bytes|toggles at the configured half-period"
	replaySeed   = "-ginkgo.seed=1"
	replayFaults = "HIL_FAULT=slow-echo,blink-drift"
)

// replayFails are the measurements the faults fail. A loaded host may fail
// another (blink.jitter_p99) in either run; these must fail in both.
var replayFails = []string{"blink.half_period", "echo.payload.16B", "echo.rtt.1B"}

var replayEnv = []string{"HIL_TARGET=virtual", "HIL_BLINK_MS=100", "HIL_JITTER_MS=12"}

// runFocused runs the replay focus with env and returns its report, its
// output and the directory of its reports.
func runFocused(t *testing.T, env ...string) (report.Report, string, string) {
	t.Helper()
	cmd, out := suiteCmd(t, append(slices.Clone(replayEnv), env...), "-ginkgo.focus="+replayFocus, replaySeed)
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the suite should fail on the slow echo (exit 1), got %v:\n%s", err, b)
	}
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatalf("no report: %v\n%s", err, b)
	}
	return r, string(b), out
}

// outOfLimits are the measurements a run judged out of limits.
func outOfLimits(r report.Report) []string {
	var out []string
	for _, s := range r.Specs {
		for _, m := range s.Measurements {
			if !m.Pass {
				out = append(out, m.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

var buildHil = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(suiteDir, "hil")
	out, err := exec.Command("go", "build", "-o", bin, "../../../harness/cmd/hil").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

// A tape of a virtual run with the slow-echo and blink-drift faults is
// judged the same way offline by hil replay, and played back through the
// virtual Pico it fails the same specs, on the measurements the faults
// fail, without the faults.
func TestSlowEchoTapeFailsTheSameSpecsOfflineAndReplayed(t *testing.T) {
	tp := filepath.Join(t.TempDir(), "tape.jsonl")
	live, text, out := runFocused(t, replayFaults, "HIL_RECORD="+tp)
	checkEvidence(t, live, out)
	if failed := outOfLimits(live); !subset(replayFails, failed) || len(live.Failed()) != 3 {
		t.Fatalf("the recorded run failed %v (specs %v), want %v among them and 3 specs:\n%s", failed, live.Failed(), replayFails, text)
	}

	hil, err := buildHil()
	if err != nil {
		t.Fatalf("building hil: %v", err)
	}
	b, err := exec.Command(hil, "replay", tp).CombinedOutput()
	if exit, ok := errors.AsType[*exec.ExitError](err); !ok || exit.ExitCode() != 1 {
		t.Errorf("hil replay = %v, want exit 1 for the failed verdicts:\n%s", err, b)
	}
	for _, want := range []string{"agree with the run, 0 differ", "echo.rtt.1B = ", "echo.payload.16B = ", "blink.half_period = "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("hil replay's output lacks %q:\n%s", want, b)
		}
	}

	replayed, text, _ := runFocused(t, "HIL_TAPE="+tp)
	if got := outOfLimits(replayed); !subset(replayFails, got) || !slices.Equal(replayed.Failed(), live.Failed()) {
		t.Errorf("replayed through the virtual Pico, the run failed %v (specs %v); want %v among them and the recorded run's specs %v:\n%s",
			got, replayed.Failed(), replayFails, live.Failed(), text)
	}
	if replayed.Faults != "none" {
		t.Errorf("the replayed run injected faults %q; the tape alone should fail it", replayed.Faults)
	}
}

func subset(want, got []string) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

// checkEvidence holds a failed run's reports to carrying each spec's
// control-channel lines, and the data bytes about each echo failure, in
// report.json, the JUnit test case's system-out and report.html.
func checkEvidence(t *testing.T, r report.Report, out string) {
	t.Helper()
	for _, s := range r.Specs {
		if s.State != "failed" {
			continue
		}
		if !slices.ContainsFunc(s.Console, func(e tape.Event) bool { return e.Dir == tape.Rx && strings.HasPrefix(e.Text, "OK STATS") }) {
			t.Errorf("%s: report.json console %v lacks the STATS replies", s.Name, s.Console)
		}
		eachWay := slices.ContainsFunc(s.Data, func(e tape.Event) bool { return e.Dir == tape.Tx }) && slices.ContainsFunc(s.Data, func(e tape.Event) bool { return e.Dir == tape.Rx })
		if slices.Contains(s.Labels, "echo") && !eachWay {
			t.Errorf("%s: report.json data %v lacks the bytes each way about the failure", s.Name, s.Data)
		}
	}
	junit, err := os.ReadFile(filepath.Join(out, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(junit), "<system-out>control channel:"); n < 2 {
		t.Errorf("junit.xml has %d system-outs with the control channel's lines, want one per spec run", n)
	}
	if n := strings.Count(string(junit), "data line about the failure"); n < 2 {
		t.Errorf("junit.xml has %d failures' data bytes, want the two echo failures'", n)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), `<details class="data">`); n < 2 {
		t.Errorf("report.html folds %d failures' data bytes, want the two echo failures'", n)
	}
	if !strings.Contains(string(html), `<figure id="spec`) || !strings.Contains(string(html), `-blink-edges">`) {
		t.Errorf("report.html does not draw the failed blink's edges")
	}
}

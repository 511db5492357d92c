package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report/tape"
)

// slowTape is a tape of one spec whose single round trip took 20 ms.
func slowTape(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tape.jsonl")
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w, err := tape.Create(path, tape.Header{Started: t0, Target: "virtual", Faults: "slow-echo", Seed: 7, Focus: []string{"round-trips"}, Settings: tape.Settings{Baud: 115200, TurnaroundMs: 5}})
	if err != nil {
		t.Fatal(err)
	}
	m := stats.Measure("echo.rtt.1B", "us", 20000, stats.AtMost(5173.6))
	for _, e := range []tape.Event{
		{Kind: tape.KindSpec, At: t0, Text: "Echo round-trips"},
		{Kind: tape.KindData, At: t0, Stamp: tape.Host, Dir: tape.Tx, Bytes: []byte{0}},
		{Kind: tape.KindData, At: t0.Add(20 * time.Millisecond), Stamp: tape.Host, Dir: tape.Rx, Bytes: []byte{0}},
		{Kind: tape.KindVerdict, At: t0.Add(21 * time.Millisecond), Measurement: &m},
		{Kind: tape.KindEnd, At: t0.Add(22 * time.Millisecond), Text: "failed"},
	} {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReplayJudgesATapeAgainAndFailsWhatFails(t *testing.T) {
	var out bytes.Buffer
	path := slowTape(t)
	err := runReplay([]string{path}, &out)
	if err == nil || !strings.Contains(err.Error(), "1 of 1 verdicts fail: echo.rtt.1B") {
		t.Errorf("replay = %v, want the failed round trip named", err)
	}
	for _, want := range []string{"faults slow-echo", "echo.rtt.1B = 20000.0 us OUTSIDE", "same verdict", "1 agree with the run, 0 differ; 1 fail",
		"HIL_TARGET=virtual HIL_TAPE='" + path + "' make hil SEED=7 FOCUS='round-trips'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReplayRefusesWhatIsNotATapeInOneLine(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(bad, []byte(`{"schema":"picohil.report/v2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{nil, {bad}, {filepath.Join(t.TempDir(), "none.jsonl")}} {
		err := runReplay(args, &bytes.Buffer{})
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("replay %v = %v, want one line", args, err)
		}
	}
}

package health

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAdmitRefusesAMarkedBenchUntilCleared(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HIL_STATE_DIR": dir}
	getenv := func(k string) string { return env[k] }
	marks := MarksIn(dir)
	since := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	if err := marks.Set(Mark{Bench: "b", Reason: "echo: no answer", Since: since, Job: "health"}); err != nil {
		t.Fatal(err)
	}
	_, err := Admit(context.Background(), getenv, "b", nil)
	var unhealthy *UnhealthyError
	if !errors.As(err, &unhealthy) || err.Error() != "health: bench b is unhealthy since 2026-12-06T21:00:00Z: echo: no answer (hint: mend the bench, then `hil health` clears the mark when it passes)" {
		t.Fatalf("err = %v", err)
	}
	if err := marks.Clear("b"); err != nil {
		t.Fatal(err)
	}
	l, err := Admit(context.Background(), getenv, "b", nil)
	if err != nil {
		t.Fatalf("a cleared bench was refused: %v", err)
	}
	// The refusal above released its lease, so this one was free at once.
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestReasonIsOneLine(t *testing.T) {
	if got := Reason(&Failure{"echo", "echo: short answer\nexpected a5"}); got != "echo: short answer" {
		t.Fatalf("Reason = %q", got)
	}
	if got := Reason(errors.New("bench: no such port\nmore")); !strings.HasPrefix(got, "bench: no such port") || strings.Contains(got, "\n") {
		t.Fatalf("Reason = %q", got)
	}
}

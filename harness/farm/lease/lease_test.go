package lease

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/support/qemuuser"
)

// TestMain doubles as another job holding a lease: with LEASE_TEST_HOLD
// set, the test binary takes the lease of bench "b" in LEASE_TEST_DIR,
// prints "held", holds it for LEASE_TEST_HOLD (or until killed), releases
// it and prints "released".
func TestMain(m *testing.M) {
	if hold := os.Getenv("LEASE_TEST_HOLD"); hold != "" {
		d, _ := time.ParseDuration(hold)
		ttl, _ := time.ParseDuration(os.Getenv("LEASE_TEST_TTL"))
		l, err := Acquire(context.Background(), "b", Options{Dir: os.Getenv("LEASE_TEST_DIR"), TTL: ttl, Wait: time.Second, Owner: Owner{Job: "holder", PID: os.Getpid(), Host: "h"}})
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("held")
		time.Sleep(d)
		if err := l.Release(); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("released")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder starts another process holding the lease for hold and returns
// once it holds it; lines gets the rest of its output.
func holder(t *testing.T, dir string, hold, ttl time.Duration) (*exec.Cmd, <-chan string) {
	t.Helper()
	qemuuser.Skip(t, "the other job is this test binary run again, and qemu-user does not follow execve into a foreign binary")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEASE_TEST_HOLD="+hold.String(), "LEASE_TEST_TTL="+ttl.String(), "LEASE_TEST_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 4)
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "held" {
		t.Fatalf("the holder did not take the lease: %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, lines
}

// said collects what a lease says.
type said struct {
	mu    sync.Mutex
	lines []string
}

func (s *said) say(l string) { s.mu.Lock(); s.lines = append(s.lines, l); s.mu.Unlock() }
func (s *said) all() string  { s.mu.Lock(); defer s.mu.Unlock(); return strings.Join(s.lines, "\n") }

func me() Owner { return Owner{Job: "second", PID: os.Getpid(), Host: "h"} }

func TestSecondJobWaitsThenRuns(t *testing.T) {
	dir := t.TempDir()
	first, lines := holder(t, dir, 700*time.Millisecond, time.Second)
	var s said
	start := time.Now()
	l, err := Acquire(context.Background(), "b", Options{Dir: dir, TTL: time.Second, Wait: 10 * time.Second, Owner: me(), Say: s.say})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	waited := time.Since(start)
	if got := <-lines; got != "released" {
		t.Fatalf("the lease was taken while the first job held it (first job said %q)", got)
	}
	want := fmt.Sprintf(`lease: bench b is held by job "holder" (PID %d on h) since `, first.Process.Pid)
	if !strings.HasPrefix(s.all(), want) || strings.Count(s.all(), "\n") != 0 {
		t.Fatalf("the wait said %q, want one line starting %q", s.all(), want)
	}
	t.Logf("waited %v for the first job; said: %s", waited, s.all())
}

func TestKilledHoldersLeaseIsBrokenAfterItsExpiry(t *testing.T) {
	dir := t.TempDir()
	const ttl = 600 * time.Millisecond
	first, _ := holder(t, dir, time.Hour, ttl)
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	left, err := read(dir + "/b.json")
	if err != nil || left == nil || left.Owner.PID != first.Process.Pid {
		t.Fatalf("the killed job left no lease: %v %v", left, err)
	}
	var s said
	l, err := Acquire(context.Background(), "b", Options{Dir: dir, TTL: ttl, Wait: 10 * time.Second, Owner: me(), Say: s.say})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if l.Acquired.Before(left.Expires) {
		t.Fatalf("the lease was broken at %v, before it expired at %v", l.Acquired, left.Expires)
	}
	if !strings.Contains(s.all(), "lease: broke the stale lease of bench b: job \"holder\"") {
		t.Fatalf("breaking the lease was not said: %q", s.all())
	}
	t.Logf("broken %v after expiry; said:\n%s", l.Acquired.Sub(left.Expires), s.all())
}

func TestWaitPastItsDeadlineEndsInOneLine(t *testing.T) {
	dir := t.TempDir()
	first, _ := holder(t, dir, time.Hour, 300*time.Millisecond) // renewed: never stale
	_, err := Acquire(context.Background(), "b", Options{Dir: dir, TTL: time.Second, Wait: time.Second, Owner: me()})
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("err = %v, want a refusal", err)
	}
	msg := err.Error()
	want := fmt.Sprintf(`lease: bench b is held by job "holder" (PID %d on h) since `, first.Process.Pid)
	if !strings.HasPrefix(msg, want) || strings.Contains(msg, "\n") || !strings.Contains(msg, "waited 1s") {
		t.Fatalf("err = %q, want one line starting %q that says how long it waited", msg, want)
	}
}

func TestReleaseFreesAndRenewKeeps(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, TTL: 300 * time.Millisecond, Wait: 0, Owner: me()}
	l, err := Acquire(context.Background(), "b", o)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // three times the TTL: only renewal keeps it
	if _, err := Acquire(context.Background(), "b", o); err == nil {
		t.Fatal("a renewed lease was taken by another job")
	}
	if err := l.Release(); err != nil || l.Lost() != nil {
		t.Fatalf("release: %v, lost: %v", err, l.Lost())
	}
	again, err := Acquire(context.Background(), "b", o)
	if err != nil {
		t.Fatalf("a released bench stayed held: %v", err)
	}
	again.Release()
}

func TestBadSettings(t *testing.T) {
	env := map[string]string{"HIL_STATE_DIR": "/s", "HIL_LEASE_TTL": "soon", "HIL_LEASE_WAIT": "-1s"}
	_, err := FromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), `lease: HIL_LEASE_TTL="soon": not a duration`) || !strings.Contains(err.Error(), `HIL_LEASE_WAIT="-1s"`) {
		t.Fatalf("err = %v", err)
	}
	env = map[string]string{"HIL_STATE_DIR": "/s", "GITHUB_RUN_ID": "7", "GITHUB_JOB": "hil", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ATTEMPT": "2"}
	o, err := FromEnv(func(k string) string { return env[k] })
	if err != nil || o.Dir != "/s/lease" || o.TTL != DefaultTTL || o.Owner.Job != "o/r run 7 attempt 2 job hil" {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := Acquire(context.Background(), "../x", o); err == nil || !strings.Contains(err.Error(), "cannot name a lease") {
		t.Fatalf("a bench id with a path was taken: %v", err)
	}
}

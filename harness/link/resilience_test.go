package link_test

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/harness/echo"
	"github.com/picohil/picohil/harness/link"
)

// settledGoroutines waits up to two seconds for the goroutine count to fall
// back to at most want and returns the last count seen.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

func TestDeviceGoneMidReadIsADisconnectWithinTheDeadline(t *testing.T) {
	before := runtime.NumGoroutine()
	d, err := virtual.Start(virtual.Config{BlinkHalf: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	l, err := link.Open(d.DataPort(), virtual.DefaultBaud)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	type result struct {
		err  error
		took time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		_, err := l.ReadFull(ctx, make([]byte, 16))
		done <- result{err, time.Since(start)}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := d.Close(); err != nil {
		t.Errorf("close device: %v", err)
	}
	r := <-done
	if link.KindOf(r.err) != link.Disconnected || r.took >= deadline {
		t.Fatalf("read after unplug: %v (kind %s) after %v; want a disconnect before the %v deadline", r.err, link.KindOf(r.err), r.took, deadline)
	}
	if !strings.Contains(r.err.Error(), "disconnected") || !strings.Contains(r.err.Error(), "hint:") {
		t.Errorf("error does not name the disconnect with a hint: %v", r.err)
	}
	l.Close()
	if after := settledGoroutines(before); after > before {
		t.Fatalf("%d goroutines before the device, %d after it went away", before, after)
	}
}

func TestOpenNamesAnotherProcessHoldingThePort(t *testing.T) {
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	f, err := os.OpenFile(p.Path, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	sleep := exec.Command("sleep", "30")
	sleep.ExtraFiles = []*os.File{f}
	err = sleep.Start()
	f.Close()
	if err != nil {
		t.Skipf("no sleep to hold the port: %v", err)
	}
	stop := func() { sleep.Process.Kill(); sleep.Wait() }
	t.Cleanup(stop)

	l, err := link.Open(p.Path, 115200)
	if err == nil {
		l.Close()
		t.Fatalf("opened %s while pid %d holds it", p.Path, sleep.Process.Pid)
	}
	want := "(held by pid " + strconv.Itoa(sleep.Process.Pid) + " sleep)"
	msg := err.Error()
	if link.KindOf(err) != link.Busy || !strings.Contains(msg, want) || !strings.Contains(msg, "hint:") || strings.Contains(msg, "\n") {
		t.Fatalf("err = %v (kind %s); want one busy line containing %q and a hint", err, link.KindOf(err), want)
	}

	stop()
	l, err = link.Open(p.Path, 115200)
	if err != nil {
		t.Fatalf("open after the holder exited: %v", err)
	}
	l.Close()
}

func TestFlushResynchronisesAfterGarbage(t *testing.T) {
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	l, err := link.Open(p.Path, 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })

	// An overrun burst: more garbage than the line buffers hold, with
	// NULs (a break reads as one) and stray line endings mixed in.
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
		if i%97 == 0 {
			garbage[i] = 0
		}
	}
	written := make(chan error, 1)
	go func() {
		for off := 0; off < len(garbage); off += 1024 {
			if _, err := p.Master.Write(garbage[off : off+1024]); err != nil {
				written <- err
				return
			}
		}
		written <- nil
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := l.Flush(ctx, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	// Re-check: a writer starved past the settle time leaves a tail.
	if _, err := l.Flush(ctx, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}

	go io.Copy(p.Master, p.Master) // an instant echo from now on
	payload := make([]byte, 256)
	for i := range payload {
		payload[i] = byte(i)
	}
	if _, err := echo.RoundTrip(ctx, l, payload); err != nil {
		t.Fatalf("echo after flushing the garbage: %v", err)
	}
}

package link_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/fixtures/micropython"
	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/fixtures/virtual/virtualtest"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
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
	expectFailFast(t, l, link.Disconnected)
	l.Close()
	expectFailFast(t, l, link.Closed)
	if after := settledGoroutines(before); after > before {
		t.Fatalf("%d goroutines before the device, %d after it went away", before, after)
	}
}

func TestOpenNamesAnotherProcessHoldingThePort(t *testing.T) {
	p, slave := ptyAndSlave(t)
	sleep, stop := holdIn(t, slave)
	slave.Close()

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

// expectFailFast runs every operation on a link whose device is gone: each
// must fail with kind, not wait out its generous deadline (which would show
// as a timeout).
func expectFailFast(t *testing.T, l *link.Link, kind link.Kind) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ops := map[string]func() error{
		"ReadFull": func() error { _, err := l.ReadFull(ctx, make([]byte, 4)); return err },
		"ReadSome": func() error { _, err := l.ReadSome(ctx, make([]byte, 4)); return err },
		"ReadLine": func() error { _, err := l.ReadLine(ctx); return err },
		"Write":    func() error { return l.Write([]byte("x")) },
		"Resync":   func() error { _, err := l.Resync(ctx); return err },
	}
	for name, op := range ops {
		if err := op(); link.KindOf(err) != kind {
			t.Errorf("%s on a link whose device is gone: %v (kind %s), want kind %s", name, err, link.KindOf(err), kind)
		}
	}
}

// children lists the processes whose parent is pid.
func children(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(s)))
			out = append(out, child)
		}
	}
	return out
}

func TestFirmwareProcessKilledIsADisconnect(t *testing.T) {
	before := runtime.NumGoroutine()
	sctx, cancel := context.WithTimeout(context.Background(), micropython.StartTimeout)
	defer cancel()
	d, err := micropython.Start(sctx, micropython.Config{})
	if errors.Is(err, micropython.ErrNoNode) || errors.Is(err, micropython.ErrNoModules) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	node := children(t, os.Getpid())
	if len(node) != 1 {
		t.Fatalf("want the one Node process under the test, got pids %v", node)
	}
	l, err := link.Open(d.DataPort(), 115200)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := echo.RoundTrip(ctx, l, []byte("alive")); err != nil {
		t.Fatalf("echo before the kill: %v", err)
	}

	// The firmware crashes hard mid-read: as a board losing power.
	done := make(chan error, 1)
	go func() { _, err := l.ReadFull(ctx, make([]byte, 1)); done <- err }()
	if err := syscall.Kill(node[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; link.KindOf(err) != link.Disconnected {
		t.Fatalf("read while the firmware was killed: %v (kind %s), want disconnected", err, link.KindOf(err))
	}
	if err := d.Err(); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Errorf("the device does not say it stopped: %v", err)
	}
	expectFailFast(t, l, link.Disconnected)

	l.Close()
	d.Close()
	if err := syscall.Kill(node[0], 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("Node pid %d still in the process table after Close: %v", node[0], err)
	}
	if left := children(t, os.Getpid()); len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
	if after := settledGoroutines(before); after > before {
		t.Errorf("%d goroutines before the device, %d after it was killed and closed", before, after)
	}
}

// lineNoise is what a device's UART can put on the line besides answers.
var lineNoise = []struct {
	name  string
	bytes func() []byte
}{
	{"garbage", func() []byte {
		rng := rand.New(rand.NewPCG(1, 2))
		b := make([]byte, 300)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return append(b, "\r\nOK\n"...)
	}},
	// A break is the line held low for longer than a character: with
	// PARMRK off a UART delivers it as 0x00 with a framing error, and the
	// characters right after it are mis-framed. (tcsendbreak on a pty
	// master succeeds but delivers nothing: ptys have no break, so the
	// bytes a UART would hand over stand in for it.)
	{"break", func() []byte { return append(make([]byte, 32), 0xf0, 0xe0, 0x80, 0xfe) }},
	// More than the tty's line buffer holds while nobody reads: on a real
	// UART the excess overruns the FIFO; here the writer blocks until the
	// reader drains it.
	{"overrun burst", func() []byte {
		b := make([]byte, 64<<10)
		for i := range b {
			b[i] = byte(i*7 + 1)
		}
		return b
	}},
}

// TestResyncAfterLineNoise puts noise on the line mid-echo: that echo must
// fail (resynchronising never hides a corrupted answer), then Resync
// recovers the line so the following echoes pass instead of failing one
// after another on stale bytes.
func TestResyncAfterLineNoise(t *testing.T) {
	for _, c := range lineNoise {
		t.Run(c.name, func(t *testing.T) {
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
			go io.Copy(p.Master, p.Master) // an instant echo until the pty closes
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := echo.RoundTrip(ctx, l, []byte("ping")); err != nil {
				t.Fatalf("echo before the noise: %v", err)
			}

			// The head of the noise is on the line before the echo starts;
			// the rest may block until the reader drains it.
			noise := c.bytes()
			head := min(len(noise), 1024)
			if _, err := p.Master.Write(noise[:head]); err != nil {
				t.Fatal(err)
			}
			written := make(chan error, 1)
			go func() { _, err := p.Master.Write(noise[head:]); written <- err }()
			var mismatch *echo.MismatchError
			if _, err := echo.RoundTrip(ctx, l, []byte("ping")); !errors.As(err, &mismatch) {
				t.Fatalf("echo with %s on the line: %v, want a mismatch", c.name, err)
			}
			dropped, err := l.Resync(ctx)
			if err != nil {
				t.Fatalf("resync: %v", err)
			}
			if err := <-written; err != nil {
				t.Fatal(err)
			}
			// What the failed echo left on the line is gone once the echoes
			// below come back exact; how much of it the resync read
			// depends on how far the pty had delivered it.
			t.Logf("resync dropped %d bytes after %s", dropped, c.name)
			rtts, err := echo.SingleBytes(ctx, l, 100, time.Second, time.Second)
			if err != nil || len(rtts) != 100 {
				t.Fatalf("echoes after the resync: %d trips, %v", len(rtts), err)
			}
			if _, err := echo.RoundTrip(ctx, l, echo.AllBytes()); err != nil {
				t.Fatalf("256 byte values after the resync: %v", err)
			}
		})
	}
}

// virtualBench starts a virtual Pico with faults and opens both its lines.
func virtualBench(t *testing.T, faults virtual.Faults) (*link.Link, *control.Client) {
	t.Helper()
	d := virtualtest.Start(t, virtual.Config{BlinkHalf: time.Hour, Faults: faults})
	return virtualtest.Open(t, d.DataPort(), virtual.DefaultBaud), control.New(virtualtest.Open(t, d.ControlPort(), virtual.DefaultBaud))
}

// TestResyncAfterFramingErrors runs the device at another rate for one
// echo: the host reads mis-sampled characters (runs of 0x00 with framing
// errors, as after a break) and that echo fails; once the rates agree
// again, Resync drops the leftovers and echoes pass.
func TestResyncAfterFramingErrors(t *testing.T) {
	data, ctl := virtualBench(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ctl.SetBaud(ctx, 9600); err != nil {
		t.Fatal(err)
	}
	mctx, mcancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err := echo.RoundTrip(mctx, data, []byte("0123456789abcdef"))
	mcancel()
	if err == nil {
		t.Fatal("echo at mismatched rates came back intact")
	}
	if err := ctl.SetBaud(ctx, virtual.DefaultBaud); err != nil {
		t.Fatal(err)
	}
	if _, err := data.Resync(ctx); err != nil {
		t.Fatalf("resync: %v", err)
	}
	if _, err := echo.SingleBytes(ctx, data, 200, time.Second, time.Second); err != nil {
		t.Fatalf("echoes after the resync: %v", err)
	}
}

// TestResyncDoesNotMaskFaults resynchronises before each series, as the
// specs do before each spec: a firmware that drops, corrupts or adds bytes
// must still fail every series.
func TestResyncDoesNotMaskFaults(t *testing.T) {
	for _, f := range []virtual.Fault{virtual.DropByte, virtual.CorruptByte, virtual.ExtraByte} {
		t.Run(string(f), func(t *testing.T) {
			data, _ := virtualBench(t, virtual.Faults{f: true})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for series := range 2 {
				if _, err := data.Resync(ctx); err != nil {
					t.Fatalf("resync: %v", err)
				}
				if _, err := echo.SingleBytes(ctx, data, 1000, time.Second, time.Second); err == nil {
					t.Fatalf("series %d: 1000 echoes passed with %s", series+1, f)
				}
			}
		})
	}
}

// ptyAndSlave is a pty and its slave opened a second time, to hand to
// another process.
func ptyAndSlave(t *testing.T) (*pty.Pair, *os.File) {
	t.Helper()
	p, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	slave, err := os.OpenFile(p.Path, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return p, slave
}

// holdIn starts a process that keeps files open until stop or the end of
// the test.
func holdIn(t *testing.T, files ...*os.File) (cmd *exec.Cmd, stop func()) {
	t.Helper()
	cmd = exec.Command("sleep", "30")
	cmd.ExtraFiles = files
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep to hold the port: %v", err)
	}
	stop = sync.OnceFunc(func() { cmd.Process.Kill(); cmd.Wait() })
	t.Cleanup(stop)
	return cmd, stop
}

// A device that owns the pty's master and keeps its slave open, as
// emulators and socat do, is the device itself: its port opens. A second
// program holding the slave is still refused, by name.
func TestOpenAcceptsThePtyDeviceHoldingItsOwnSlave(t *testing.T) {
	p, slave := ptyAndSlave(t)
	holdIn(t, p.Master, slave)
	l, err := link.Open(p.Path, 115200)
	if err != nil {
		t.Fatalf("the device holding both sides of %s is refused: %v", p.Path, err)
	}
	l.Close()

	other, _ := holdIn(t, slave)
	slave.Close()
	l, err = link.Open(p.Path, 115200)
	if err == nil {
		l.Close()
		t.Fatalf("opened %s while pid %d, not the device, holds it", p.Path, other.Process.Pid)
	}
	if want := "(held by pid " + strconv.Itoa(other.Process.Pid) + " sleep)"; link.KindOf(err) != link.Busy || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v; want busy %s", err, want)
	}
}

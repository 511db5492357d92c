package deploy

import (
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/fixtures/micropython"
)

// startREPL runs MicroPython's REPL behind a pty, skipping the test where
// Node or the npm modules are missing.
func startREPL(t *testing.T) *micropython.Device {
	t.Helper()
	d, err := micropython.StartREPL(testCtx(t, micropython.StartTimeout), micropython.Config{})
	if errors.Is(err, micropython.ErrNoNode) || errors.Is(err, micropython.ErrNoModules) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestRealREPL writes the reference firmware through MicroPython's own raw
// REPL (the WebAssembly port under Node) and reads it back.
func TestRealREPL(t *testing.T) {
	t.Parallel()
	d := startREPL(t)
	l := openLink(t, d.ControlPort())
	src, err := os.ReadFile("../../../firmware/main.py")
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t, 20*time.Second)

	s, err := Enter(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile(ctx, "main.py", src); err != nil {
		t.Fatal(err)
	}
	out, err := s.Exec(ctx, "import binascii\nprint(binascii.hexlify(open('main.py','rb').read()).decode())")
	if err != nil {
		t.Fatal(err)
	}
	if back, err := hex.DecodeString(strings.TrimSpace(out)); err != nil || string(back) != string(src) {
		t.Fatalf("read back %d bytes (%v), wrote %d", len(back), err, len(src))
	}
	if sum, err := s.FileSum(ctx, "main.py"); err != nil || sum != SumOf(src) {
		t.Fatalf("device sum %v (%v), want %v", sum, err, SumOf(src))
	}

	_, err = s.Exec(ctx, "def f():\n 1/0\nf()")
	var exc *ExceptionError
	if !errors.As(err, &exc) || !strings.Contains(exc.Traceback, "ZeroDivisionError") || !strings.Contains(err.Error(), "line 2, in f") {
		t.Fatalf("exception: %v", err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestDeployBootsOnRealMicroPython deploys the reference firmware through
// MicroPython's raw REPL; the soft reset boots it and VERSION answers with
// the version in the source.
func TestDeployBootsOnRealMicroPython(t *testing.T) {
	t.Parallel()
	d := startREPL(t)
	src, err := os.ReadFile("../../../firmware/main.py")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ExpectedVersion(src)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Deploy(testCtx(t, 30*time.Second), openLink(t, d.ControlPort()), Firmware{Source: src})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if v.Semver != want {
		t.Errorf("VERSION after boot %s, want %s", v, want)
	}
}

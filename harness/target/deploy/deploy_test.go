package deploy

import (
	"github.com/picohil/picohil/fixtures/pty/ptytest"

	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/serial/link"
)

// firmware is a main.py with every byte value in it, so the bytes
// literals must escape quotes, backslashes and control characters.
func firmware(version string) []byte {
	src := []byte("NAME = \"picohil-fw\"\nVERSION = \"" + version + "\"\n# \\ ' \"\n")
	for i := range 600 {
		src = append(src, byte(i))
	}
	return src
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestDeployWritesVerifiesAndBoots(t *testing.T) {
	f := &fakePico{version: "1.2.3"}
	l := startFake(t, f)
	src := firmware("1.2.3")
	v, err := Deploy(testCtx(t, 3*time.Second), l, Firmware{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "picohil-fw" || v.Semver != "1.2.3" {
		t.Fatalf("version %v", v)
	}
	got, ok := f.file("main.py")
	if !ok || !bytes.Equal(got, src) {
		t.Fatalf("main.py on the device: %q, want %q", got, src)
	}
	if _, ok := f.file("main.py.part"); ok {
		t.Fatal("main.py.part left behind")
	}
	for _, code := range f.executed() {
		if lit, ok := strings.CutPrefix(code, "w("); ok && len(unquoteBytes(lit[2:len(lit)-2])) > chunkSize {
			t.Fatalf("chunk of more than %d bytes: %.40q", chunkSize, code)
		}
	}
}

func TestNoPromptTimesOutWithHint(t *testing.T) {
	t.Parallel()
	p := ptytest.Open(t)
	l := openLink(t, p.Path)
	go p.Master.Write([]byte("some program's output\r\n"))
	_, err := Enter(testCtx(t, 300*time.Millisecond), l)
	if KindOf(err) != NoPrompt || !errors.Is(err, link.ErrTimeout) {
		t.Fatalf("err %v, want a NoPrompt timeout", err)
	}
	for _, want := range []string{"no raw REPL prompt", "Thonny", "hint:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

func TestDeviceExceptionCarriesTraceback(t *testing.T) {
	f := &fakePico{version: "1.0.0", raise: "w(b'"}
	l := startFake(t, f)
	_, err := Deploy(testCtx(t, 3*time.Second), l, Firmware{Name: "main.py", Source: firmware("1.0.0")})
	var exc *ExceptionError
	if KindOf(err) != Exception || !errors.As(err, &exc) {
		t.Fatalf("err %v, want a device exception", err)
	}
	if !strings.Contains(exc.Traceback, "OSError: [Errno 28] ENOSPC") {
		t.Fatalf("traceback %q", exc.Traceback)
	}
	msg := err.Error()
	if !strings.Contains(msg, "write main.py: device exception: device raised OSError: [Errno 28] ENOSPC (at File \"<stdin>\", line 1") || strings.Contains(msg, "\n") {
		t.Fatalf("message %q", msg)
	}
	if _, ok := f.file("main.py"); ok {
		t.Fatal("main.py replaced after a failed write")
	}
}

func TestVerifyMismatchKeepsTheOldFile(t *testing.T) {
	f := &fakePico{version: "1.0.0", corrupt: true}
	l := startFake(t, f)
	_, err := Deploy(testCtx(t, 3*time.Second), l, Firmware{Name: "main.py", Source: firmware("1.0.0")})
	if KindOf(err) != Mismatch || !strings.Contains(err.Error(), "verify main.py") {
		t.Fatalf("err %v, want a verify mismatch", err)
	}
	if _, ok := f.file("main.py"); ok {
		t.Fatal("main.py replaced after a failed verify")
	}
}

func TestWrongVersion(t *testing.T) {
	l := startFake(t, &fakePico{version: "0.9.0"})
	_, err := Deploy(testCtx(t, 3*time.Second), l, Firmware{Name: "main.py", Source: firmware("1.0.0")})
	if KindOf(err) != WrongVersion || !strings.Contains(err.Error(), "device runs picohil-fw 0.9.0, want 1.0.0") {
		t.Fatalf("err %v", err)
	}
}

func TestExpectedVersionOverridesTheSource(t *testing.T) {
	l := startFake(t, &fakePico{version: "2.0.0-rc1"})
	v, err := Deploy(testCtx(t, 3*time.Second), l, Firmware{Name: "main.py", Source: []byte("print('no version here')\n"), Version: "2.0.0-rc1"})
	if err != nil || v.Semver != "2.0.0-rc1" {
		t.Fatalf("v %v err %v", v, err)
	}
}

func TestCrashAtBootQuotesTheTraceback(t *testing.T) {
	t.Parallel()
	l := startFake(t, &fakePico{})
	_, err := Deploy(testCtx(t, 1500*time.Millisecond), l, Firmware{Name: "main.py", Source: firmware("1.0.0")})
	if KindOf(err) != NoBoot || !strings.Contains(err.Error(), "ImportError: no module named 'asyncio'") {
		t.Fatalf("err %v, want NoBoot quoting the crash", err)
	}
}

func TestExpectedVersion(t *testing.T) {
	for src, want := range map[string]string{
		"NAME = 'x'\nVERSION = \"1.0.0\"\n": "1.0.0",
		"VERSION='0.1.2-dev'":               "0.1.2-dev",
		"MIN_VERSION = \"9\"\n":             "",
		"# VERSION = \"1\"":                 "",
	} {
		got, err := ExpectedVersion([]byte(src))
		if got != want || (want == "") != (KindOf(err) == BadSource) {
			t.Errorf("%q: got %q err %v, want %q", src, got, err, want)
		}
	}
}

func TestBootloader(t *testing.T) {
	f := &fakePico{}
	l := startFake(t, f)
	if err := Bootloader(testCtx(t, 2*time.Second), l); err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.bootloader:
	case <-time.After(time.Second):
		t.Fatal("machine.bootloader() not run")
	}
}

func TestPyBytesEscapesEverything(t *testing.T) {
	all := echo.AllBytes()
	lit := pyBytes(all)
	for _, c := range []byte(lit) {
		if c < 0x20 || c >= 0x7f {
			t.Fatalf("raw byte 0x%02x in %q", c, lit)
		}
	}
	if got := unquoteBytes(lit[2 : len(lit)-1]); !bytes.Equal(got, all) {
		t.Fatalf("round trip: %q", got)
	}
}

// A reply that stopped before its end is a timeout, not a reply outside
// the protocol: the message says so and hints at a slow or stopped device.
func TestAReplyCutShortSaysItTimedOut(t *testing.T) {
	cut := &Error{Op: "exec", Kind: Protocol, Err: fmt.Errorf("read: %w", link.ErrTimeout), Got: "\r\nMPY: soft reboot\r\n"}
	odd := &Error{Op: "exec", Kind: Protocol, Err: errors.New("the raw REPL did not accept the code"), Got: "??"}
	for _, c := range []struct {
		err        *Error
		want, lack string
	}{
		{cut, "deploy: exec: no complete reply in time (received \"\\r\\nMPY: soft reboot\\r\\n\") (hint: the device was slower than the step's deadline", "unexpected reply"},
		{odd, "deploy: exec: unexpected reply: the raw REPL did not accept the code", "in time"},
	} {
		if msg := c.err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, c.lack) {
			t.Errorf("%s\nwant %q in it, and not %q", msg, c.want, c.lack)
		}
	}
}

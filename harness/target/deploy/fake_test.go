package deploy

import (
	"bytes"
	"fmt"
	"hash/adler32"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/fixtures/pty/ptytest"
	"github.com/picohil/picohil/harness/serial/link"
)

// fakePico plays a Pico running MicroPython on the master side of a pty:
// the firmware answers VERSION until Ctrl-C drops it into the friendly
// REPL; Ctrl-A, Ctrl-B and Ctrl-D move between the raw REPL, the friendly
// REPL and a soft reset as MicroPython does; in the raw REPL it runs the
// code Session sends (opening, writing and closing a file, the checksum,
// the rename) against an in-memory filesystem and records every piece;
// machine.bootloader() unplugs it before the raw REPL's "OK" goes out.
type fakePico struct {
	version    string // VERSION reply after a reset; empty: main.py crashes at boot
	raise      string // code containing this raises OSError
	corrupt    bool   // the checksum is off by one
	bootloader chan struct{}

	mu    sync.Mutex
	files map[string][]byte
	codes []string

	mode    string // "firmware", "friendly" or "raw"
	line    []byte
	open    string
	writing []byte
	out     *bytes.Buffer
}

const (
	fakeBanner   = "\r\nMicroPython v1.24.1 on 2024-11-29; Raspberry Pi Pico with RP2040\r\nType \"help()\" for more information.\r\n>>> "
	fakeCrash    = "Traceback (most recent call last):\r\n  File \"main.py\", line 3, in <module>\r\nImportError: no module named 'asyncio'\r\n"
	fakeRaiseErr = "Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\nOSError: [Errno 28] ENOSPC\r\n"
)

// startFake runs f behind a fresh pty and returns the host side.
func startFake(t *testing.T, f *fakePico) *link.Link {
	t.Helper()
	p := ptytest.Open(t)
	f.files = map[string][]byte{}
	f.mode = "firmware"
	f.bootloader = make(chan struct{})
	go f.serve(p)
	return openLink(t, p.Path)
}

func openLink(t *testing.T, path string) *link.Link {
	t.Helper()
	l, err := link.Open(path, 115200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func (f *fakePico) serve(p *pty.Pair) {
	buf := make([]byte, 4096)
	for {
		n, err := p.Master.Read(buf)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.out = &bytes.Buffer{}
		for _, c := range buf[:n] {
			f.input(c)
		}
		reply := f.out.Bytes()
		f.mu.Unlock()
		select {
		case <-f.bootloader:
			p.Master.Close()
			return
		default:
		}
		if _, err := p.Master.Write(reply); err != nil {
			return
		}
	}
}

func (f *fakePico) input(c byte) {
	switch f.mode {
	case "firmware":
		f.firmware(c)
	case "friendly":
		f.friendly(c)
	case "raw":
		f.raw(c)
	}
}

func (f *fakePico) firmware(c byte) {
	switch c {
	case 0x03:
		f.out.WriteString("Traceback (most recent call last):\r\n  File \"main.py\", line 218, in <module>\r\nKeyboardInterrupt: \r\n" + fakeBanner)
		f.mode = "friendly"
		f.line = nil
	case '\n':
		if strings.TrimSpace(string(f.line)) == "VERSION" {
			f.out.WriteString("OK VERSION picohil-fw " + f.version + "\r\n")
		}
		f.line = nil
	default:
		f.line = append(f.line, c)
	}
}

func (f *fakePico) friendly(c byte) {
	switch c {
	case 0x01:
		f.out.WriteString("\r\nraw REPL; CTRL-B to exit\r\n>")
		f.mode = "raw"
		f.line = nil
	case 0x04:
		f.out.WriteString("MPY: soft reboot\r\n")
		f.mode = "firmware"
		if f.version == "" {
			f.out.WriteString(fakeCrash + fakeBanner)
			f.mode = "friendly"
		}
	case '\r', 0x03:
		f.out.WriteString("\r\n>>> ")
	}
}

func (f *fakePico) raw(c byte) {
	switch c {
	case 0x01:
		f.line = nil
		f.out.WriteString("\r\nraw REPL; CTRL-B to exit\r\n>")
	case 0x02:
		f.line = nil
		f.out.WriteString(fakeBanner)
		f.mode = "friendly"
	case 0x03:
		f.line = nil
	case 0x04:
		code := string(f.line)
		f.line = nil
		if code == "" {
			f.out.WriteString("OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>")
			return
		}
		f.out.WriteString("OK")
		f.exec(code)
	default:
		f.line = append(f.line, c)
	}
}

var (
	openRe   = regexp.MustCompile(`^f=open\('([^']+)','wb'\)`)
	sumRe    = regexp.MustCompile(`_sum\('([^']+)'\)`)
	renameRe = regexp.MustCompile(`os\.rename\('([^']+)','([^']+)'\)`)
)

// exec runs the subset of Python that Session sends.
func (f *fakePico) exec(code string) {
	f.codes = append(f.codes, code)
	var out string
	switch {
	case f.raise != "" && strings.Contains(code, f.raise):
		f.out.WriteString("\x04" + fakeRaiseErr + "\x04>")
		return
	case strings.Contains(code, "machine.bootloader()"):
		f.out.Reset() // USB goes down before "OK" leaves
		close(f.bootloader)
		return
	case openRe.MatchString(code):
		f.open, f.writing = openRe.FindStringSubmatch(code)[1], nil
	case strings.HasPrefix(code, "w(b'"):
		f.writing = append(f.writing, unquoteBytes(code[4:len(code)-2])...)
	case strings.HasPrefix(code, "f.close()"):
		f.files[f.open] = f.writing
	case sumRe.MatchString(code):
		data := f.files[sumRe.FindStringSubmatch(code)[1]]
		sum := adler32.Checksum(data)
		if f.corrupt {
			sum++
		}
		out = fmt.Sprintf("%d %d\r\n", len(data), sum)
	case renameRe.MatchString(code):
		m := renameRe.FindStringSubmatch(code)
		f.files[m[2]] = f.files[m[1]]
		delete(f.files, m[1])
	}
	f.out.WriteString(out + "\x04\x04>")
}

// unquoteBytes decodes the body of a Python bytes literal with \\, \' and
// \xNN escapes.
func unquoteBytes(s string) []byte {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		i++
		if s[i] == 'x' {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return b
}

func (f *fakePico) file(name string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.files[name]
	return b, ok
}

func (f *fakePico) executed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.codes...)
}

package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/adler32"
	"strconv"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/serial/link"
)

// Port is what a session needs from a serial port; *link.Link is one.
type Port interface {
	Write(p []byte) error
	ReadSome(ctx context.Context, p []byte) (int, error)
}

// Control characters of MicroPython's REPL.
const (
	ctrlA = "\x01" // enter the raw REPL
	ctrlB = "\x02" // leave it for the friendly REPL
	ctrlC = "\x03" // interrupt
	ctrlD = "\x04" // execute, or soft reset on an empty line
)

const (
	rawBanner      = "raw REPL; CTRL-B to exit\r\n>"
	friendlyPrompt = ">>> "
	softReboot     = "soft reboot\r\n"
	eot            = "\x04"
)

// Deadlines of the steps; a caller's context may end them sooner.
const (
	enterTimeout   = 5 * time.Second        // interrupt, raw REPL and soft reset
	attemptTimeout = 1 * time.Second        // one Ctrl-C, Ctrl-A try
	retryPause     = 100 * time.Millisecond // between interrupt attempts
	execTimeout    = 10 * time.Second       // one piece of code
	resetTimeout   = 5 * time.Second        // back to the friendly REPL and reset
)

const (
	chunkSize  = 256     // file bytes per bytes literal
	partSuffix = ".part" // a file being written
)

// Session is MicroPython's raw REPL on a port: code goes in, its output and
// any traceback come back.
type Session struct {
	port     Port
	buf      []byte  // received, not yet consumed
	slowdown float64 // how many times longer each step may take; at least 1
}

// Enter interrupts whatever runs on the device (Ctrl-C twice), enters the
// raw REPL (Ctrl-A) and soft-resets it (Ctrl-D) so the code that follows
// starts from a clean heap.
func Enter(ctx context.Context, port Port) (*Session, error) {
	return EnterSlowed(ctx, port, 1)
}

// EnterSlowed is Enter for a device that may run up to slowdown times
// slower than a Pico by the wall clock, as an emulator on a loaded host
// does: each step's deadline, in Enter and in the session after it, is
// that many times longer.
func EnterSlowed(ctx context.Context, port Port, slowdown float64) (*Session, error) {
	s := &Session{port: port, slowdown: max(slowdown, 1)}
	ctx, cancel := context.WithTimeout(ctx, s.stretch(enterTimeout))
	defer cancel()
	for {
		err := s.tryEnter(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, link.ErrTimeout) || ctx.Err() != nil {
			return nil, err
		}
		if !sleep(ctx, retryPause) {
			return nil, err
		}
	}
	if err := s.write("soft reset", ctrlD); err != nil {
		return nil, err
	}
	if _, err := s.expect(ctx, "soft reset", NoPrompt, softReboot); err != nil {
		return nil, err
	}
	if _, err := s.expect(ctx, "soft reset", NoPrompt, rawBanner); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Session) tryEnter(ctx context.Context) error {
	s.buf = nil
	if err := s.write("enter raw REPL", "\r"+ctrlC+ctrlC+"\r"+ctrlA); err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, s.stretch(attemptTimeout))
	defer cancel()
	_, err := s.expect(actx, "enter raw REPL", NoPrompt, rawBanner)
	return err
}

// Exec runs code and returns what it printed. An exception on the device
// is an error of kind Exception wrapping an *ExceptionError.
func (s *Session) Exec(ctx context.Context, code string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.stretch(execTimeout))
	defer cancel()
	if err := s.send(ctx, code); err != nil {
		return "", err
	}
	out, err := s.expect(ctx, "exec", Protocol, eot)
	if err != nil {
		return "", err
	}
	stderr, err := s.expect(ctx, "exec", Protocol, eot)
	if err != nil {
		return "", err
	}
	if _, err := s.expect(ctx, "exec", Protocol, ">"); err != nil {
		return "", err
	}
	if strings.TrimSpace(stderr) != "" {
		return out, &Error{Op: "exec", Kind: Exception, Err: &ExceptionError{Traceback: stderr}}
	}
	return out, nil
}

// stretch is a step's deadline d on this session's device.
func (s *Session) stretch(d time.Duration) time.Duration {
	return time.Duration(s.slowdown * float64(d))
}

// send writes code and Ctrl-D and waits for the raw REPL to accept it.
func (s *Session) send(ctx context.Context, code string) error {
	if err := s.write("exec", code+ctrlD); err != nil {
		return err
	}
	got, err := s.readN(ctx, 2)
	if err != nil {
		return &Error{Op: "exec", Kind: Protocol, Err: err, Got: got}
	}
	if got != "OK" {
		return &Error{Op: "exec", Kind: Protocol, Err: errors.New("the raw REPL did not accept the code"), Got: got}
	}
	return nil
}

// Sum is a file's length and Adler-32 checksum.
type Sum struct {
	Size    int
	Adler32 uint32
}

func (s Sum) String() string { return fmt.Sprintf("%d bytes, adler32 %08x", s.Size, s.Adler32) }

// SumOf is the Sum of data.
func SumOf(data []byte) Sum { return Sum{Size: len(data), Adler32: adler32.Checksum(data)} }

// sumCode prints a file's size and Adler-32 on the device, which may lack
// hashlib and binascii.
const sumCode = `def _sum(p):
 a,b,n=1,0,0
 with open(p,'rb') as f:
  while 1:
   d=f.read(256)
   if not d:break
   n+=len(d)
   for x in d:
    a=(a+x)%%65521
    b=(b+a)%%65521
 print(n,b<<16|a)
_sum(%s)
del _sum`

// FileSum computes a device file's Sum on the device.
func (s *Session) FileSum(ctx context.Context, name string) (Sum, error) {
	out, err := s.Exec(ctx, fmt.Sprintf(sumCode, pyString(name)))
	if err != nil {
		return Sum{}, err
	}
	f := strings.Fields(out)
	var size int
	var sum uint64
	if len(f) == 2 {
		size, err = strconv.Atoi(f[0])
		if err == nil {
			sum, err = strconv.ParseUint(f[1], 10, 32)
		}
	}
	if len(f) != 2 || err != nil {
		return Sum{}, &Error{Op: "checksum " + name, Kind: Protocol, Got: out}
	}
	return Sum{Size: size, Adler32: uint32(sum)}, nil
}

// WriteFile writes data to name on the device in bytes literals of at most
// 256 bytes, checks the Sum of what landed, and only then replaces name,
// so a broken transfer leaves the previous file in place.
func (s *Session) WriteFile(ctx context.Context, name string, data []byte) error {
	op := "write " + name
	part := name + partSuffix
	if err := s.run(ctx, op, fmt.Sprintf("f=open(%s,'wb')\nw=f.write", pyString(part))); err != nil {
		return err
	}
	for i := 0; i < len(data); i += chunkSize {
		if err := s.run(ctx, op, "w("+pyBytes(data[i:min(i+chunkSize, len(data))])+")"); err != nil {
			return err
		}
	}
	if err := s.run(ctx, op, "f.close()\ndel f,w"); err != nil {
		return err
	}
	got, err := s.FileSum(ctx, part)
	if err != nil {
		return err
	}
	if want := SumOf(data); got != want {
		return &Error{Op: "verify " + name, Kind: Mismatch, Err: fmt.Errorf("device has %s, sent %s", got, want)}
	}
	return s.run(ctx, op, fmt.Sprintf("import os\ntry:\n os.remove(%[1]s)\nexcept OSError:\n pass\nos.rename(%[2]s,%[1]s)", pyString(name), pyString(part)))
}

// run executes code whose output does not matter and names the step in
// the error.
func (s *Session) run(ctx context.Context, op, code string) error {
	_, err := s.Exec(ctx, code)
	var de *Error
	if errors.As(err, &de) {
		de.Op = op
	}
	return err
}

// Reset leaves the raw REPL and soft-resets the device from the friendly
// REPL, which makes MicroPython run main.py.
func (s *Session) Reset(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.stretch(resetTimeout))
	defer cancel()
	if err := s.write("reset", ctrlB); err != nil {
		return err
	}
	if _, err := s.expect(ctx, "reset", Protocol, friendlyPrompt); err != nil {
		return err
	}
	if err := s.write("reset", ctrlD); err != nil {
		return err
	}
	_, err := s.expect(ctx, "reset", Protocol, softReboot)
	return err
}

// Bootloader reboots the device into its USB mass-storage bootloader
// (BOOTSEL mode); the serial port then goes away, possibly before the
// raw REPL's "OK" arrives.
func Bootloader(ctx context.Context, port Port) error {
	s, err := Enter(ctx, port)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.stretch(execTimeout))
	defer cancel()
	err = s.send(ctx, "import machine\nmachine.bootloader()")
	if link.KindOf(err) == link.Disconnected {
		return nil
	}
	return err
}

// Write sends p as is; with ReadLine it makes the session a control.Line
// once the firmware runs.
func (s *Session) Write(p []byte) error { return s.write("write", string(p)) }

// ReadLine reads one line and returns it without "\r\n" or "\n".
func (s *Session) ReadLine(ctx context.Context) (string, error) {
	line, err := s.readUntil(ctx, "\n")
	return strings.TrimSuffix(line, "\r"), err
}

func (s *Session) write(op, p string) error {
	if err := s.port.Write([]byte(p)); err != nil {
		return &Error{Op: op, Kind: Other, Err: err}
	}
	return nil
}

// expect reads until delim and returns what came before it. On failure
// the error has kind k and quotes what did arrive.
func (s *Session) expect(ctx context.Context, op string, k Kind, delim string) (string, error) {
	before, err := s.readUntil(ctx, delim)
	if err != nil {
		return "", &Error{Op: op, Kind: k, Err: err, Got: string(s.buf)}
	}
	return before, nil
}

// readUntil reads until delim and returns what came before it.
func (s *Session) readUntil(ctx context.Context, delim string) (string, error) {
	for {
		if i := bytes.Index(s.buf, []byte(delim)); i >= 0 {
			before := string(s.buf[:i])
			s.buf = s.buf[i+len(delim):]
			return before, nil
		}
		if err := s.fill(ctx); err != nil {
			return "", err
		}
	}
}

// readN reads exactly n bytes.
func (s *Session) readN(ctx context.Context, n int) (string, error) {
	for len(s.buf) < n {
		if err := s.fill(ctx); err != nil {
			return string(s.buf), err
		}
	}
	got := string(s.buf[:n])
	s.buf = s.buf[n:]
	return got, nil
}

func (s *Session) fill(ctx context.Context) error {
	var tmp [512]byte
	n, err := s.port.ReadSome(ctx, tmp[:])
	s.buf = append(s.buf, tmp[:n]...)
	return err
}

// pyString is a Python string literal for an ASCII name.
func pyString(s string) string { return pyBytes([]byte(s))[1:] }

// pyBytes is a Python bytes literal made of printable ASCII only, so no
// byte of it is a REPL control character.
func pyBytes(b []byte) string {
	var sb strings.Builder
	sb.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	sb.WriteByte('\'')
	return sb.String()
}

package echo

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// context bytes shown either side of the first difference.
const diffContext = 32

// MismatchError is an echo that did not come back byte for byte.
type MismatchError struct {
	Want []byte
	Got  []byte
	Err  error // why reading stopped early, if it did
}

func (e *MismatchError) Unwrap() error { return e.Err }

// Offset is the first differing byte offset (len(Got) when Got is a
// correct but short prefix).
func (e *MismatchError) Offset() int {
	if d := firstDiff(e.Want, e.Got); d >= 0 {
		return d
	}
	return len(e.Got)
}

func (e *MismatchError) Error() string {
	off := e.Offset()
	var b strings.Builder
	switch {
	case off < len(e.Got) && off < len(e.Want):
		fmt.Fprintf(&b, "echo: byte %d differs: expected 0x%02x, got 0x%02x (%d of %d bytes received, %d differ)",
			off, e.Want[off], e.Got[off], len(e.Got), len(e.Want), countDiff(e.Want, e.Got))
	case len(e.Got) < len(e.Want):
		fmt.Fprintf(&b, "echo: short answer: %d of %d bytes received, first missing at offset %d", len(e.Got), len(e.Want), off)
	default:
		fmt.Fprintf(&b, "echo: %d bytes received, %d expected", len(e.Got), len(e.Want))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	lo := max(0, off-diffContext) &^ 15
	fmt.Fprintf(&b, "\nexpected from offset %d:\n%s", lo, dump(e.Want, lo))
	fmt.Fprintf(&b, "got from offset %d:\n%s", lo, dump(e.Got, lo))
	return b.String()
}

func dump(b []byte, lo int) string {
	if lo >= len(b) {
		return "  (nothing)\n"
	}
	hi := min(len(b), lo+4*diffContext)
	return hex.Dump(b[lo:hi])
}

// firstDiff returns the first offset where want and got differ, -1 if they
// are equal.
func firstDiff(want, got []byte) int {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return i
		}
	}
	if len(want) != len(got) {
		return min(len(want), len(got))
	}
	return -1
}

func countDiff(want, got []byte) int {
	n := 0
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			n++
		}
	}
	return n
}

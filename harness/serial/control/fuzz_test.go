package control

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"OK", "OK picohil 1.0.0", "ERR unknown command", "  OK  spaced  ", "OKAY", "boot: hello", "", "ERR", "OK\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		ok, rest := ParseReply(line)
		if ok == nil {
			if rest != "" {
				t.Fatalf("ParseReply(%q): not a reply but rest %q", line, rest)
			}
			return
		}
		word := "ERR"
		if *ok {
			word = "OK"
		}
		if f := strings.Fields(line); len(f) == 0 || f[0] != word {
			t.Fatalf("ParseReply(%q) = %v; first word is not %s", line, *ok, word)
		}
		if rest != strings.TrimSpace(rest) {
			t.Fatalf("ParseReply(%q): rest %q not trimmed", line, rest)
		}
	})
}

// fuzzParser fuzzes a reply-payload parser from seeds: a rejection must be
// one ErrMalformed line; an accepted value must be valid and re-parse from
// its canonical form to itself.
func fuzzParser[T comparable](f *testing.F, seeds []string, parse func(string) (T, error), format func(T) string, valid func(T) bool) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error %q is not one ErrMalformed line", s, err)
			}
			return
		}
		if !valid(v) {
			t.Fatalf("%q: accepted %+v", s, v)
		}
		if again, err := parse(format(v)); err != nil || again != v {
			t.Fatalf("%q: %+v does not round-trip: %+v, %v", s, v, again, err)
		}
	})
}

func FuzzParseStats(f *testing.F) {
	seeds := []string{"rx=1 tx=2 errors=0", "errors=0 rx=10 tx=10", "rx=1 tx=2", "rx=-1 tx=2 errors=0", "rx=1 tx=2 errors=0 extra=1",
		"rx=99999999999999999999 tx=0 errors=0", "rx= tx= errors=", "rx=1 rx=2 tx=3", ""}
	fuzzParser(f, seeds, ParseStats,
		func(st Stats) string { return fmt.Sprintf("rx=%d tx=%d errors=%d", st.RX, st.TX, st.Errors) },
		func(st Stats) bool { return st.RX >= 0 && st.TX >= 0 && st.Errors >= 0 })
}

func FuzzParseVersion(f *testing.F) {
	seeds := []string{"picohil 1.0.0", "picohil-virtual 1.0.0", "picohil", "a b c", " \t ", ""}
	fuzzParser(f, seeds, ParseVersion, Version.String, func(v Version) bool {
		return v.Name != "" && v.Semver != "" && !strings.ContainsAny(v.String(), "\r\n\t")
	})
}

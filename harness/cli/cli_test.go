package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
)

type refused struct{}

func (refused) Error() string   { return "refused, unlike runs" }
func (refused) ExitStatus() int { return 2 }

func TestRun(t *testing.T) {
	var got []string
	verbs := []Verb{
		{Name: "ok", Summary: "succeeds", Run: func(args []string, w io.Writer) error {
			got = args
			fmt.Fprint(w, "done")
			return nil
		}},
		{Name: "fail", Summary: "fails", Run: func([]string, io.Writer) error { return errors.New("broke") }},
		{Name: "refuse", Summary: "refuses", Run: func([]string, io.Writer) error { return fmt.Errorf("gate: %w", refused{}) }},
		{Name: "skip", Summary: "skips", Run: func([]string, io.Writer) error { return &SkippedError{"lane-x", errors.New("no tool")} }},
	}
	cases := []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"ok", "--x", "1"}, 0, "done", ""},
		{[]string{"fail"}, 1, "", "cmd: broke\n"},
		{[]string{"refuse"}, 2, "", "cmd: gate: refused, unlike runs\n"},
		{[]string{"skip"}, ExitSkipped, "", "cmd: lane-x: SKIPPED, not passed: no tool\n"},
		{[]string{"bogus"}, 2, "", `cmd: unknown command "bogus"` + "\nusage: cmd <command> [flags]"},
		{nil, 2, "", "usage: cmd <command> [flags]\n\ncommands:\n  ok      succeeds\n  fail    fails\n  refuse  refuses\n  skip    skips\n"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		status := Run("cmd", "cmd", verbs, c.args, &out, &errOut)
		if status != c.status || out.String() != c.stdout || !strings.HasPrefix(errOut.String(), c.stderr) {
			t.Errorf("Run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q...", c.args, status, out.String(), errOut.String(), c.status, c.stdout, c.stderr)
		}
	}
	if strings.Join(got, " ") != "--x 1" {
		t.Errorf("the verb got args %q, want the ones after its name", got)
	}
}

func TestParseRefusesOnOneLineWithUsageStatus(t *testing.T) {
	verb := func(args []string, w io.Writer) error {
		fs := flag.NewFlagSet("soak", flag.ContinueOnError)
		fs.Duration("duration", 0, "how long")
		return Parse(fs, args, w)
	}
	verbs := []Verb{{Name: "soak", Summary: "soaks", Run: verb}}
	cases := []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"soak", "--durration", "1m"}, ExitUsage, "cmd: soak: flag provided but not defined: -durration (hint: soak -h lists its flags)\n"},
		{[]string{"soak", "--duration", "ten"}, ExitUsage, `cmd: soak: invalid value "ten" for flag -duration: parse error (hint: soak -h lists its flags)` + "\n"},
		{[]string{"soak", "1m"}, ExitUsage, `cmd: soak: unexpected argument "1m" (hint: every setting is a flag such as --out x; soak -h lists them)` + "\n"},
		{[]string{"soak", "-h"}, 0, ""},
		{[]string{"soak", "--duration", "1m"}, 0, ""},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		if status := Run("cmd", "cmd", verbs, c.args, &out, &errOut); status != c.status || errOut.String() != c.stderr {
			t.Errorf("Run(%q) = %d, stderr %q; want %d, %q", c.args, status, errOut.String(), c.status, c.stderr)
		}
		if c.args[1] == "-h" && !strings.Contains(out.String(), "-duration") {
			t.Errorf("-h printed %q, want the flags", out.String())
		}
	}
}

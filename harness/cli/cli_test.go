package cli

import (
	"bytes"
	"errors"
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
	}
	cases := []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"ok", "--x", "1"}, 0, "done", ""},
		{[]string{"fail"}, 1, "", "cmd: broke\n"},
		{[]string{"refuse"}, 2, "", "cmd: gate: refused, unlike runs\n"},
		{[]string{"bogus"}, 2, "", `cmd: unknown command "bogus"` + "\nusage: cmd <command> [flags]"},
		{nil, 2, "", "usage: cmd <command> [flags]\n\ncommands:\n  ok      succeeds\n  fail    fails\n  refuse  refuses\n"},
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

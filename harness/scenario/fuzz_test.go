package scenario

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds Parse arbitrary files: it must never panic; a refusal is
// one line per problem, each naming the file and with a hint; an accepted
// scenario has steps a bench runs, and each step, written back as its
// String, parses to the same step.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"name: x\nversion: 1\nsteps:\n  - delay: 1ms\n",
		"name: x\nversion: 1\nsteps:\n  - write-serial: [1, 0xff]\n  - wait-serial: {port: control, text: OK, timeout: 1s}\n",
		"name: x\nversion: 1\nsteps:\n  - expect-pin: {part-id: pico, pin: LED, value: 1}\n  - set-control: {part-id: pico, control: run, value: 0}\n",
		"name: x\nversion: 1\nsteps:\n  - take-screenshot: {part-id: lcd1}\n  - delay: 5\n",
		"name: &a x\nversion: 1\nsteps: [*a, {delay: *a}]\n",
		"name: x\nversion: 1\nsteps:\n  - wait-serial: \"\\x00\\u00e9\"\n---\n",
		"{name: x, version: 1, steps: [{wait-pin: {part-id: pico, pin: GP15, value: 0, timeout: 1.5s}}]}",
		"", "- 1", "name: 'x\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "scenario: f.yaml") || !strings.Contains(line, "(hint: ") {
					t.Fatalf("refusal line without the file or a hint: %q", line)
				}
			}
			return
		}
		if len(s.Steps) == 0 || s.Version != 1 {
			t.Fatalf("accepted %+v", s)
		}
		for _, st := range s.Steps {
			if !slices.Contains(Commands, st.Command) {
				t.Fatalf("accepted the command %q", st.Command)
			}
			text := st.String()
			if !utf8.ValidString(text) || (st.Command == WriteSerial && !st.Raw && !utf8.Valid(st.Bytes)) {
				continue // a YAML file is text: raw bytes go as a list
			}
			again, err := Parse("again.yaml", []byte("name: x\nversion: 1\nsteps:\n  - "+text+"\n"))
			if err != nil {
				t.Fatalf("%s does not parse again: %v", text, err)
			}
			got := again.Steps[0]
			got.Index, got.Line, got.Name = st.Index, st.Line, st.Name
			if got.String() != text || got.Duration != st.Duration || string(got.Bytes) != string(st.Bytes) || got.Text != st.Text {
				t.Fatalf("%s parses again as %s", text, got)
			}
		}
	})
}

package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseReadsEveryStep(t *testing.T) {
	s, err := Parse("all.yaml", []byte(`name: 'every step'
version: 1
author: picohil
steps:
  - delay: 1.5s
  - write-serial: "hi\n"
  - name: the echo
    wait-serial: 'hi'
  - write-serial: [0x48, 105, 0b1010]
  - write-serial: {port: control, value: "VERSION\n"}
  - wait-serial: {port: control, text: OK VERSION, timeout: 2s}
  - expect-pin: {part-id: pico, pin: GP25, value: 1}
  - wait-pin:
      part-id: pico
      pin: LED
      value: 0
      timeout: 300ms
  - set-control: {part-id: pico, control: run, value: 0}
  - delay: 0
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "every step" || s.Version != 1 || s.Author != "picohil" || len(s.Steps) != 10 {
		t.Fatalf("got %+v", s)
	}
	want := []string{
		`delay: 1.5s`,
		`write-serial: "hi\n"`,
		`wait-serial: "hi"`,
		`write-serial: [72, 105, 10]`,
		`write-serial: {port: control, value: "VERSION\n"}`,
		`wait-serial: {port: control, text: "OK VERSION", timeout: 2s}`,
		`expect-pin: {part-id: pico, pin: GP25, value: 1}`,
		`wait-pin: {part-id: pico, pin: LED, value: 0, timeout: 300ms}`,
		`set-control: {part-id: pico, control: run, value: 0}`,
		`delay: 0s`,
	}
	for i, st := range s.Steps {
		if st.String() != want[i] || st.Index != i+1 {
			t.Errorf("step %d: %q, want %q", st.Index, st.String(), want[i])
		}
	}
	if s.Steps[2].Name != "the echo" || s.Steps[2].Line != 7 || s.Steps[5].Timeout != 2*time.Second {
		t.Errorf("step 3 %+v, step 6 %+v", s.Steps[2], s.Steps[5])
	}
}

// Every file a bench cannot run is refused at load, one line per problem
// naming the file, the line, the step and its command, with a hint.
func TestParseRefusesWhatABenchCannotRun(t *testing.T) {
	head := "name: x\nversion: 1\nsteps:\n"
	for _, c := range []struct{ file, want string }{
		{head + "  - take-screenshot: {part-id: lcd1, save-to: a.png}\n", "f.yaml:4: step 1 (take-screenshot): a bench has no display"},
		{head + "  - delay: 1s\n  - press-button: btn1\n", `f.yaml:5: step 2: unknown step "press-button" (hint: the steps are delay`},
		{head + "  - delay: 500\n", `f.yaml:4: step 1 (delay): delay "500" has no unit`},
		{head + "  - delay: soon\n", `step 1 (delay): delay "soon" is not a duration`},
		{head + "  - delay: 2h\n", `is not a duration`},
		{head + "  - delay: 7200s\n", `longer than 1h0m0s`},
		{head + "  - expect-pin: {part-id: led1, pin: A, value: 1}\n", `step 1 (expect-pin): the bench has no part "led1" (hint: the bench's one part is its board: part-id: pico)`},
		{head + "  - expect-pin: {part-id: pico, pin: GP2, value: 1}\n", `the bench reads no pin "GP2" of the Pico`},
		{head + "  - wait-pin: {part-id: pico, pin: LED, value: high}\n", `value is "high", not 0 or 1`},
		{head + "  - expect-pin: {part-id: pico, pin: LED, value: 1, timeout: 1s}\n", `expect-pin takes no key "timeout"`},
		{head + "  - wait-pin: {part-id: pico, value: 1}\n", `wait-pin has no pin`},
		{head + "  - set-control: {part-id: pico, control: pressed, value: 1}\n", `the Pico has no control "pressed"`},
		{head + "  - wait-serial: {port: usb, text: x}\n", `port is "usb" (hint: port is data`},
		{head + "  - wait-serial: 42\n", `wait-serial is "42", not text (hint: quote it`},
		{head + "  - wait-serial: ''\n", `the text to wait for is empty`},
		{head + "  - wait-serial: \"a\\nb\"\n", `holds a line break`},
		{head + "  - write-serial: [1, 256]\n", `write-serial holds "256", not a byte value`},
		{head + "  - write-serial: []\n", `nothing to write`},
		{head + "  - write-serial: {text: x}\n", `write-serial takes no key "text"`},
		{head + "  - delay: 1s\n    wait-serial: x\n", `f.yaml:5: step 1 (delay): a second command "wait-serial" after "delay"`},
		{head + "  - name: only a name\n", `step 1: the step has no command`},
		{head + "  - delay\n", `step 1: the step is "delay", not a mapping`},
		{head + "  - delay: 1s\n    delay: 2s\n", `delay is given twice`},
		{"name: x\nversion: 2\nsteps:\n  - delay: 1s\n", `f.yaml:2: version is "2", not 1`},
		{"name: x\nversion: '1'\nsteps:\n  - delay: 1s\n", `version is "1", not 1`},
		{"version: 1\nsteps:\n  - delay: 1s\n", `f.yaml:1: name is missing`},
		{"name: x\nversion: 1\n", `steps is missing`},
		{"name: x\nversion: 1\nsteps: []\n", `steps is not a list of steps`},
		{"name: x\nversion: 1\ntimeout: 3s\nsteps:\n  - delay: 1s\n", `f.yaml:3: unknown key "timeout"`},
		{"name: [x]\nversion: 1\nsteps:\n  - delay: 1s\n", `name is a list, not text`},
		{"", `f.yaml: the file is empty`},
		{"- 1\n", `not a mapping of name, version and steps`},
		{"name: x\nversion: 1\nsteps:\n  - delay: 1s\n---\nname: y\n", `f.yaml:5: more than one YAML document`},
		{"name: 'x\nversion: 1\n", `not YAML:`},
	} {
		_, err := Parse("f.yaml", []byte(c.file))
		if err == nil {
			t.Errorf("accepted:\n%s", c.file)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, c.want) }) {
			t.Errorf("want a line with %q, got:\n%v", c.want, err)
		}
		for _, l := range lines {
			if !strings.HasPrefix(l, "scenario: f.yaml") || !strings.Contains(l, "(hint: ") {
				t.Errorf("line without the file or a hint: %q", l)
			}
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("%v is no *LoadError", err)
		}
	}
}

// Every problem of a file is reported, not only the first.
func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("f.yaml", []byte("name: x\nversion: 1\nsteps:\n  - take-screenshot: x\n  - delay: 1s\n  - blink: 3\n"))
	if err == nil || strings.Count(err.Error(), "\n") != 1 || !strings.Contains(err.Error(), "step 1") || !strings.Contains(err.Error(), "step 3") {
		t.Errorf("want two lines, for steps 1 and 3; got:\n%v", err)
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "no scenario files (*.yaml) in it") {
		t.Errorf("an empty directory: %v", err)
	}
	write("b.yaml", "name: b\nversion: 1\nsteps:\n  - delay: 1ms\n")
	write("a.yml", "name: a\nversion: 1\nsteps:\n  - delay: 1ms\n")
	write("notes.txt", "not a scenario")
	list, err := LoadDir(dir)
	if err != nil || len(list) != 2 || list[0].Name != "a" || list[1].File != filepath.Join(dir, "b.yaml") {
		t.Fatalf("got %v, %v", list, err)
	}
	write("c.yaml", "name: c\nversion: 1\nsteps:\n  - take-screenshot: x\n")
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "c.yaml")+":4: step 1 (take-screenshot)") {
		t.Errorf("a bad file in the directory: %v", err)
	}
	if _, err := LoadDir(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "hint:") {
		t.Errorf("a missing directory: %v", err)
	}
}

func TestBudgetSumsTheStepDeadlines(t *testing.T) {
	s, err := Parse("f.yaml", []byte("name: x\nversion: 1\nsteps:\n  - delay: 2s\n  - wait-serial: a\n  - wait-serial: {text: b, timeout: 7s}\n  - expect-pin: {part-id: pico, pin: LED, value: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Wait: 3 * time.Second, Grace: 100 * time.Millisecond}
	if got, want := s.Budget(o), 2*time.Second+100*time.Millisecond+3*time.Second+7*time.Second+100*time.Millisecond; got != want {
		t.Errorf("budget %v, want %v", got, want)
	}
}

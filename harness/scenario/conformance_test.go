package scenario

import (
	"strings"
	"testing"
	"time"
)

// TestConformsToWokwi holds what Parse and Run do against what Wokwi CI
// does, row by row, with the source each row follows (github.com/wokwi/
// wokwi-cli, src/...; docs.wokwi.com/wokwi-ci/automation-scenarios). A row
// whose behaviour picohil chooses differently says why in its note.
func TestConformsToWokwi(t *testing.T) {
	head := "name: x\nversion: 1\nsteps:\n"
	for _, c := range []struct {
		source, note string
		file         string
		refused      string          // a line of the refusal; "" when accepted
		check        func(Step) bool // the step it parses to, when accepted
	}{
		{source: "utils/parseTime.ts parseTimeRegex: a number and ns, us, ms or s", file: head + "  - delay: 1.5s\n",
			check: func(s Step) bool { return s.Duration == 1500*time.Millisecond }},
		{source: "utils/parseTime.ts: units in any case, space before them", file: head + "  - delay: 20 MS\n",
			check: func(s Step) bool { return s.Duration == 20*time.Millisecond }},
		{source: "utils/parseTime.ts: a bare zero", file: head + "  - delay: 0\n",
			check: func(s Step) bool { return s.Duration == 0 }},
		{source: "utils/parseTime.ts: 'Missing units'", file: head + "  - delay: 500\n", refused: `delay "500" has no unit`},
		{source: "TestScenario.ts validate: 'Scenario name is missing'", file: "version: 1\nsteps:\n  - delay: 1s\n", refused: "name is missing"},
		{source: "TestScenario.ts validate: 'Scenario name must be a string'", file: "name: [a]\nversion: 1\nsteps:\n  - delay: 1s\n", refused: "name is a list, not text"},
		{source: "TestScenario.ts validate: 'Unsupported scenario version' unless version === 1", file: "name: x\nversion: 2\nsteps:\n  - delay: 1s\n", refused: `version is "2", not 1`},
		{source: "TestScenario.ts validate: 'Scenario steps must be an array'", file: "name: x\nversion: 1\nsteps: {delay: 1s}\n", refused: "steps is not a list of steps"},
		{source: "TestScenario.ts validStepKeys: a step may carry a name", file: head + "  - name: first\n    delay: 1ms\n",
			check: func(s Step) bool { return s.Name == "first" && s.Command == Delay }},
		{source: "TestScenario.ts validate: 'Invalid scenario step key'", file: head + "  - press: btn1\n", refused: `unknown step "press"`},
		{source: "TestScenario.ts executeStep runs the first handler a step holds",
			note: "picohil refuses a second command rather than running one silently", file: head + "  - delay: 1s\n    wait-serial: x\n", refused: "a second command"},
		{source: "scenario/WriteSerialCommand.ts validate: a string", file: head + "  - write-serial: \"hi\\n\"\n",
			check: func(s Step) bool { return string(s.Bytes) == "hi\n" && s.Port == Data }},
		{source: "scenario/WriteSerialCommand.ts validate: an array of numbers", file: head + "  - write-serial: [104, 105]\n",
			check: func(s Step) bool { return string(s.Bytes) == "hi" && s.Raw }},
		{source: "scenario/WriteSerialCommand.ts validate: 'Array must contain at least one number'", file: head + "  - write-serial: []\n", refused: "nothing to write"},
		{source: "scenario/WriteSerialCommand.ts run: new Uint8Array(value)",
			note: "a Uint8Array wraps 256 to 0; picohil refuses it", file: head + "  - write-serial: [256]\n", refused: "not a byte value"},
		{source: "scenario/WaitSerialCommand.ts: the text to expect", file: head + "  - wait-serial: 'Button 1 pressed'\n",
			check: func(s Step) bool { return s.Text == "Button 1 pressed" && s.Port == Data }},
		{source: "scenario/ExpectPinCommand.ts: part-id, pin, value", file: head + "  - expect-pin: {part-id: pico, pin: GP25, value: 1}\n",
			check: func(s Step) bool { return s.Pin == "GP25" && s.Value == 1 }},
		{source: "scenario/ExpectPinCommand.ts: compares the level, 0 or 1, with value",
			note: "any other value could never match; picohil refuses it", file: head + "  - expect-pin: {part-id: pico, pin: LED, value: true}\n", refused: `value is "true", not 0 or 1`},
		{source: "scenario/WaitPinCommand.ts: part-id, pin, value", file: head + "  - wait-pin: {part-id: pico, pin: LED, value: 0}\n",
			check: func(s Step) bool { return s.Command == WaitPin && s.Value == 0 }},
		{source: "scenario/SetControlCommand.ts: part-id, control, value (docs: a push button's 'pressed')",
			note: "the bench has no button: its one control is the Pico's RUN", file: head + "  - set-control: {part-id: btn1, control: pressed, value: 1}\n", refused: `the bench has no part "btn1"`},
		{source: "scenario/TakeScreenshotCommand.ts: part-id, save-to or compare-with",
			note: "a bench has no display", file: head + "  - take-screenshot: {part-id: lcd1, compare-with: lcd.png}\n", refused: "a bench has no display to capture"},
		{source: "github.com/wokwi/pico-sdk-blink blink.test.yaml: expect-pin on led1, pin A",
			note: "the bench reads the Pico's own LED, not a part of a diagram", file: head + "  - expect-pin: {part-id: led1, pin: A, value: 1}\n", refused: `the bench has no part "led1"`},
	} {
		s, err := Parse("w.yaml", []byte(c.file))
		if c.note != "" {
			c.source += " (" + c.note + ")"
		}
		switch {
		case c.refused != "" && (err == nil || !strings.Contains(err.Error(), c.refused)):
			t.Errorf("%s: want refused with %q, got %v", c.source, c.refused, err)
		case c.refused == "" && err != nil:
			t.Errorf("%s: refused: %v", c.source, err)
		case c.refused == "" && !c.check(s.Steps[0]):
			t.Errorf("%s: parsed as %+v", c.source, s.Steps[0])
		}
	}
}

// ExpectEngine.ts feeds the serial output line by line and matches a line,
// without its "\n", that includes the text: a line counts once it ends,
// and the text may be anywhere in it.
func TestWaitSerialMatchesAsWokwi(t *testing.T) {
	in := &inbox{data: []byte("boot\r\nButton 1 pressed!\r\npartial Button")}
	if !in.match("Button 1 pressed") || in.match("Button") {
		t.Errorf("cursor %d of %q", in.cursor, in.data)
	}
	in.data = append(in.data, '\n')
	if !in.match("Button") || in.cursor != len(in.data) {
		t.Errorf("the finished line was not matched: cursor %d of %d", in.cursor, len(in.data))
	}
}

package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The commands a step may hold, by their Wokwi names.
const (
	Delay       = "delay"
	WaitSerial  = "wait-serial"
	WriteSerial = "write-serial"
	ExpectPin   = "expect-pin"
	WaitPin     = "wait-pin"
	SetControl  = "set-control"
)

// The serial ports a step names.
const (
	Data    = "data"    // the data UART, Wokwi's serial monitor
	Control = "control" // the control channel, the Pico's USB serial
)

// The board, its LED and its RUN control as a file names them.
const (
	Board = "pico"
	RUN   = "run"
)

// LEDPins are the names a file may give the Pico's LED: the name
// MicroPython's rp2 port gives it, its GPIO on a Pico, and the GPIO the
// reference firmware mirrors it on, which the bench wires to the Pi.
var LEDPins = []string{"LED", "GP25", "GP15"}

// Commands are the step commands a bench runs, in the order of the package
// documentation.
var Commands = []string{Delay, WaitSerial, WriteSerial, ExpectPin, WaitPin, SetControl}

// Scenario is a parsed scenario file.
type Scenario struct {
	File    string // the path it was read from, as given
	Name    string
	Version int
	Author  string // "" when the file gives none
	Steps   []Step
}

// Step is one step of a scenario, checked: only the fields of its command
// are set.
type Step struct {
	Index   int    // 1 for the first step
	Line    int    // where the step begins in the file
	Name    string // the step's own name, "" when it has none
	Command string // Delay, WaitSerial, ...

	Duration time.Duration // delay
	Port     string        // wait-serial, write-serial: Data or Control
	Text     string        // wait-serial: the text a line must contain
	Bytes    []byte        // write-serial
	Raw      bool          // write-serial: given as byte values, not text
	Pin      string        // expect-pin, wait-pin: as the file names it
	Value    int           // expect-pin, wait-pin, set-control: 0 or 1
	// Timeout bounds a wait-serial or wait-pin; 0 takes Options.Wait.
	Timeout time.Duration
}

// String is the step as a file would give it, on one line.
func (s Step) String() string {
	var v string
	switch s.Command {
	case Delay:
		v = formatDuration(s.Duration)
	case WaitSerial:
		v = strconv.Quote(s.Text)
		if s.Port != Data || s.Timeout > 0 {
			v = "{port: " + s.Port + ", text: " + v + timeoutField(s.Timeout) + "}"
		}
	case WriteSerial:
		v = strconv.Quote(string(s.Bytes))
		if s.Raw {
			v = fmt.Sprint(s.Bytes)
			v = "[" + strings.ReplaceAll(v[1:len(v)-1], " ", ", ") + "]"
		}
		if s.Port != Data {
			v = "{port: " + s.Port + ", value: " + v + "}"
		}
	case ExpectPin, WaitPin:
		v = fmt.Sprintf("{part-id: %s, pin: %s, value: %d%s}", Board, s.Pin, s.Value, timeoutField(s.Timeout))
	case SetControl:
		v = fmt.Sprintf("{part-id: %s, control: %s, value: %d}", Board, RUN, s.Value)
	}
	return s.Command + ": " + v
}

func timeoutField(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return ", timeout: " + formatDuration(d)
}

// formatDuration writes d as a file gives it: in the largest of s, ms and
// us it is at least and that holds it in three decimals, else in ns.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Second, "s"}, {time.Millisecond, "ms"}, {time.Microsecond, "us"}} {
		if d >= u.unit && d%(u.unit/1000) == 0 {
			return strconv.FormatFloat(float64(d)/float64(u.unit), 'f', -1, 64) + u.name
		}
	}
	return strconv.Itoa(int(d)) + "ns"
}

// LoadError is a file, or one step of it, that cannot run on a bench.
type LoadError struct {
	File    string
	Line    int    // 0 when the file does not parse that far
	Step    int    // the step's Index; 0 for the file as a whole
	Command string // the step's command, "" when it has none
	Problem string
	Hint    string
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("scenario: " + e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Step > 0 {
		fmt.Fprintf(&b, ": step %d", e.Step)
		if e.Command != "" {
			b.WriteString(" (" + e.Command + ")")
		}
	}
	fmt.Fprintf(&b, ": %s (hint: %s)", e.Problem, e.Hint)
	return b.String()
}

// Load reads and checks one scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Problem: "cannot read it: " + oneLine(err.Error()), Hint: "give the path of a readable scenario file"}
	}
	return Parse(path, data)
}

// LoadDir loads every scenario file (*.yaml, *.yml) directly in dir, in
// name order. Every problem of every file is one line of the error.
func LoadDir(dir string) ([]*Scenario, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &LoadError{File: dir, Problem: "cannot list it: " + oneLine(err.Error()), Hint: "give a directory of scenario files (*.yaml)"}
	}
	var list []*Scenario
	var errs []error
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		s, err := Load(filepath.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		list = append(list, s)
	}
	if len(list) == 0 && len(errs) == 0 {
		return nil, &LoadError{File: dir, Problem: "no scenario files (*.yaml) in it", Hint: "put Wokwi scenario files in it, or name another directory"}
	}
	return list, errors.Join(errs...)
}

// Parse checks a scenario file's contents; file names it in errors.
func Parse(file string, data []byte) (*Scenario, error) {
	p := &parser{file: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.fail(0, "the file is empty", "give name, version: 1 and steps")
		}
		return nil, p.fail(0, "not YAML: "+strings.TrimPrefix(oneLine(err.Error()), "yaml: "), "fix the YAML syntax at the line given")
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, p.fail(more.Line, "more than one YAML document", "one scenario per file: remove the '---' and what follows")
	}
	s := p.scenario(resolve(&doc))
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// parser collects every problem of one file.
type parser struct {
	file string
	errs []error
}

func (p *parser) fail(line int, problem, hint string) error {
	err := &LoadError{File: p.file, Line: line, Problem: problem, Hint: hint}
	p.errs = append(p.errs, err)
	return err
}

// resolve follows a document and an alias to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return nil
		}
	}
	return n
}

// field is one key of a mapping and its value.
type field struct {
	key   string
	line  int
	value *yaml.Node
}

// fields lists a mapping's keys in order; a key given twice is a problem.
func fields(n *yaml.Node, dup func(key string, line int)) []field {
	var out []field
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k == nil {
			continue
		}
		if seen[k.Value] {
			dup(k.Value, k.Line)
			continue
		}
		seen[k.Value] = true
		out = append(out, field{k.Value, k.Line, resolve(n.Content[i+1])})
	}
	return out
}

func (p *parser) scenario(root *yaml.Node) *Scenario {
	if root == nil || root.Kind != yaml.MappingNode {
		line := 0
		if root != nil {
			line = root.Line
		}
		p.fail(line, "the file is not a mapping of name, version and steps", "begin with name: 'what it checks', version: 1 and steps:")
		return nil
	}
	s := &Scenario{File: p.file}
	var steps *yaml.Node
	fs := fields(root, func(k string, line int) {
		p.fail(line, fmt.Sprintf("%s is given twice", k), "give each key once")
	})
	for _, f := range fs {
		switch f.key {
		case "name":
			s.Name, _ = p.text(f, 0, "")
		case "author":
			s.Author, _ = p.text(f, 0, "")
		case "version":
			if !isScalar(f.value, "!!int") || f.value.Value != "1" {
				p.fail(f.line, "version is "+show(f.value)+", not 1", "the format has version 1: write version: 1")
			}
			s.Version = 1
		case "steps":
			steps = f.value
		default:
			p.fail(f.line, fmt.Sprintf("unknown key %q", f.key), "a scenario has name, version, author and steps")
		}
	}
	for _, key := range []string{"name", "version", "steps"} {
		if !hasKey(fs, key) {
			p.fail(root.Line, key+" is missing", "a scenario has name, version: 1 and steps")
		}
	}
	if steps == nil {
		return s
	}
	if steps.Kind != yaml.SequenceNode || len(steps.Content) == 0 {
		p.fail(steps.Line, "steps is not a list of steps", "list the steps under steps:, each beginning with '- '")
		return s
	}
	for i, n := range steps.Content {
		if st, ok := p.step(i+1, resolve(n)); ok {
			s.Steps = append(s.Steps, st)
		}
	}
	return s
}

func hasKey(fs []field, key string) bool {
	return slices.ContainsFunc(fs, func(f field) bool { return f.key == key })
}

// isScalar reports whether n is a scalar with tag ("" for any).
func isScalar(n *yaml.Node, tag string) bool {
	return n != nil && n.Kind == yaml.ScalarNode && (tag == "" || n.Tag == tag)
}

// show is a value for a message.
func show(n *yaml.Node) string {
	switch {
	case n == nil:
		return "empty"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return "a mapping"
}

// stepParser checks one step, its problems naming it.
type stepParser struct {
	*parser
	step *Step
	ok   bool
}

func (sp *stepParser) fail(line int, problem, hint string) {
	sp.ok = false
	sp.errs = append(sp.errs, &LoadError{File: sp.file, Line: line, Step: sp.step.Index, Command: sp.step.Command, Problem: problem, Hint: hint})
}

const stepsHint = "the steps are delay, wait-serial, write-serial, expect-pin, wait-pin and set-control"

func (p *parser) step(index int, n *yaml.Node) (Step, bool) {
	st := Step{Index: index}
	sp := &stepParser{parser: p, step: &st, ok: true}
	if n == nil || n.Kind != yaml.MappingNode {
		line := 0
		if n != nil {
			line = n.Line
		}
		sp.fail(line, "the step is "+show(n)+", not a mapping", "write a step as '- <command>: <value>', e.g. '- delay: 500ms'")
		return st, false
	}
	st.Line = n.Line
	var cmd *field
	for _, f := range fields(n, func(k string, line int) {
		sp.fail(line, fmt.Sprintf("%s is given twice", k), "give each key once")
	}) {
		if f.key == "name" {
			st.Name, _ = p.textStep(sp, f)
			continue
		}
		if cmd != nil {
			sp.fail(f.line, fmt.Sprintf("a second command %q after %q", f.key, cmd.key), "one command per step: begin another step with '- '")
			continue
		}
		cmd, st.Command = &f, f.key
	}
	if cmd == nil {
		sp.fail(st.Line, "the step has no command", stepsHint)
		return st, false
	}
	st.Command = cmd.key
	switch cmd.key {
	case Delay:
		st.Duration = sp.duration(*cmd, false)
	case WaitSerial:
		sp.waitSerial(*cmd)
	case WriteSerial:
		sp.writeSerial(*cmd)
	case ExpectPin, WaitPin:
		sp.pin(*cmd)
	case SetControl:
		sp.setControl(*cmd)
	case "take-screenshot":
		sp.fail(cmd.line, "a bench has no display to capture", "remove the step: a bench checks the serial lines and the LED")
	default:
		st.Command = ""
		sp.fail(cmd.line, fmt.Sprintf("unknown step %q", cmd.key), stepsHint)
	}
	return st, sp.ok
}

// text is a string scalar; problems name step when it is not 0.
func (p *parser) text(f field, step int, command string) (string, bool) {
	if isScalar(f.value, "!!str") {
		return f.value.Value, true
	}
	p.errs = append(p.errs, &LoadError{File: p.file, Line: f.line, Step: step, Command: command,
		Problem: fmt.Sprintf("%s is %s, not text", f.key, show(f.value)), Hint: "quote it: " + f.key + ": '...'"})
	return "", false
}

func (p *parser) textStep(sp *stepParser, f field) (string, bool) {
	s, ok := p.text(f, sp.step.Index, sp.step.Command)
	sp.ok = sp.ok && ok
	return s, ok
}

// timeRE is Wokwi's parseTime: a number with a unit, or a bare zero.
var timeRE = regexp.MustCompile(`(?i)^(\d+(?:\.\d*)?)\s*(ns|us|ms|s)$|^0\.?0*$`)

// maxDuration bounds a delay or a timeout: a scenario step that takes
// longer is a mistake in the file, and it would hold a bench for it.
const maxDuration = time.Hour

var units = map[string]time.Duration{"ns": time.Nanosecond, "us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}

// duration reads a duration; positive requires more than zero.
func (sp *stepParser) duration(f field, positive bool) time.Duration {
	hint := fmt.Sprintf("give a number with a unit (ns, us, ms, s), e.g. %s: 500ms", f.key)
	if !isScalar(f.value, "") {
		sp.fail(f.line, fmt.Sprintf("%s is %s, not a duration", f.key, show(f.value)), hint)
		return 0
	}
	v := strings.TrimSpace(f.value.Value)
	m := timeRE.FindStringSubmatch(v)
	if m == nil {
		problem := fmt.Sprintf("%s %q is not a duration", f.key, v)
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			problem = fmt.Sprintf("%s %q has no unit", f.key, v)
		}
		sp.fail(f.line, problem, hint)
		return 0
	}
	var d time.Duration
	if m[1] != "" {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil || n*float64(units[strings.ToLower(m[2])]) > float64(maxDuration) {
			sp.fail(f.line, fmt.Sprintf("%s %q is longer than %v", f.key, v, maxDuration), "a step that long holds the bench: split the scenario")
			return 0
		}
		d = time.Duration(math.Round(n * float64(units[strings.ToLower(m[2])])))
	}
	if positive && d <= 0 {
		sp.fail(f.line, fmt.Sprintf("%s %q is not more than zero", f.key, v), hint)
	}
	return d
}

// options reads a step's mapping form: every key must be one it takes,
// and those required must be there.
func (sp *stepParser) options(f field, takes, required []string) map[string]field {
	out := map[string]field{}
	if f.value == nil || f.value.Kind != yaml.MappingNode {
		sp.fail(f.line, fmt.Sprintf("%s is %s, not a mapping of %s", f.key, show(f.value), strings.Join(takes, ", ")),
			fmt.Sprintf("write %s: {%s: ...}", f.key, strings.Join(required, ": ..., ")))
		return nil
	}
	for _, o := range fields(f.value, func(k string, line int) {
		sp.fail(line, fmt.Sprintf("%s is given twice", k), "give each key once")
	}) {
		if !slices.Contains(takes, o.key) {
			sp.fail(o.line, fmt.Sprintf("%s takes no key %q", f.key, o.key), f.key+" takes "+strings.Join(takes, ", "))
			continue
		}
		out[o.key] = o
	}
	for _, k := range required {
		if _, ok := out[k]; !ok {
			sp.fail(f.value.Line, fmt.Sprintf("%s has no %s", f.key, k), f.key+" needs "+strings.Join(required, ", "))
		}
	}
	return out
}

func (sp *stepParser) port(o map[string]field) string {
	f, ok := o["port"]
	if !ok {
		return Data
	}
	if isScalar(f.value, "!!str") && (f.value.Value == Data || f.value.Value == Control) {
		return f.value.Value
	}
	sp.fail(f.line, "port is "+show(f.value), "port is data (the data UART, the default) or control (the control channel)")
	return Data
}

func (sp *stepParser) timeout(o map[string]field) time.Duration {
	if f, ok := o["timeout"]; ok {
		return sp.duration(f, true)
	}
	return 0
}

func (sp *stepParser) waitSerial(f field) {
	st := sp.step
	st.Port = Data
	if isScalar(f.value, "") {
		st.Text, _ = sp.textStep(sp, f)
	} else if o := sp.options(f, []string{"text", "port", "timeout"}, []string{"text"}); o != nil {
		if t, ok := o["text"]; ok {
			st.Text, _ = sp.textStep(sp, t)
		}
		st.Port, st.Timeout = sp.port(o), sp.timeout(o)
	}
	if st.Text == "" && sp.ok {
		sp.fail(f.line, "the text to wait for is empty", "give the text a line must contain")
	}
	if strings.Contains(st.Text, "\n") {
		sp.fail(f.line, "the text holds a line break", "wait-serial matches within one line: wait for each line in its own step")
	}
}

func (sp *stepParser) writeSerial(f field) {
	st := sp.step
	st.Port = Data
	v := f
	if f.value != nil && f.value.Kind == yaml.MappingNode {
		o := sp.options(f, []string{"value", "port"}, []string{"value"})
		st.Port = sp.port(o)
		var ok bool
		if v, ok = o["value"]; !ok {
			return
		}
	}
	switch {
	case isScalar(v.value, "!!str"):
		st.Bytes = []byte(v.value.Value)
	case v.value != nil && v.value.Kind == yaml.SequenceNode:
		st.Raw = true
		for _, e := range v.value.Content {
			e = resolve(e)
			n, err := int64(-1), error(nil)
			if isScalar(e, "!!int") {
				n, err = strconv.ParseInt(e.Value, 0, 64)
			}
			if err != nil || n < 0 || n > 255 {
				sp.fail(v.line, fmt.Sprintf("%s holds %s, not a byte value", v.key, show(e)), "give byte values 0..255, e.g. [72, 105, 0x0a]")
				return
			}
			st.Bytes = append(st.Bytes, byte(n))
		}
	default:
		sp.fail(v.line, fmt.Sprintf("%s is %s", v.key, show(v.value)), "give text in quotes, or a list of byte values 0..255")
		return
	}
	if len(st.Bytes) == 0 {
		sp.fail(v.line, "nothing to write", "give the text or bytes to send")
	}
}

// part checks part-id: the bench has one part, the Pico.
func (sp *stepParser) part(o map[string]field) {
	f, ok := o["part-id"]
	if !ok || (isScalar(f.value, "!!str") && f.value.Value == Board) {
		return
	}
	sp.fail(f.line, "the bench has no part "+show(f.value), "the bench's one part is its board: part-id: "+Board)
}

// level reads value: 0 or 1.
func (sp *stepParser) level(o map[string]field) int {
	f, ok := o["value"]
	if !ok {
		return 0
	}
	if isScalar(f.value, "!!int") && (f.value.Value == "0" || f.value.Value == "1") {
		return int(f.value.Value[0] - '0')
	}
	sp.fail(f.line, "value is "+show(f.value)+", not 0 or 1", "give value: 0 (low) or value: 1 (high)")
	return 0
}

func (sp *stepParser) pin(f field) {
	takes := []string{"part-id", "pin", "value"}
	if f.key == WaitPin {
		takes = append(takes, "timeout")
	}
	o := sp.options(f, takes, []string{"part-id", "pin", "value"})
	if o == nil {
		return
	}
	sp.part(o)
	if p, ok := o["pin"]; ok {
		if !isScalar(p.value, "") || !slices.Contains(LEDPins, p.value.Value) {
			sp.fail(p.line, "the bench reads no pin "+show(p.value)+" of the Pico",
				"the bench reads the Pico's LED: pin "+strings.Join(LEDPins, ", or ")+" (the mirror the bench wires)")
		} else {
			sp.step.Pin = p.value.Value
		}
	}
	sp.step.Value, sp.step.Timeout = sp.level(o), sp.timeout(o)
}

func (sp *stepParser) setControl(f field) {
	o := sp.options(f, []string{"part-id", "control", "value"}, []string{"part-id", "control", "value"})
	if o == nil {
		return
	}
	sp.part(o)
	if c, ok := o["control"]; ok && !(isScalar(c.value, "!!str") && c.value.Value == RUN) {
		sp.fail(c.line, "the Pico has no control "+show(c.value),
			"the Pico's control is run: value 0 holds it in reset, 1 releases it; send the firmware's commands with write-serial to port control")
	}
	sp.step.Value = sp.level(o)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

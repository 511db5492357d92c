package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultProfile is the bench file read when HIL_BENCH is not set, looked
// for in the current directory and then at the module root.
const DefaultProfile = "bench.yaml"

// example is where every field is documented.
const example = "harness/target/bench/bench.example.yaml"

// Profile is one bench as a bench file describes it. A field left out takes
// the file's top-level value, then the built-in default; the HIL_*
// variable named beside each field overrides both.
type Profile struct {
	ID               string       `yaml:"id"`                 // HIL_BENCH_ID selects it
	Target           string       `yaml:"target"`             // HIL_TARGET
	Data             string       `yaml:"data"`               // HIL_SERIAL
	Control          string       `yaml:"control"`            // HIL_CONTROL
	ControlUSBID     string       `yaml:"control_usb_id"`     // HIL_CONTROL_USB_ID, VID:PID
	ControlUSBSerial string       `yaml:"control_usb_serial"` // HIL_CONTROL_USB_SERIAL
	LEDPin           string       `yaml:"led_pin"`            // HIL_LED_PIN
	ResetPin         string       `yaml:"reset_pin"`          // HIL_RESET_PIN
	JumperPin        string       `yaml:"jumper_pin"`         // HIL_JUMPER_PIN
	Baud             whole        `yaml:"baud"`               // HIL_BAUD
	Bauds            rates        `yaml:"bauds"`              // HIL_BAUDS
	BlinkHalfMs      whole        `yaml:"blink_half_ms"`      // HIL_BLINK_MS
	TurnaroundMs     whole        `yaml:"turnaround_ms"`      // HIL_TURNAROUND_MS
	JitterMs         whole        `yaml:"jitter_ms"`          // HIL_JITTER_MS
	ExpectVersion    string       `yaml:"expect_version"`     // HIL_EXPECT_VERSION
	Power            powerSection `yaml:"power"`              // HIL_POWER
}

// whole is a number field, set only when the file gives a valid number, so
// a value of the wrong type is one error and not also a bad zero.
type whole struct {
	n   int
	set bool
}

func (w *whole) UnmarshalYAML(node *yaml.Node) error {
	var n int
	if err := node.Decode(&n); err != nil {
		return err
	}
	*w = whole{n, true}
	return nil
}

// rates is a list of rates, set only when every element is a number.
type rates struct {
	list []int
	set  bool
}

func (r *rates) UnmarshalYAML(node *yaml.Node) error {
	var list []int
	if err := node.Decode(&list); err != nil {
		return err
	}
	*r = rates{list, true}
	return nil
}

// powerSection is the power section, kept in HIL_POWER's form (see
// harness/farm/power): hub and port name a uhubctl hub's port, disable the
// kernel's disable attribute of a USB port. Its values are checked with
// the other settings.
type powerSection struct{ spec string }

func (p *powerSection) UnmarshalYAML(node *yaml.Node) error {
	fail := func(problem string) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: power: %s; the section takes hub and port (a uhubctl hub), or disable (the path of the kernel's USB port attribute)", node.Line, problem)}}
	}
	if node.Kind != yaml.MappingNode {
		return fail("not a mapping")
	}
	keys := map[string]string{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i].Value, node.Content[i+1]
		if k != "hub" && k != "port" && k != "disable" {
			return fail("unknown key " + strconv.Quote(k))
		}
		if v.Kind != yaml.ScalarNode {
			return fail(k + " is not a single value")
		}
		keys[k] = v.Value
	}
	hub, hasHub := keys["hub"]
	port, hasPort := keys["port"]
	disable, hasDisable := keys["disable"]
	switch {
	case hasDisable && !hasHub && !hasPort:
		p.spec = "disable:" + disable
	case hasHub && hasPort && !hasDisable:
		p.spec = "uhubctl:" + hub + ":" + port
	default:
		return fail("give hub and port, or disable alone")
	}
	return nil
}

// File is a bench file: one bench's fields at the top level, or a list of
// benches that take the top-level fields as their defaults.
type File struct {
	Profile `yaml:",inline"`
	Benches []Profile `yaml:"benches"`
}

// field is one profile field as a setting: the HIL_* variable it stands
// for, its YAML key, and its value when the file gives it.
type field struct {
	env, key, value string
	set             bool
}

// fields lists the profile's fields as settings.
func (p Profile) fields() []field {
	str := func(env, key, v string) field { return field{env, key, v, v != ""} }
	num := func(env, key string, v whole) field { return field{env, key, strconv.Itoa(v.n), v.set} }
	list := make([]string, len(p.Bauds.list))
	for i, r := range p.Bauds.list {
		list[i] = strconv.Itoa(r)
	}
	return []field{
		str("HIL_TARGET", "target", p.Target),
		str("HIL_SERIAL", "data", p.Data),
		str("HIL_CONTROL", "control", p.Control),
		str("HIL_CONTROL_USB_ID", "control_usb_id", p.ControlUSBID),
		str("HIL_CONTROL_USB_SERIAL", "control_usb_serial", p.ControlUSBSerial),
		str("HIL_LED_PIN", "led_pin", p.LEDPin),
		str("HIL_RESET_PIN", "reset_pin", p.ResetPin),
		str("HIL_JUMPER_PIN", "jumper_pin", p.JumperPin),
		num("HIL_BAUD", "baud", p.Baud),
		{"HIL_BAUDS", "bauds", strings.Join(list, ","), p.Bauds.set},
		num("HIL_BLINK_MS", "blink_half_ms", p.BlinkHalfMs),
		num("HIL_TURNAROUND_MS", "turnaround_ms", p.TurnaroundMs),
		num("HIL_JITTER_MS", "jitter_ms", p.JitterMs),
		str("HIL_EXPECT_VERSION", "expect_version", p.ExpectVersion),
		str("HIL_POWER", "power", p.Power.spec),
	}
}

// FileError is a bench file that cannot be read or decoded.
type FileError struct {
	File    string
	Line    int // 0 when the problem has no line
	Problem string
	Hint    string
}

func (e *FileError) Error() string {
	where := e.File
	if e.Line > 0 {
		where += " line " + strconv.Itoa(e.Line)
	}
	return fmt.Sprintf("bench: %s: %s (hint: %s)", where, e.Problem, e.Hint)
}

var (
	unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type`)
	badValue     = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) (.*) into (\S+)$`)
	lineOf       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// parseFile decodes a bench file strictly: an unknown field, a value of
// the wrong type or broken YAML is one error each, naming the line. It
// separates errors in single fields (unknown, wrong type), after which the
// rest of the file is still decoded and can be checked, from a file that
// could not be decoded at all.
func parseFile(name string, data []byte) (f File, fieldErrs []error, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(&f)
	if errors.Is(err, io.EOF) {
		return f, nil, &FileError{File: name, Problem: "empty bench file", Hint: "describe the bench as in " + example}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, msg := range te.Errors {
			fieldErrs = append(fieldErrs, decodeError(name, msg))
		}
		return f, fieldErrs, nil
	}
	if err != nil {
		return f, nil, decodeError(name, err.Error())
	}
	return f, nil, nil
}

// oneLine escapes line breaks that a quoted value brings into a message.
var oneLine = strings.NewReplacer("\r", `\r`, "\n", `\n`)

func decodeError(file, msg string) error {
	msg = oneLine.Replace(msg)
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		return &FileError{File: file, Line: atoi(m[1]), Problem: "unknown field " + strconv.Quote(m[2]),
			Hint: "the fields are " + strings.Join(fieldNames(), ", ") + " and benches; see " + example}
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		return &FileError{File: file, Line: atoi(m[1]), Problem: fmt.Sprintf("%s is not a%s", m[3], article(m[4])),
			Hint: "numbers are whole numbers (baud: 115200), bauds is a list ([9600, 115200]), the others are text"}
	}
	if m := lineOf.FindStringSubmatch(msg); m != nil {
		return &FileError{File: file, Line: atoi(m[1]), Problem: m[2], Hint: "check the indentation and quoting against " + example}
	}
	return &FileError{File: file, Problem: strings.TrimPrefix(msg, "yaml: "), Hint: "check the file against " + example}
}

func article(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return " list"
	case strings.Contains(goType, "int"):
		return " whole number"
	case strings.Contains(goType, "Profile"), strings.Contains(goType, "File"):
		return " mapping of fields"
	}
	return " " + goType
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// fieldNames lists the profile's YAML keys.
func fieldNames() []string {
	t := reflect.TypeFor[Profile]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("yaml")
	}
	return names
}

// Package bench describes the bench a suite runs on — which target, which
// ports and pins, which rates and allowances — and opens it. Configuration
// (data) is parsed apart from opening (drivers), so specs can be built from
// the configuration before anything is touched.
//
// A bench profile (HIL_BENCH, default bench.yaml; every field is documented
// in bench.example.yaml) describes one bench or a list of them; the
// environment overrides it field by field:
//
//	HIL_BENCH              bench profile file; default bench.yaml if present
//	HIL_BENCH_ID           the bench to use from a profile listing several
//	HIL_TARGET             auto (default), pico, jumper, or a fixture the program links (virtual, micropython)
//	HIL_SERIAL             data UART port (pico, jumper), e.g. /dev/serial0
//	HIL_CONTROL            control channel port (pico), e.g. /dev/ttyACM0; optional
//	HIL_CONTROL_USB_ID     or find the control port by USB VID:PID, e.g. 2E8A:0005
//	HIL_CONTROL_USB_SERIAL and/or by USB serial number
//	HIL_LED_PIN            periph name of the LED input pin, e.g. GPIO17; optional
//	HIL_RESET_PIN          periph name of the output wired to the Pico's RUN pin; optional
//	HIL_JUMPER_PIN         periph name of the output wired to the LED pin (jumper)
//	HIL_BAUD               default data rate, 115200
//	HIL_BAUDS              rates to sweep, default 9600,19200,38400,57600,115200,230400,460800,921600
//	HIL_BLINK_MS           expected LED half-period in ms, default 1000
//	HIL_TURNAROUND_MS      firmware turnaround allowance added to wire time, default 5 (micropython 10)
//	HIL_JITTER_MS          blink jitter tolerance (p99 absolute), default 5 (micropython 10)
//	HIL_EXPECT_VERSION     firmware version the bench must run; optional
//	HIL_POWER              the Pico's USB power switch: uhubctl:<hub>:<port> or disable:<port attribute>; optional
//	HIL_UHUBCTL            the uhubctl command, default uhubctl on PATH
//	HIL_FAULT              faults for a target that injects them (virtual), e.g. drop-byte,slow-echo
//	HIL_FIRMWARE           main.py a target that runs firmware runs (micropython), default firmware/main.py
//	HIL_TAPE               a tape (make hil RECORD=1) whose device side a target replays (virtual)
//	HIL_SCENARIOS          a directory of Wokwi scenario files to run as specs too (harness/scenario); optional
package bench

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/termios"
	"github.com/picohil/picohil/harness/target"
)

// The targets the bench itself knows. The fixtures register their own
// names (fixtures/virtual, fixtures/micropython); target.Names lists what a
// program links.
const (
	Auto   = "auto"
	Pico   = "pico"
	Jumper = "jumper" // a Pi with TX-RX jumpered: the harness plays the firmware
)

// DefaultBauds is the sweep list.
var DefaultBauds = []int{9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

// Rates are the data rates a bench may run: the standard rates of a
// serial port (harness/serial/termios) that the firmware's BAUD takes
// (control.MinBaud to control.MaxBaud).
var Rates = func() []int {
	var rates []int
	for _, r := range termios.Rates() {
		if r >= control.MinBaud && r <= control.MaxBaud {
			rates = append(rates, r)
		}
	}
	return rates
}()

func ratesList() string {
	list := make([]string, len(Rates))
	for i, r := range Rates {
		list[i] = strconv.Itoa(r)
	}
	return strings.Join(list, ", ")
}

// FirmwareHint is the hint for a firmware path that is no file.
const FirmwareHint = "give the path of a main.py, such as firmware/main.py; make takes a relative path from the directory it is called in"

// FirmwareProblem says what is wrong with path as a firmware file to run,
// "" when nothing: it must be a regular file.
func FirmwareProblem(path string) string {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		abs, _ := filepath.Abs(path)
		return "no such file (looked for " + abs + ")"
	case err != nil:
		return err.Error()
	case fi.IsDir():
		return "is a directory"
	case !fi.Mode().IsRegular():
		return "not a regular file"
	}
	return ""
}

// Config is a bench before it is opened.
type Config struct {
	Target string // a registered target's name once resolved
	Reason string // why this target
	// StandIn is true when auto chose the simulation because nothing named
	// hardware: the run tests no hardware, and says so everywhere.
	StandIn bool
	BenchID string // the bench's id in a profile, "" without one
	Profile string // the bench profile file read, "" when configured by environment only
	// Settings are what the target is opened from. Its ControlMatch is
	// resolved when the bench opens.
	target.Settings
	// ExpectVersion is the firmware semver the bench must run, "" for any.
	ExpectVersion string
	// Power is the switch of the Pico's USB power; zero for none.
	Power power.Spec
	// Scenarios is the directory of scenario files run as specs, found
	// as HIL_SCENARIOS names it; "" for none.
	Scenarios   string
	Bauds       []int
	Turnaround  time.Duration // allowance on top of wire time
	JitterTol   time.Duration
	Environment map[string]string // the HIL_* settings given, to reproduce the run
}

// Driver is the resolved target's driver; nil when none resolved.
func (c Config) Driver() target.Driver {
	d, _ := target.Lookup(c.Target)
	return d
}

// ConfigError is one bad setting.
type ConfigError struct {
	Var, Value, Problem, Hint string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("bench: %s=%q: %s (hint: %s)", e.Var, e.Value, e.Problem, e.Hint)
}

// Variables lists the environment settings read, in a stable order.
var Variables = []string{"HIL_TARGET", "HIL_SERIAL", "HIL_CONTROL", "HIL_LED_PIN", "HIL_BAUD", "HIL_BAUDS",
	"HIL_BLINK_MS", "HIL_TURNAROUND_MS", "HIL_JITTER_MS", "HIL_FAULT", "HIL_FIRMWARE",
	"HIL_CONTROL_USB_ID", "HIL_CONTROL_USB_SERIAL", "HIL_RESET_PIN", "HIL_JUMPER_PIN", "HIL_EXPECT_VERSION",
	"HIL_LED_TRUTH", "HIL_TAPE", "HIL_POWER", "HIL_SCENARIOS"}

// settings are the values a configuration is built from, by HIL_* name,
// with where each came from: the variable itself or a bench file's field.
type settings struct {
	values map[string]string
	origin map[string]string
}

// from names where a setting came from, for error messages.
func (s settings) from(name string) string {
	if o, ok := s.origin[name]; ok {
		return o
	}
	return name
}

// environment reads the HIL_* variables that are set.
func environment(getenv func(string) string) map[string]string {
	env := map[string]string{}
	for _, v := range Variables {
		if s := getenv(v); s != "" {
			env[v] = s
		}
	}
	return env
}

// FromEnv reads the configuration from the environment alone; getenv is
// usually os.Getenv. Load adds a bench profile underneath.
func FromEnv(getenv func(string) string) (Config, error) {
	env := environment(getenv)
	return build(Config{Environment: env}, settings{values: env})
}

// build parses the settings into c, one error per bad setting.
func build(c Config, s settings) (Config, error) {
	env := s.values
	c.Serial, c.Control, c.LEDPin, c.Firmware = env["HIL_SERIAL"], env["HIL_CONTROL"], env["HIL_LED_PIN"], env["HIL_FIRMWARE"]
	c.ResetPin, c.JumperPin, c.ExpectVersion = env["HIL_RESET_PIN"], env["HIL_JUMPER_PIN"], env["HIL_EXPECT_VERSION"]
	c.LEDTruth, c.Tape = env["HIL_LED_TRUTH"], env["HIL_TAPE"]
	var errs []error
	if v := env["HIL_SCENARIOS"]; v != "" {
		var err error
		if c.Scenarios, err = findScenarios(v, s); err != nil {
			errs = append(errs, err)
		}
	}
	num := func(name string, def int) int {
		v, ok := env[name]
		if !ok {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, &ConfigError{s.from(name), v, "not a positive integer", "give a whole number greater than zero"})
			return def
		}
		return n
	}
	d, err := c.resolve(env["HIL_TARGET"], s)
	if err != nil {
		errs = append(errs, err)
	}
	rate := func(name string, r int) int {
		if !slices.Contains(Rates, r) {
			errs = append(errs, &ConfigError{s.from(name), strconv.Itoa(r), "a rate the firmware and the port cannot both run", "use one of " + ratesList()})
		}
		return r
	}
	ms := func(d time.Duration) int { return int(cmp.Or(d, defaultAllowance) / time.Millisecond) }
	var allowTurnaround, allowJitter time.Duration
	if a, ok := d.(target.Allowing); ok {
		allowTurnaround, allowJitter = a.Allowances()
	}
	turnaround, jitter := ms(allowTurnaround), ms(allowJitter)
	c.Baud = rate("HIL_BAUD", num("HIL_BAUD", 115200))
	c.BlinkHalf = time.Duration(num("HIL_BLINK_MS", 1000)) * time.Millisecond
	c.Turnaround = time.Duration(num("HIL_TURNAROUND_MS", turnaround)) * time.Millisecond
	c.JitterTol = time.Duration(num("HIL_JITTER_MS", jitter)) * time.Millisecond
	c.Bauds = DefaultBauds
	if v, ok := env["HIL_BAUDS"]; ok {
		c.Bauds = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			switch {
			case err != nil || n <= 0:
				errs = append(errs, &ConfigError{s.from("HIL_BAUDS"), v, fmt.Sprintf("%q is not a positive rate", f), "give a comma-separated list such as 9600,115200"})
			case !slices.Contains(Rates, n):
				errs = append(errs, &ConfigError{s.from("HIL_BAUDS"), v, fmt.Sprintf("%d is a rate the firmware and the port cannot both run", n), "use rates of " + ratesList()})
			default:
				c.Bauds = append(c.Bauds, n)
			}
		}
	}
	errs = append(errs, c.checkHardware(s)...)
	if d != nil { // a target that resolved: check what it needs
		errs = append(errs, c.checkTarget(d, s)...)
	}
	return c, errors.Join(errs...)
}

// defaultAllowance is the turnaround and jitter allowance of a target that
// asks for none of its own.
const defaultAllowance = 5 * time.Millisecond

// checkTarget checks the settings only some targets take (faults, a
// firmware file) and whatever else the target's driver checks.
func (c *Config) checkTarget(d target.Driver, s settings) []error {
	var errs []error
	if spec := s.values["HIL_FAULT"]; strings.TrimSpace(spec) != "" {
		if fi, ok := d.(target.FaultInjector); !ok {
			errs = append(errs, &ConfigError{s.from("HIL_FAULT"), spec, "the " + c.Target + " target injects no faults",
				"unset HIL_FAULT, or use a target that injects them: " + targetsWith[target.FaultInjector]()})
		} else if faults, err := fi.Faults(spec); err != nil {
			errs = append(errs, err)
		} else {
			c.Faults = faults
		}
	}
	if _, runs := d.(target.FirmwareRunner); c.Firmware != "" && !runs {
		errs = append(errs, &ConfigError{s.from("HIL_FIRMWARE"), c.Firmware, "the " + c.Target + " target runs no firmware file",
			"use a target that does (" + targetsWith[target.FirmwareRunner]() + "), or flash the file with make deploy"})
	} else if problem := FirmwareProblem(c.Firmware); c.Firmware != "" && problem != "" {
		errs = append(errs, &ConfigError{s.from("HIL_FIRMWARE"), c.Firmware, problem, FirmwareHint})
	}
	if _, plays := d.(target.TapePlayer); c.Tape != "" && !plays {
		errs = append(errs, &ConfigError{s.from("HIL_TAPE"), c.Tape, "the " + c.Target + " target replays no tape",
			"use a target that does (" + targetsWith[target.TapePlayer]() + "), or judge the tape offline with hil replay"})
	} else if c.Tape != "" && !exists(c.Tape) {
		errs = append(errs, &ConfigError{s.from("HIL_TAPE"), c.Tape, "no such file", "give the path of a tape, e.g. out/hil/tape.jsonl from make hil RECORD=1"})
	}
	if ch, ok := d.(target.Checker); ok {
		for _, err := range ch.Check(c.Settings) {
			if se, ok := err.(*target.SettingError); ok {
				err = &ConfigError{s.from(se.Var), se.Value, se.Problem, se.Hint}
			}
			errs = append(errs, err)
		}
	}
	return errs
}

// targetsWith lists the registered targets whose driver can do C (a
// capability of harness/target), for hints; "none linked" when there is
// none.
func targetsWith[C any]() string {
	var names []string
	for _, n := range target.Names() {
		if d, _ := target.Lookup(n); implements[C](d) {
			names = append(names, n)
		}
	}
	return cmp.Or(strings.Join(names, ", "), "none is linked into this program")
}

// standIn is the target auto chooses when nothing names hardware: the
// virtual Pico (fixtures/virtual), where the program links it.
const standIn = "virtual"

// hardware are the settings that name a bench's hardware: with any of
// them set, auto means the real Pico, never the simulation.
var hardware = []string{"HIL_SERIAL", "HIL_CONTROL", "HIL_CONTROL_USB_ID", "HIL_CONTROL_USB_SERIAL", "HIL_LED_PIN", "HIL_RESET_PIN", "HIL_JUMPER_PIN"}

// resolve picks the target — the one HIL_TARGET names, or for auto the
// real Pico when any setting names hardware and the virtual Pico only when
// none does — and says why. This is the one place a target is chosen.
func (c *Config) resolve(name string, s settings) (target.Driver, error) {
	switch name {
	case "", Auto:
		c.Target = standIn
		c.StandIn = true
		c.Reason = "auto: nothing names hardware (no data or control port, no pin), so the virtual Pico stands in: no hardware is tested"
		for _, h := range hardware {
			if v := s.values[h]; v != "" {
				c.Target, c.StandIn = Pico, false
				c.Reason = "auto: " + s.from(h) + "=" + v + " names hardware, so the real Pico is used"
				break
			}
		}
		d, ok := target.Lookup(c.Target)
		if !ok {
			return d, &ConfigError{"HIL_TARGET", Auto, "nothing names hardware, and the virtual Pico that stands in for it is not linked into this program",
				"set HIL_SERIAL to the Pico's data UART port, or HIL_TARGET to one of " + strings.Join(target.Names(), ", ")}
		}
		return d, nil
	}
	d, ok := target.Lookup(name)
	if !ok {
		return d, &ConfigError{s.from("HIL_TARGET"), name, "unknown target", "use auto or a registered target: " + strings.Join(target.Names(), ", ")}
	}
	c.Target, c.Reason = name, s.from("HIL_TARGET")+"="+name
	if ds, ok := d.(target.Describer); ok {
		c.Reason += ": " + ds.About()
	}
	return d, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Reproduce is the environment prefix that reruns this configuration.
func (c Config) Reproduce() string {
	var parts []string
	if c.Profile != "" {
		parts = append(parts, "HIL_BENCH="+strconv.Quote(c.Profile))
		if c.BenchID != "" {
			parts = append(parts, "HIL_BENCH_ID="+strconv.Quote(c.BenchID))
		}
	}
	for _, v := range Variables {
		if s, ok := c.Environment[v]; ok {
			if v == "HIL_FAULT" && c.Faults != "" {
				s = c.Faults // canonical, with the seed drawn for this run
			}
			parts = append(parts, v+"="+strconv.Quote(s))
		}
	}
	if _, ok := c.Environment["HIL_TARGET"]; !ok && c.Profile == "" {
		parts = append([]string{"HIL_TARGET=" + c.Target}, parts...)
	}
	return strings.Join(parts, " ")
}

// implements reports whether d can do C.
func implements[C any](d target.Driver) bool {
	_, ok := d.(C)
	return ok
}

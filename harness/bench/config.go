// Package bench describes the bench a suite runs on — which target, which
// ports and pin, which rates and allowances — and opens it. Configuration
// (data) is parsed apart from opening (drivers), so specs can be built from
// the configuration before anything is touched.
//
// Environment:
//
//	HIL_TARGET        auto (default) | virtual | micropython | pico
//	HIL_SERIAL        data UART port (pico), e.g. /dev/serial0
//	HIL_CONTROL       control channel port (pico), e.g. /dev/ttyACM0; optional
//	HIL_LED_PIN       periph name of the LED input pin (pico), e.g. GPIO17; optional
//	HIL_BAUD          default data rate, 115200
//	HIL_BAUDS         rates to sweep, default 9600,19200,38400,57600,115200,230400,460800,921600
//	HIL_BLINK_MS      expected LED half-period in ms, default 1000
//	HIL_TURNAROUND_MS firmware turnaround allowance added to wire time, default 5 (micropython 30)
//	HIL_JITTER_MS     blink jitter tolerance (p99 absolute), default 5 (micropython 20)
//	HIL_FAULT         faults for the virtual Pico, e.g. drop-byte,slow-echo
//	HIL_FIRMWARE      main.py the micropython target runs, default firmware/main.py
package bench

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/harness/discover"
)

// Targets.
const (
	Auto        = "auto"
	Virtual     = "virtual"
	MicroPython = "micropython"
	Pico        = "pico"
)

// DefaultBauds is the sweep list.
var DefaultBauds = []int{9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

// Config is a bench before it is opened.
type Config struct {
	Target  string // virtual or pico once resolved
	Reason  string // why this target
	BenchID string // the bench's id in a profile, "" without one
	Profile string // the bench profile file read, "" when configured by environment only
	Serial  string
	Control string
	// ControlMatch finds the control port by USB identity when Control is
	// not given; it is resolved when the bench opens.
	ControlMatch discover.Match
	LEDPin       string
	ResetPin     string // periph name of the output wired to the Pico's RUN pin
	JumperPin    string // periph name of the output wired to LEDPin (jumper target)
	// ExpectVersion is the firmware semver the bench must run, "" for any.
	ExpectVersion string
	Firmware      string // main.py for the micropython target
	Baud          int
	Bauds         []int
	BlinkHalf     time.Duration
	Turnaround    time.Duration // allowance on top of wire time
	JitterTol     time.Duration
	Faults        virtual.Faults
	Environment   map[string]string // the HIL_* settings given, to reproduce the run
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
	"HIL_BLINK_MS", "HIL_TURNAROUND_MS", "HIL_JITTER_MS", "HIL_FAULT", "HIL_FIRMWARE"}

// FromEnv reads the configuration; getenv is usually os.Getenv.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{Environment: map[string]string{}}
	for _, v := range Variables {
		if s := getenv(v); s != "" {
			c.Environment[v] = s
		}
	}
	env := c.Environment
	c.Serial, c.Control, c.LEDPin, c.Firmware = env["HIL_SERIAL"], env["HIL_CONTROL"], env["HIL_LED_PIN"], env["HIL_FIRMWARE"]
	var errs []error
	num := func(name string, def int) int {
		s, ok := env[name]
		if !ok {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			errs = append(errs, &ConfigError{name, s, "not a positive integer", "give a whole number greater than zero"})
			return def
		}
		return n
	}
	c.resolveTarget(env["HIL_TARGET"], &errs)
	turnaround, jitter := 5, 5
	if c.Target == MicroPython {
		// The interpreter runs under Node behind stdio pipes: its event loop
		// adds latency and wake-up jitter a Pico does not have, and on a
		// busy host it falls behind a long payload by tens of ms.
		turnaround, jitter = 30, 20
	}
	c.Baud = num("HIL_BAUD", 115200)
	c.BlinkHalf = time.Duration(num("HIL_BLINK_MS", 1000)) * time.Millisecond
	c.Turnaround = time.Duration(num("HIL_TURNAROUND_MS", turnaround)) * time.Millisecond
	c.JitterTol = time.Duration(num("HIL_JITTER_MS", jitter)) * time.Millisecond
	c.Bauds = DefaultBauds
	if s, ok := env["HIL_BAUDS"]; ok {
		c.Bauds = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				errs = append(errs, &ConfigError{"HIL_BAUDS", s, fmt.Sprintf("%q is not a positive rate", f), "give a comma-separated list such as 9600,115200"})
				continue
			}
			c.Bauds = append(c.Bauds, n)
		}
	}
	faults, err := virtual.ParseFaults(env["HIL_FAULT"])
	if err != nil {
		errs = append(errs, err)
	}
	c.Faults = faults
	if c.Firmware != "" && c.Target != MicroPython {
		errs = append(errs, &ConfigError{"HIL_FIRMWARE", c.Firmware, "only the micropython target runs a firmware file", "set HIL_TARGET=micropython, or flash the file with make deploy"})
	} else if c.Firmware != "" && !exists(c.Firmware) {
		errs = append(errs, &ConfigError{"HIL_FIRMWARE", c.Firmware, "no such file", "give the path of a main.py"})
	}
	if c.Target != Virtual && len(c.Faults) > 0 {
		errs = append(errs, &ConfigError{"HIL_FAULT", env["HIL_FAULT"], "faults are injected by the virtual Pico only", "unset HIL_FAULT or use HIL_TARGET=virtual"})
	}
	return c, errors.Join(errs...)
}

func (c *Config) resolveTarget(target string, errs *[]error) {
	switch target {
	case "", Auto:
		switch {
		case c.Serial == "":
			c.Target, c.Reason = Virtual, "auto: HIL_SERIAL is not set, so the virtual Pico stands in"
		case exists(c.Serial):
			c.Target, c.Reason = Pico, "auto: "+c.Serial+" exists, so the real Pico is used"
		default:
			c.Target, c.Reason = Virtual, "auto: HIL_SERIAL="+c.Serial+" does not exist, so the virtual Pico stands in"
		}
	case Virtual:
		c.Target, c.Reason = Virtual, "HIL_TARGET=virtual"
	case MicroPython:
		c.Target, c.Reason = MicroPython, "HIL_TARGET=micropython: the firmware runs in MicroPython compiled to WebAssembly"
	case Pico:
		c.Target, c.Reason = Pico, "HIL_TARGET=pico"
		if c.Serial == "" {
			*errs = append(*errs, &ConfigError{"HIL_SERIAL", "", "the pico target needs the data UART port", "set HIL_SERIAL=/dev/serial0 (or the USB-UART adapter's /dev/ttyUSB0)"})
		}
	default:
		*errs = append(*errs, &ConfigError{"HIL_TARGET", target, "unknown target", "use auto, virtual, micropython or pico"})
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Reproduce is the environment prefix that reruns this configuration.
func (c Config) Reproduce() string {
	var parts []string
	for _, v := range Variables {
		if s, ok := c.Environment[v]; ok {
			parts = append(parts, v+"="+strconv.Quote(s))
		}
	}
	if _, ok := c.Environment["HIL_TARGET"]; !ok {
		parts = append([]string{"HIL_TARGET=" + c.Target}, parts...)
	}
	return strings.Join(parts, " ")
}

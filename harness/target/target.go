// Package target is what the suite runs against, and the registry of the
// drivers that open one. A target is the thing at the far end of the
// lines: a real Pico on a bench, a Pi whose TX is jumpered to its RX, or a
// fixture that simulates the Pico on this host.
//
// Targets plug in the way database/sql drivers do: a driver's package
// registers itself in an init function, and a program links the targets
// it offers by importing their packages. The hardware targets (pico,
// jumper) register from harness/target/bench; the fixtures register from their own
// folders, and the suite imports them:
//
//	import _ "github.com/picohil/picohil/fixtures/virtual"
//
// # Adding a target
//
// Make a folder (fixtures/<name> for a simulation), and in it call
// Register in an init function with a Driver: its Open brings the target
// up from the bench's Settings and returns a Device with its lines, LED
// pin, reset and teardown. What else the bench must know before anything
// opens, the driver's type says by implementing the optional interfaces
// (Fixture, Allowing, FaultInjector, FirmwareRunner, TapePlayer, Checker,
// ResetLess, Slowed, SlowStarter, Describer): one method each, found by
// type assertion.
// Then add the one import line to specs/suite_test.go (and to
// harness/cmd/hil/targets.go for hil soak to offer it). HIL_TARGET=<name>
// selects it; an unknown name is refused with the registered names.
//
// # Device time
//
// A target may stamp what happened at the device on the device's own
// clock: when each byte reached its data UART, when each byte left it, and
// when each LED edge happened. It does so by setting Device.Clock to a
// DeviceClock. The measurements (round trips, payloads, line rate, the
// echo load's windows, the burst rate, the blink's edges) then take their
// times from these stamps, and the host's lateness in reading or writing
// the lines no longer counts against the firmware; a target without one
// (pico, jumper) is timed on the host's clock, and the harness attributes
// what its own lateness spoiled (see harness/measure/echo).
//
// What a stamp means:
//
//   - RX: the byte's stop bit was sampled by the device's UART; from then
//     on the firmware could read it.
//   - TX: the byte's stop bit was sent by the device's UART; from then on
//     the host's UART had it whole. A byte the firmware queues behind
//     others leaves one character time after the one before it.
//   - LED: the pin changed level.
//
// The clock: stamps are time.Duration since an epoch of the target's
// choosing, fixed while the device runs, and one clock serves all three
// kinds. It runs at the device's rate: a fixture whose device model runs
// on this host's clock (the virtual Pico) stamps when its model would
// act; a fixture that runs firmware stamps on a clock that leaves out the
// time the host took the firmware off the CPU; an emulator stamps its
// emulated time, however much slower than real time it runs. Only the
// differences between stamps of one device mean anything: they are never
// compared with the host's clock.
//
// How a target supplies them: record each data-UART byte in a UARTLog as
// the device sees it (UARTLog.Add with RX or TX and the stamps), each LED
// transition in an LEDLog, and serve both from a type that embeds them; a
// Simulator that implements DeviceClock gets it as its Device's Clock
// through Simulated. Record a byte's RX before the firmware can answer it
// and its TX before the host can read it: the harness reads the log once
// the host has the echo, and takes the most recent events as its own
// (round trips are one at a time).
package target

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/target/reset"
)

// Settings are what a driver opens a target from: the bench's
// configuration, parsed and checked. Each target reads the fields it uses.
type Settings struct {
	Serial  string // the data UART port (HIL_SERIAL)
	Control string // the control channel's port (HIL_CONTROL)
	// ControlMatch finds the control port by USB identity when Control is
	// not given.
	ControlMatch discover.Match
	LEDPin       string // periph name of the LED input pin (HIL_LED_PIN)
	ResetPin     string // periph name of the output wired to the Pico's RUN pin (HIL_RESET_PIN)
	JumperPin    string // periph name of the output wired to LEDPin (HIL_JUMPER_PIN)
	// LEDTruth is a file where a bench instrument logs the LED's true
	// transitions, "<ns since the epoch> <0|1> [<ns either side>]" per line (HIL_LED_TRUTH).
	LEDTruth  string
	Firmware  string        // the main.py a target that runs firmware runs (HIL_FIRMWARE)
	Tape      string        // a tape (harness/report/tape) whose device side a target replays (HIL_TAPE)
	Faults    string        // the faults to inject, as the driver's Faults gave them back (HIL_FAULT)
	Baud      int           // the data rate (HIL_BAUD)
	BlinkHalf time.Duration // the LED's expected half-period (HIL_BLINK_MS)
	// Turnaround and Jitter are the allowances the specs judge with
	// (HIL_TURNAROUND_MS, HIL_JITTER_MS); the bench fills them in when it
	// opens the target, for a fixture whose faults are sized against them.
	Turnaround, Jitter time.Duration
}

// Device is an opened target: the lines the suite talks to, and how to
// let them go.
type Device struct {
	DataPort    string
	ControlPort string        // "" when the target has no control channel
	LED         gpio.PinIn    // nil when the target has no LED input
	Reset       reset.RunLine // wired to the Pico's RUN pin; nil when there is none
	// Truth returns the LED's true transitions where the target knows
	// them (a simulated pin, a pin the harness drives); nil otherwise.
	Truth func() []edge.Edge
	// Died returns why the device stopped (a firmware traceback, a drive
	// that failed), or nil while it runs; nil where that cannot be known.
	Died func() error
	// Halt returns everything the target holds to an inert state: stops
	// a fixture, releases the pins.
	Halt func() error
	// Clock stamps the device's UART bytes and LED edges on its own clock
	// (see "Device time" in the package doc); nil where the target has no
	// clock of its own and the host's times it.
	Clock DeviceClock
}

// Simulator is a fixture that stands in for the Pico behind ports and a
// simulated LED pin that keeps the true time of every edge.
type Simulator interface {
	DataPort() string
	ControlPort() string
	LED() gpio.PinIn
	LEDTruth() []edge.Edge
	Halt() error
}

// Simulated is a simulator's Device: its ports, its LED with the true
// edges, its Halt, its clock where it implements DeviceClock and why it
// died where it has an Err method. A fixture adds what else it has (a RUN
// line).
func Simulated(s Simulator) *Device {
	d := &Device{DataPort: s.DataPort(), ControlPort: s.ControlPort(), LED: s.LED(), Truth: s.LEDTruth, Halt: s.Halt}
	if c, ok := s.(DeviceClock); ok {
		d.Clock = c
	}
	if e, ok := s.(interface{ Err() error }); ok {
		d.Died = e.Err
	}
	return d
}

// Driver opens one kind of target: the one thing every target does. What
// else the bench must know before anything opens, a driver says by
// implementing the small interfaces below (Fixture, Checker, ...), which
// the bench finds by type assertion, as periph finds what a pin can do.
type Driver interface {
	// Open brings the target up.
	Open(ctx context.Context, s Settings) (*Device, error)
}

// OpenFunc is a Driver that only opens.
type OpenFunc func(ctx context.Context, s Settings) (*Device, error)

// Open calls f.
func (f OpenFunc) Open(ctx context.Context, s Settings) (*Device, error) { return f(ctx, s) }

// Describer is a target that says what it is, for the banner's "why this
// target" when HIL_TARGET names it.
type Describer interface{ About() string }

// Fixture is a target that simulates the Pico on this host: a bench
// profile (which describes hardware) is read only when HIL_BENCH names
// one, edge times come from the simulated pin, and the Pi's UART checks do
// not apply. Model is what it models, with the version it follows, for
// report.json.
type Fixture interface{ Model() string }

// Allowing is a target that needs other allowances than the defaults; a
// zero keeps the default.
type Allowing interface {
	Allowances() (turnaround, jitter time.Duration)
}

// FaultInjector is a target that injects faults: Faults parses HIL_FAULT
// and returns the faults in a canonical spelling, "" for none.
type FaultInjector interface {
	Faults(spec string) (string, error)
}

// FirmwareRunner is a target that runs the main.py HIL_FIRMWARE names.
type FirmwareRunner interface{ RunsFirmware() }

// TapePlayer is a target that can play the device's side of the tape
// HIL_TAPE names.
type TapePlayer interface{ PlaysTape() }

// Checker is a target that finds settings it cannot run with, one
// *SettingError each.
type Checker interface {
	Check(s Settings) []error
}

// ResetLess is a target that never has a reset line: NoReset says why, for
// a skipped reset spec.
type ResetLess interface{ NoReset() string }

// Slowed is a target that stamps on its own clock (Device.Clock) and may
// run Slowdown times slower than real time by the host's clock: the
// suite's deadlines, which only bound a hang on such a target, allow that
// much.
type Slowed interface{ Slowdown() float64 }

// SlowStarter is a target that boots and deploys firmware before Open
// returns: StartTime is how long Open may take by the host's clock beyond
// the suite's own setup allowance.
type SlowStarter interface{ StartTime() time.Duration }

// IsFixture reports whether d simulates the Pico on this host.
func IsFixture(d Driver) bool {
	_, ok := d.(Fixture)
	return ok
}

// ModelOf is what a fixture models, "" for hardware.
func ModelOf(d Driver) string {
	if f, ok := d.(Fixture); ok {
		return f.Model()
	}
	return ""
}

// SlowdownOf is d's Slowdown, 0 where it says none.
func SlowdownOf(d Driver) float64 {
	if s, ok := d.(Slowed); ok {
		return s.Slowdown()
	}
	return 0
}

// StartTimeOf is d's StartTime, 0 where it opens at once.
func StartTimeOf(d Driver) time.Duration {
	if s, ok := d.(SlowStarter); ok {
		return s.StartTime()
	}
	return 0
}

// SettingError is one setting a target cannot run with.
type SettingError struct {
	Var, Value, Problem, Hint string // Var is the HIL_* variable
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("target: %s=%q: %s (hint: %s)", e.Var, e.Value, e.Problem, e.Hint)
}

var (
	mu      sync.RWMutex
	drivers = map[string]Driver{}
)

// Register makes a target available by name. It is called from the init
// function of the driver's package, and panics on an empty name, a driver
// without Open or a name registered twice, as database/sql does.
func Register(name string, d Driver) {
	mu.Lock()
	defer mu.Unlock()
	switch {
	case name == "":
		panic("target: Register with an empty name")
	case d == nil:
		panic("target: Register " + name + " without a driver")
	}
	if _, dup := drivers[name]; dup {
		panic("target: Register called twice for " + name)
	}
	drivers[name] = d
}

// Lookup returns the driver registered as name.
func Lookup(name string) (Driver, bool) {
	mu.RLock()
	defer mu.RUnlock()
	d, ok := drivers[name]
	return d, ok
}

// Names lists the registered targets, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(drivers))
	for n := range drivers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Open opens the target registered as name.
func Open(ctx context.Context, name string, s Settings) (*Device, error) {
	d, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("target: %q is not registered (hint: this program links %v)", name, Names())
	}
	dev, err := d.Open(ctx, s)
	if err != nil {
		return nil, err
	}
	if dev.Halt == nil {
		dev.Halt = func() error { return nil }
	}
	return dev, nil
}

package stats

import (
	"fmt"
	"strings"
)

// The bundled suite's measurement and timeline names, declared once: the
// specs record them, the gate's rules and report.html find measurements
// by them, hil replay and the self-tests look for them. Renaming one here
// renames it everywhere; a suite of its own declares its names beside
// its specs.
const (
	// EchoRTT is the single-byte round trips' p99.
	EchoRTT = "echo.rtt.1B"
	// EchoLineRate is the pipelined echo's rate, in percent of line rate.
	EchoLineRate = "echo.line_rate"
	// BaudEffective is the rate the device sends at, against the bench's.
	BaudEffective = "baud.effective"
	// BaudSweep is the effective rate at each rate of the sweep.
	BaudSweep = "baud.sweep"
	// BaudBurst is the timeline of a timed burst's bytes.
	BaudBurst = "baud.burst"
	// BaudMismatchIntact is how many bytes survived a deliberate rate
	// mismatch; BaudMismatchRates, the report entry naming the two rates.
	BaudMismatchIntact = "baud.mismatch.intact"
	BaudMismatchRates  = "baud.mismatch.rates"
	// ResetRecovery is the time from releasing RUN to VERSION's answer.
	ResetRecovery = "reset.recovery"
	// HostWakeLate and HostWakeJitter are the preflight's measures of how
	// late the host wakes from a sleep.
	HostWakeLate   = "host.wake_late_p99"
	HostWakeJitter = "host.wake_jitter"
	// ScenarioSerial, ScenarioLED and ScenarioLog are a scenario's serial
	// and LED timelines and its step log.
	ScenarioSerial = "scenario.serial"
	ScenarioLED    = "scenario.led"
	ScenarioLog    = "scenario.log"
)

// A blink capture's measurements are named by its prefix, Blink or
// BlinkLoad, and one of the suffixes below: Blink + HalfPeriod is
// "blink.half_period".
const (
	Blink     = "blink"      // the LED idle
	BlinkLoad = "blink.load" // the LED while the echo saturates the UART

	HalfPeriod     = ".half_period"
	Duty           = ".duty"
	JitterP99      = ".jitter_p99"
	EdgesSeen      = ".edges_seen"
	EdgesMissed    = ".edges_missed"
	KernelMissed   = ".kernel_missed"
	TruthMissed    = ".truth_missed"
	TruthExtra     = ".truth_extra"
	TimestampError = ".timestamp_error"
	Edges          = ".edges" // the captured edges' timeline
	Truth          = ".truth" // a fixture's true edges' timeline

	// BlinkLoadThroughput is the echo load's lowest window under the blink.
	BlinkLoadThroughput = BlinkLoad + ".throughput"
)

// Cadences are the blink captures' prefixes, the load's first, so that a
// name is matched to the longer prefix.
var Cadences = []string{BlinkLoad, Blink}

// EchoPayloadPrefix prefixes the payload round trips' names; EchoPayloads
// stands for them all, for a reader.
const (
	EchoPayloadPrefix = "echo.payload."
	EchoPayloads      = EchoPayloadPrefix + "<n>B"
)

// EchoPayload names a size-byte payload's round trip.
func EchoPayload(size int) string { return fmt.Sprintf("%s%dB", EchoPayloadPrefix, size) }

// IsEchoPayload reports whether name is a payload round trip's.
func IsEchoPayload(name string) bool { return strings.HasPrefix(name, EchoPayloadPrefix) }

// deviceCounters prefixes the device's STATS counters, per spec family.
const deviceCounters = "stats."

// The STATS counters a family's deltas are recorded under.
const (
	CounterRX     = "rx"
	CounterTX     = "tx"
	CounterErrors = "errors"
)

// DeviceCounter names a family's delta of a STATS counter:
// "stats.echo.errors".
func DeviceCounter(family, counter string) string {
	return deviceCounters + family + "." + counter
}

// IsDeviceErrors reports whether name is a family's STATS errors delta.
func IsDeviceErrors(name string) bool {
	return strings.HasPrefix(name, deviceCounters) && strings.HasSuffix(name, "."+CounterErrors)
}

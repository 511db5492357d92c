// Package report is the schema of out/hil/report.json, the machine-readable
// result of a run: the target, the firmware, every spec's state and every
// measurement with unit, limits and verdict.
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report/tape"
)

// Schema identifies this layout; it changes when a field changes meaning.
const Schema = "picohil.report/v2"

// Report is one run.
type Report struct {
	Schema  string `json:"schema"`
	Target  string `json:"target"`
	Fixture bool   `json:"fixture"` // the target simulates the Pico on this host
	// Model is what a fixture models, with the version it follows.
	Model    string `json:"model,omitempty"`
	Reason   string `json:"reason"`
	StandIn  bool   `json:"stand_in"`          // the simulation stood in: nothing named hardware, no hardware was tested
	Stopped  string `json:"stopped,omitempty"` // why the run stopped before any spec: a bad setting, a missing port
	Bench    string `json:"bench"`
	BenchID  string `json:"bench_id"` // HIL_BENCH_ID, else the host name
	Host     Host   `json:"host"`
	Faults   string `json:"faults"`
	Firmware string `json:"firmware,omitempty"` // VERSION's answer, "<name> <semver>"
	// FirmwareName and FirmwareVersion are Firmware's two parts.
	FirmwareName    string `json:"firmware_name,omitempty"`
	FirmwareVersion string `json:"firmware_version,omitempty"`
	// Platform is the interpreter and board the device reports, where it
	// does (BOARD), e.g. "MicroPython 1.24.1 Raspberry Pi Pico with RP2040".
	Platform       string    `json:"platform,omitempty"`
	HarnessVersion string    `json:"harness_version"` // see HarnessVersion
	Settings       Settings  `json:"settings"`
	DeviceError    string    `json:"device_error,omitempty"` // why the device stopped, e.g. a firmware traceback
	Reproduce      string    `json:"reproduce"`
	SpecSeed       int64     `json:"spec_seed"` // Ginkgo's random seed: the spec order; SEED=<n> reruns it
	Started        time.Time `json:"started"`
	Finished       time.Time `json:"finished"`
	Pass           bool      `json:"pass"`
	// Blame is whose failure a failed run is, "firmware" or "bench", and
	// BenchCause the bench's cause (harness/farm/blame); both absent on a pass.
	Blame       string `json:"blame,omitempty"`
	BenchCause  string `json:"bench_cause,omitempty"`
	Interrupted bool   `json:"interrupted"`
	// Console is the control channel's lines before the first spec: the
	// setup's VERSION and BOARD exchange, a boot banner (tape events).
	Console   []tape.Event `json:"console,omitempty"`
	Preflight []Check      `json:"preflight"` // the bench checks run before any spec
	Specs     []Spec       `json:"specs"`
}

// Settings are the bench settings a run was judged with; runs with other
// settings are not comparable.
type Settings struct {
	Baud         int     `json:"baud"`
	Bauds        []int   `json:"bauds"`
	BlinkHalfMs  float64 `json:"blink_half_ms"`
	TurnaroundMs float64 `json:"turnaround_ms"` // allowance on top of wire time
	JitterMs     float64 `json:"jitter_ms"`     // blink p99 jitter tolerance
}

// Check statuses: a fail stops the suite before any spec, a warn is
// reported and the run goes on, a skip says why the check does not apply.
const (
	CheckOK   = "ok"
	CheckWarn = "warn"
	CheckFail = "fail"
	CheckSkip = "skip"
)

// Check is one preflight check's outcome.
type Check struct {
	Name         string              `json:"name"`
	Bench        string              `json:"bench,omitempty"`    // the bench id, where a profile names benches
	Status       string              `json:"status"`             // ok, warn, fail, skip
	Expected     string              `json:"expected,omitempty"` // what a healthy bench shows
	Detail       string              `json:"detail"`             // what was seen, or why it was skipped
	Hint         string              `json:"hint,omitempty"`     // what to check on the bench
	Measurements []stats.Measurement `json:"measurements,omitempty"`
}

// Spec is one spec's outcome.
type Spec struct {
	Name       string   `json:"name"`
	Labels     []string `json:"labels"`
	State      string   `json:"state"` // passed, failed, skipped, pending, interrupted, timedout, panicked, inconclusive
	DurationMs float64  `json:"duration_ms"`
	// Clock is whose clock timed the spec's measurements: "device" (the
	// target's own stamps) or "host"; "" for a spec that timed nothing.
	Clock string `json:"clock,omitempty"`
	// HostLate counts the samples, payloads or load windows the host
	// spoiled by stalling: measured again, never counted against the
	// firmware.
	HostLate     int                 `json:"host_late"`
	Failure      string              `json:"failure,omitempty"`
	SkipReason   string              `json:"skip_reason,omitempty"` // why a skipped spec did not run
	Location     string              `json:"location,omitempty"`
	Blame        string              `json:"blame,omitempty"` // a failed spec's: "firmware" or "bench"
	Cause        string              `json:"cause,omitempty"` // the bench's cause of a failure of the bench's
	Measurements []stats.Measurement `json:"measurements"`
	Traces       []stats.Trace       `json:"traces,omitempty"` // raw timelines: LED edges, burst arrivals
	// Console is the control channel's lines during the spec, both ways:
	// the commands, the replies, and what else the firmware printed.
	Console []tape.Event `json:"console,omitempty"`
	// Data is, for a failed spec, the data line's bytes about the failure.
	Data []tape.Event `json:"data,omitempty"`
}

// Host is the machine that ran the harness.
type Host struct {
	Name   string `json:"name"`
	Model  string `json:"model"`  // /proc/device-tree/model, "unknown" where absent
	Kernel string `json:"kernel"` // uname: system, release, machine
}

// Measurement finds the named measurement in any spec.
func (r Report) Measurement(name string) (stats.Measurement, bool) {
	for _, s := range r.Specs {
		for _, m := range s.Measurements {
			if m.Name == name {
				return m, true
			}
		}
	}
	return stats.Measurement{}, false
}

// Inconclusive is the state of a spec the host was too late to measure
// ("inconclusive: host late"): it could not get a clean measurement within
// its tries. It is never a pass and never the firmware's failure; the gate
// does not compare its measurements, and `make hil` exits with
// InconclusiveStatus when it is a run's worst state. A bench's own
// failures are of this kind.
const Inconclusive = "inconclusive"

// InconclusiveStatus is the exit status of a run whose specs passed or
// skipped but for some inconclusive ones.
const InconclusiveStatus = 3

// Report entries the suite attaches to a spec for this schema.
const (
	// InconclusiveEntry carries why a spec is Inconclusive.
	InconclusiveEntry = "inconclusive"
	// InconclusivePrefix begins the failure message of an Inconclusive
	// spec, as JUnit readers see it.
	InconclusivePrefix = "inconclusive: host late\n"
	// HostLateEntry carries a spec's count of host-late samples.
	HostLateEntry = "host_late"
	// ClockEntry carries whose clock timed a spec ("device" or "host").
	ClockEntry = "clock"
)

// Failed lists the names of specs that did not pass, skip or end
// inconclusive.
func (r Report) Failed() []string {
	var out []string
	for _, s := range r.Specs {
		if s.State != "passed" && s.State != "skipped" && s.State != "pending" && s.State != Inconclusive {
			out = append(out, s.Name)
		}
	}
	return out
}

// Inconclusives lists the names of specs the host was too late to measure.
func (r Report) Inconclusives() []string {
	var out []string
	for _, s := range r.Specs {
		if s.State == Inconclusive {
			out = append(out, s.Name)
		}
	}
	return out
}

// Write stores r as indented JSON at path, atomically.
func Write(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode: %w", err)
	}
	return writeFile(path, append(b, '\n'))
}

// writeFile replaces path with b atomically, creating its directory.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Read loads a report and checks its schema.
func Read(path string) (Report, error) {
	var r Report
	b, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("report: %s: %w", path, err)
	}
	if r.Schema != Schema {
		return r, fmt.Errorf("report: %s: schema %q, want %q", path, r.Schema, Schema)
	}
	return r, nil
}

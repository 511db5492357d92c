// Package tape is a run's traffic as data: every byte each way on the data
// line with its time, every LED edge, every control-channel line, where
// each spec began and ended, the verdicts it reached, and the settings and
// versions the run had. A Recorder collects it while the suite runs; a
// Writer stores it as JSON lines (FORMAT.md); Read loads it again, so a
// run can be judged offline (hil replay) or drive a stand-in device.
package tape

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
)

// Format names this layout; a reader refuses any other.
const Format = "picohil.tape/v1"

// Kind says what an event is.
type Kind string

// The kinds of event. A tape is one header, then the others in time order.
const (
	KindHeader  Kind = "header"  // the settings and versions; first and once
	KindData    Kind = "data"    // bytes on the data line
	KindLine    Kind = "line"    // one control-channel line
	KindEdge    Kind = "edge"    // one LED edge
	KindSpec    Kind = "spec"    // a spec begins
	KindCapture Kind = "capture" // an LED capture's span: At armed, Until its end
	KindVerdict Kind = "verdict" // a measurement the spec judged live
	KindEnd     Kind = "end"     // a spec ends, with its state
	KindStall   Kind = "stall"   // the host was late: At to Until
)

// Dir is a direction on a line.
type Dir string

// Directions, seen from the harness.
const (
	Tx Dir = "tx" // host to device
	Rx Dir = "rx" // device to host
)

// Stamp says whose clock a time is from.
type Stamp string

// Clocks.
const (
	// Host is the harness's clock: when a write began, when a read returned.
	Host Stamp = "host"
	// Device is the target's own record of when a byte crossed its UART or
	// its LED changed, on the device's clock (harness/target, "Device
	// time"): the event's DeviceNs holds it, and its At is when the harness
	// took the stamps from the target.
	Device Stamp = "device"
)

// Hex is bytes written as a hex string.
type Hex []byte

// MarshalText writes b in lower-case hex.
func (b Hex) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(b)), nil }

// UnmarshalText reads hex.
func (b *Hex) UnmarshalText(t []byte) error {
	v, err := hex.DecodeString(string(t))
	if err != nil {
		return fmt.Errorf("tape: bytes: %w", err)
	}
	*b = v
	return nil
}

// Event is one line of a tape. Kind selects which fields apply (FORMAT.md).
type Event struct {
	Kind  Kind      `json:"k"`
	At    time.Time `json:"at,omitzero"`
	Stamp Stamp     `json:"stamp,omitempty"` // data, edge: whose clock At is
	Dir   Dir       `json:"dir,omitempty"`   // data, line
	Bytes Hex       `json:"hex,omitempty"`   // data
	Text  string    `json:"text,omitempty"`  // line: the line; spec: the spec's name; end: its state
	Level *bool     `json:"high,omitempty"`  // edge: the level after it
	// DeviceNs is, for an event stamped by the device, the device's time
	// of each byte (data) or of the edge, in ns since the device's epoch;
	// for a capture, the device's times of its edges, where it has them.
	DeviceNs []int64   `json:"device_ns,omitempty"`
	Until    time.Time `json:"until,omitzero"` // capture: its end
	// Measurement is the verdict's measurement (without its samples).
	Measurement *stats.Measurement `json:"measurement,omitempty"`
	Header      *Header            `json:"header,omitempty"`
}

// Header is what a run was judged with and what ran.
type Header struct {
	Format  string    `json:"format"`
	Started time.Time `json:"started"`
	Target  string    `json:"target"`
	Faults  string    `json:"faults"`
	// Seed is the spec order's seed (SEED=<n> reruns it).
	Seed int64 `json:"seed"`
	// Focus and Labels are the run's spec filters (make hil FOCUS=,
	// LABELS=); a replay through a device runs the same specs.
	Focus    []string `json:"focus,omitempty"`
	Labels   string   `json:"labels,omitempty"`
	Settings Settings `json:"settings"`
	Versions Versions `json:"versions"`
}

// Settings are the bench settings the verdicts use.
type Settings struct {
	Baud         int     `json:"baud"`
	BlinkHalfMs  float64 `json:"blink_half_ms"`
	TurnaroundMs float64 `json:"turnaround_ms"`
	JitterMs     float64 `json:"jitter_ms"`
}

// Versions name what ran.
type Versions struct {
	Harness  string `json:"harness"`
	Firmware string `json:"firmware,omitempty"`
	Platform string `json:"platform,omitempty"`
	Go       string `json:"go"`
}

// Ms is a Settings duration in milliseconds as a time.Duration.
func Ms(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

package hil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/report/tape"
)

// The evidence of a spec: the control channel's lines, and on failure the
// data bytes about it, from the recorder every line reports to. With
// HIL_RECORD=<path> (make hil RECORD=1) the recorder also stores the whole
// run as a tape (harness/report/tape/FORMAT.md) that hil replay judges again.

// evidenceEntry names the report entry that carries a spec's evidence.
const evidenceEntry = "evidence"

// Data bytes kept each way about a failure: before it, and after it.
const (
	bytesBefore = 64
	bytesAfter  = 16
)

// consoleQuiet is how long the control channel must be silent at a
// spec's end before its evidence is taken: far below any reply's
// deadline, long enough to collect what the port already holds.
const consoleQuiet = 5 * time.Millisecond

// evidence is what a spec's report entry carries.
type evidence struct {
	Console []tape.Event `json:"console,omitempty"`
	Data    []tape.Event `json:"data,omitempty"`
}

// recordData is the data link's observer.
func recordData(sent bool, at time.Time, p []byte) {
	dir := tape.Rx
	if sent {
		dir = tape.Tx
	}
	rig.tape.Data(dir, at, p)
}

// RecordCapture puts an LED capture on the run's tape: its span, from
// arming the pin to the capture's end, its edges and, where the target has
// a device clock, the device's stamps of them (device, nil without one).
func (r *Rig) RecordCapture(armed, end time.Time, edges, device []edge.Edge) {
	capture := tape.Event{Kind: tape.KindCapture, At: armed, Until: end}
	for _, e := range device { // the device's stamps of the same edges, which the cadence is judged on
		capture.DeviceNs = append(capture.DeviceNs, int64(e.At.Sub(time.Time{})))
	}
	r.tape.Add(capture)
	for _, e := range edges {
		r.tape.Edge(e.At, bool(e.Level), tape.Host)
	}
}

// recordVerdict puts a judged measurement on the tape, without its samples
// (the tape holds what they were measured from).
func recordVerdict(m stats.Measurement) {
	if rig == nil || rig.tape == nil {
		return
	}
	m.Series = nil
	rig.tape.Add(tape.Event{Kind: tape.KindVerdict, Measurement: &m})
}

// setupConsole is the control channel's lines before the first spec: the
// setup's VERSION and BOARD, a boot banner.
var (
	setupConsole []tape.Event
	setupTaken   bool
)

// devLog puts the target's own stamps on the tape, where it has a device
// clock and the run is recorded.
var devLog *tape.DeviceLog

var storeTape = sync.OnceValue(func() error {
	path := os.Getenv("HIL_RECORD")
	if path == "" {
		return nil
	}
	if p := ginkgo.GinkgoParallelProcess(); p > 1 {
		path = fmt.Sprintf("%s.%d", path, p)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("HIL_RECORD=%s: %w", path, err)
	}
	sc, _ := ginkgo.GinkgoConfiguration()
	h := tape.Header{
		Started: time.Now(), Target: cfg.Target, Faults: cfg.Faults, Seed: ginkgo.GinkgoRandomSeed(),
		Focus: sc.FocusStrings, Labels: sc.LabelFilter,
		Settings: tape.Settings{Baud: cfg.Baud, BlinkHalfMs: ms(cfg.BlinkHalf), TurnaroundMs: ms(cfg.Turnaround), JitterMs: ms(cfg.JitterTol)},
		Versions: tape.Versions{Harness: report.HarnessVersion(), Platform: rig.Platform, Go: runtime.Version()},
	}
	if rig.Firmware.Name != "" {
		h.Versions.Firmware = rig.Firmware.String()
	}
	w, err := tape.Create(path, h)
	if err != nil {
		return fmt.Errorf("HIL_RECORD=%s: %w", path, err)
	}
	rig.tape.Store(w)
	if rig.Bench.Clock != nil {
		devLog = &tape.DeviceLog{Clock: rig.Bench.Clock}
		devLog.Record(rig.tape, time.Now()) // the setup's traffic, before the first spec
	}
	ginkgo.GinkgoWriter.Printf("picohil: recording the run to %s\n", path)
	return nil
})

var _ = ginkgo.BeforeEach(func() {
	if rig == nil || rig.tape == nil {
		return
	}
	ExpectNoError(storeTape(), "the tape opens (HIL_RECORD)", "a writable path for the tape")
	between := rig.tape.Take() // what came between specs goes to the tape
	if !setupTaken {
		setupConsole, setupTaken = tape.Of(between, tape.KindLine), true
	}
	rig.tape.Add(tape.Event{Kind: tape.KindSpec, Text: ginkgo.CurrentSpecReport().FullText()})
})

var _ = ginkgo.AfterEach(func() {
	if rig == nil || rig.tape == nil {
		return
	}
	drainConsole()
	recordStalls()
	if devLog != nil {
		devLog.Record(rig.tape, time.Now())
	}
	s := ginkgo.CurrentSpecReport()
	state := "passed"
	if s.Failed() {
		state = "failed"
	}
	rig.tape.Add(tape.Event{Kind: tape.KindEnd, Text: state})
	events := rig.tape.Take()
	ev := evidence{Console: tape.Of(events, tape.KindLine)}
	if s.Failed() {
		at := s.Failure.TimelineLocation.Time
		if at.IsZero() {
			at = time.Now()
		}
		ev.Data = tape.Around(events, at, bytesBefore, bytesAfter)
	}
	if len(ev.Console) > 0 || len(ev.Data) > 0 {
		ginkgo.AddReportEntry(evidenceEntry, ev, ginkgo.ReportEntryVisibilityNever)
	}
})

// drainConsole reads what the firmware printed that no command's reply
// collected, until the control channel is quiet for consoleQuiet, so that
// a print lands under the spec it came in.
func drainConsole() {
	if rig.Line == nil {
		return
	}
	for range maxDrained {
		ctx, cancel := context.WithTimeout(context.Background(), consoleQuiet)
		_, err := rig.Line.ReadLine(ctx)
		cancel()
		if err != nil {
			return
		}
	}
}

// maxDrained bounds the lines drainConsole reads: a firmware that prints
// without pause cannot hold the suite.
const maxDrained = 1000

// stallsSeen counts the host's stalls already on the tape.
var stallsSeen int

// recordStalls puts the host's stalls since the last spec on the tape, so
// that a replay leaves out the samples they spoiled, as the run did.
func recordStalls() {
	spans := rig.Watch.Stalls()
	for _, sp := range spans[min(stallsSeen, len(spans)):] {
		rig.tape.Add(tape.Event{Kind: tape.KindStall, At: sp.From, Until: sp.To})
	}
	stallsSeen = len(spans)
}

// evidenceText is a spec's evidence for a JUnit system-out.
func evidenceText(s types.SpecReport) string {
	ev, ok := evidenceOf(s)
	if !ok {
		return ""
	}
	var out string
	if len(ev.Console) > 0 {
		out += "control channel:\n" + tape.Text(ev.Console)
	}
	if len(ev.Data) > 0 {
		out += "data line about the failure (> to the device, < from it):\n" + tape.Text(ev.Data)
	}
	return out
}

func evidenceOf(s types.SpecReport) (evidence, bool) {
	for _, e := range s.ReportEntries {
		if e.Name == evidenceEntry {
			return entryAs(e, func(evidence) bool { return true })
		}
	}
	return evidence{}, false
}

package specs

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/stats"
)

// tally holds a family's device counters to the host's byte counts: STATS
// is read around each of its specs on a quiet line, and the deltas summed
// over the family must equal what the host sent (rx) and received (tx),
// with errors not growing. BURST bytes are tx like an echo's; BAUD keeps
// the counters (only a reset clears them).
type tally struct {
	family         string
	dev            counts // summed deltas
	sent, received int64
	specs          int
	uncounted      []string // specs left out, with why
	why            string   // why the counters cannot be judged, "" while they can
	skipSpec       string   // the running spec is left out, and why
}

// counting is the running family's tally, for uncounted.
var counting *tally

// countDevice reads the device's counters around every spec of the
// enclosing family (an Ordered container, so its specs run in order
// together on one process) and adds the spec that judges them; it is
// called last in the family, so that spec runs after the others.
func countDevice(family string) {
	t := &tally{family: family}
	var before snapshot
	BeforeEach(func(ctx SpecContext) {
		counting, t.skipSpec = t, ""
		before = t.snapshot(ctx)
	}, NodeTimeout(timeouts.Cleanup+timeouts.Reply))
	AfterEach(func(ctx SpecContext) {
		if !before.ok {
			return
		}
		if t.skipSpec != "" {
			t.uncounted = append(t.uncounted, CurrentSpecReport().LeafNodeText+": "+t.skipSpec)
			return
		}
		after := t.snapshot(ctx)
		// A firmware counts tx once its bytes are queued (after drain), so
		// a line that went quiet while a fixture's process stalled may
		// still owe some: read again while the device says it sent more,
		// or took in less, than the host has seen. Lost bytes stay owed.
		for try := 0; after.ok && owed(before, after) && try < settleTries; try++ {
			after = t.snapshot(ctx)
		}
		if !after.ok {
			return
		}
		t.dev.RX += after.dev.RX - before.dev.RX
		t.dev.TX += after.dev.TX - before.dev.TX
		t.dev.Errors += after.dev.Errors - before.dev.Errors
		t.sent += after.sent - before.sent
		t.received += after.received - before.received
		t.specs++
	}, NodeTimeout(timeouts.Cleanup+timeouts.Reply))
	It("keeps the device's counters in step: STATS rx and tx equal the bytes sent and received, errors do not grow", labelControl,
		func() { t.judge() })
}

// settleTries bounds how often a snapshot is retaken while bytes are owed:
// each waits for a quiet line first.
const settleTries = 10

// owed is true while the device counts more bytes sent than the host has
// received, or fewer received than the host sent, since before.
func owed(before, after snapshot) bool {
	return after.dev.TX-before.dev.TX > after.received-before.received || after.dev.RX-before.dev.RX < after.sent-before.sent
}

// counts are the device's STATS counters, as rig.Control.Stats reads them.
type counts struct{ RX, TX, Errors int64 }

// snapshot is the device's counters and the host's at one instant.
type snapshot struct {
	dev            counts
	sent, received int64
	ok             bool
}

// uncounted leaves the running spec out of its family's counters: it
// makes the device see other bytes than the host sent on purpose.
func uncounted(why string) {
	if counting != nil {
		counting.skipSpec = why
	}
}

// snapshot settles the data line, so every byte either side sent has
// arrived and been counted, then reads STATS and the host's counts. A
// device that does not answer STATS leaves the family unjudged, with why.
func (t *tally) snapshot(ctx context.Context) snapshot {
	if t.why != "" {
		return snapshot{}
	}
	if rig.Control == nil {
		t.why = "this bench has no control channel to ask STATS (set HIL_CONTROL)"
		return snapshot{}
	}
	if _, err := rig.Data.ResyncSlowed(ctx, hil.Target().Slowdown); err != nil {
		t.why = "the data line did not go quiet to read the counters: " + err.Error()
		return snapshot{}
	}
	sctx, cancel := context.WithTimeout(ctx, timeouts.Reply)
	defer cancel()
	st, err := rig.Control.Stats(sctx)
	if err != nil {
		t.why = "the firmware did not answer STATS: " + err.Error()
		return snapshot{}
	}
	sent, received := rig.Data.Counts()
	return snapshot{dev: counts(st), sent: sent, received: received, ok: true}
}

// judge records the family's counter deltas and fails when they disagree
// with the host; it skips, saying why, where they cannot be read.
func (t *tally) judge() {
	GinkgoHelper()
	left := ""
	if len(t.uncounted) > 0 {
		left = "; left out: " + strings.Join(t.uncounted, "; ")
	}
	if t.why != "" || t.specs == 0 {
		Skip("device counters not judged: " + cmp.Or(t.why, "no other spec of the family ran") + left)
	}
	ms := []stats.Measurement{
		hil.Record(stats.Measure(stats.DeviceCounter(t.family, stats.CounterRX), "bytes", float64(t.dev.RX), stats.Between(float64(t.sent), float64(t.sent)))),
		hil.Record(stats.Measure(stats.DeviceCounter(t.family, stats.CounterTX), "bytes", float64(t.dev.TX), stats.Between(float64(t.received), float64(t.received)))),
		hil.Record(stats.Measure(stats.DeviceCounter(t.family, stats.CounterErrors), "errors", float64(t.dev.Errors), stats.AtMost(0))),
	}
	var bad []string
	for _, m := range ms {
		if !m.Pass {
			bad = append(bad, m.String())
		}
	}
	if len(bad) > 0 {
		Fail(hil.Explain(fmt.Sprintf("over the %s family's %d specs the device's STATS deltas equal the host's counts (rx = %d bytes sent, tx = %d bytes received) and errors stay 0", t.family, t.specs, t.sent, t.received),
			strings.Join(bad, "\n          ")+left,
			"rx short of what was sent: the firmware's UART lost bytes (an overrun while a task blocked the scheduler); tx off: bytes lost on the way back, or a counter the firmware keeps wrong; errors grew: the firmware swallowed exceptions, run it on the REPL to see them"))
	}
}

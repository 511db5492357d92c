package specs

import (
	"time"

	"github.com/picohil/picohil/harness/hil"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/verdict"
	"github.com/picohil/picohil/harness/scenario"
)

// Sizes of the work each spec does; budgets and timeouts derive from them.
const (
	rttCount      = 1000
	blinkEdges    = 12
	burstDuration = 250 * time.Millisecond
	lineRateSpan  = 2 * time.Second
	lineRateMin   = 95.0 // percent of theoretical throughput
	baudTolerance = 2.0  // percent
	// The blink-under-load echo must move at least loadMin percent of line
	// rate in every loadWindow of the capture (harness/measure/verdict judges it);
	// it sends chunks of one window's bytes.
	loadWindow = verdict.LoadWindow
	loadMin    = verdict.LoadMin
	// resetPulse holds the Pico's RUN low; resetBudget is how soon after
	// release it must answer VERSION again: boot ROM and MicroPython
	// start-up take well under a second, the host's USB enumeration of the
	// CDC port one to two more.
	resetPulse  = hil.ResetPulse
	resetBudget = 5 * time.Second
	// opGrace is added to the physical duration of one operation to make
	// its deadline: it never enters a measured budget.
	opGrace = time.Second
	// deviceSlowdown is how much slower than real time a target with a
	// device clock may run (an interpreter the host keeps off the CPU, an
	// emulator) before its operations' deadlines end them, unless the
	// target gives its own (target.Device.Slowdown).
	deviceSlowdown = 4
)

// slack absorbs process start-up and scheduling on a busy machine in
// deadlines; it never enters a measured budget.
const slack = 10 * time.Second

// Timeouts are every deadline of the suite, derived from the bench's rates
// and cadence in one place.
type Timeouts struct {
	Setup, Reply, Cleanup time.Duration
	PerTrip               time.Duration // one round trip
	RTT                   time.Duration // the whole single-byte series
	Payload               time.Duration
	LineRate              time.Duration
	Burst                 time.Duration
	Sweep                 time.Duration // every rate of HIL_BAUDS
	BlinkWindow           time.Duration // capture window for blinkEdges
	Blink                 time.Duration
	Preflight             time.Duration // every preflight check, part of Setup
	Reset                 time.Duration // pulse, recovery, then echo and blink again
	Power                 time.Duration // a power cycle: off, then the Pico's boot and re-enumeration
	// ScenarioWait bounds a scenario's wait, write or RUN change that
	// gives no timeout of its own: a control reply, or two half-periods of
	// the bench's blink and its jitter.
	ScenarioWait time.Duration
	// ScenarioRestore bounds putting the bench's rate and cadence back
	// after a scenario: a boot, should it have reset the Pico, and two replies.
	ScenarioRestore time.Duration
}

// scenarioOptions are the deadlines of a scenario's steps.
func (t Timeouts) scenarioOptions() scenario.Options {
	return scenario.Options{Wait: t.ScenarioWait, Grace: opGrace}
}

// scenario bounds one scenario: the sum of its steps' deadlines.
func (t Timeouts) scenario(s *scenario.Scenario) time.Duration {
	return s.Budget(t.scenarioOptions()) + slack
}

func timeoutsFor() Timeouts {
	c, tg := hil.Config(), hil.Target()
	frame := baud.ByteTime(max(c.Baud, 1))
	window := time.Duration(float64(blinkEdges+2) * 1.5 * float64(c.BlinkHalf))
	if tg.Fixture && tg.Slowdown == 0 {
		// A fixture is judged on its device clock, which may run slower
		// than real time: the capture waits for its edges as much longer
		// (by its own Slowdown below where its driver gives one).
		window *= deviceSlowdown
	}
	// A target that runs slower than real time on its own clock gets its
	// device's activity bounded that much longer (target.Driver.Slowdown).
	// Its host may also keep it off the CPU for seconds at a time: one
	// round trip's grace is then longer (a loaded 2-core host held the
	// emulated RP2040 for over 1.5 s).
	slow, tripGrace := func(d time.Duration) time.Duration { return d }, time.Second
	if s := tg.Slowdown; s > 0 {
		slow = func(d time.Duration) time.Duration { return time.Duration(s * float64(d)) }
		tripGrace = 5 * time.Second
	}
	reply, perTrip := 2*time.Second, slow(2*frame+c.Turnaround)+tripGrace
	led := hil.LEDWindow()
	// VERSION, BLINK, one echo, two LED edges, the host's wake-up probe.
	pre := 2*reply + perTrip + led + time.Second
	powerUp := hil.PowerOff + resetBudget
	recovery := time.Duration(0) // a power cycle and preflight again, on a bench with a power switch
	if !c.Power.IsZero() {
		recovery = powerUp + pre
	}
	return Timeouts{
		Setup:       slack + pre + recovery + tg.Start,
		Reply:       reply,
		Cleanup:     5 * time.Second,
		PerTrip:     perTrip,
		RTT:         slow(rttCount*(2*frame+c.Turnaround)) + slack,
		Payload:     slow(2*4097*frame+c.Turnaround) + slack,
		LineRate:    slow(2*lineRateSpan) + slack,
		Burst:       slow(burstDuration) + slack,
		Sweep:       slow(sweepTimeout(c.Bauds, reply)),
		BlinkWindow: slow(window),
		Blink:       slow(window) + 2*time.Second + slack,
		Preflight:   pre,
		Reset:       resetPulse + resetBudget + 2*reply + perTrip + led + slack,
		Power:       powerUp,

		ScenarioWait:    max(reply, 2*c.BlinkHalf+c.JitterTol) + opGrace,
		ScenarioRestore: resetBudget + 3*reply,
	}
}

// sweepBytes is what the sweep echoes at each rate, every byte value four
// times back to back: more than a receive buffer of the rp2 default (256
// bytes and the 32-byte FIFO) holds, so a firmware that reads too seldom for
// a rate loses bytes at that rate.
const sweepBytes = 1024

// sweepTimeout bounds the baud sweep: at each rate the BAUD and BURST
// replies, sweepBytes each way and a burst, each with its operation grace.
func sweepTimeout(rates []int, reply time.Duration) time.Duration {
	d := slack
	for _, rate := range rates {
		d += 2*reply + 2*(sweepBytes+1)*baud.ByteTime(rate) + burstDuration + 2*opGrace
	}
	return d
}

// judged is the bench's settings as the verdicts take them.
func judged() verdict.Bench {
	return verdict.Bench{Baud: cfg.Baud, Turnaround: cfg.Turnaround, BlinkHalf: cfg.BlinkHalf, Jitter: cfg.JitterTol}
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/farm/health"
	"github.com/picohil/picohil/harness/farm/lease"
	"github.com/picohil/picohil/harness/gpio/edge"
	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/clock"
	"github.com/picohil/picohil/harness/measure/echo"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target"
	"github.com/picohil/picohil/harness/target/bench"
)

// Soak work sizes.
const (
	soakPayloadEvery = 64 // every so many round trips, a payload of all byte values
	soakFirstErrors  = 10 // error messages kept for the report
	soakOpGrace      = time.Second
)

// SoakWindow is one window of the soak (a minute by default), printed as
// it closes.
type SoakWindow struct {
	StartS      float64 `json:"start_s"`
	RoundTrips  int     `json:"round_trips"`
	Bytes       int     `json:"bytes"`
	Errors      int     `json:"errors"`
	RTTP50Us    float64 `json:"rtt_p50_us"`
	RTTP99Us    float64 `json:"rtt_p99_us"`
	Edges       int     `json:"edges"`
	EdgesMissed int     `json:"edges_missed"`
	// The window's blink cadence, judged as the blink specs judge it: the
	// least-squares half-period and the p99 jitter, and what is out of
	// limits ("" when both are within, or when there is no LED input).
	HalfPeriodMs float64 `json:"half_period_ms,omitempty"`
	JitterP99Ms  float64 `json:"jitter_p99_ms,omitempty"`
	Cadence      string  `json:"cadence_problem,omitempty"`
	rtts         []float64
}

// SoakTotals sums the windows.
type SoakTotals struct {
	RoundTrips  int `json:"round_trips"`
	Bytes       int `json:"bytes"`
	Errors      int `json:"errors"`
	Edges       int `json:"edges"`
	EdgesMissed int `json:"edges_missed"`
	// CadenceFailed counts the windows whose cadence was out of limits.
	CadenceFailed int `json:"cadence_failed"`
}

// SoakReport is out/soak/soak.json.
type SoakReport struct {
	Bench       string       `json:"bench"`
	Started     time.Time    `json:"started"`
	Finished    time.Time    `json:"finished"`
	WindowS     float64      `json:"window_s"`
	Interrupted bool         `json:"interrupted"` // ended early by a signal
	Totals      SoakTotals   `json:"totals"`
	Windows     []SoakWindow `json:"windows"`
	// RTT drift: last window's percentile minus the first's.
	RTTDriftP50Us float64  `json:"rtt_drift_p50_us"`
	RTTDriftP99Us float64  `json:"rtt_drift_p99_us"`
	FirstErrors   []string `json:"first_errors,omitempty"`
}

// soak is a run in progress: the loops add to the window they are in, and
// each window is printed once it has closed.
type soak struct {
	start  time.Time
	window time.Duration
	last   int // index of the last window: a trip ending just past the duration counts in it
	half   time.Duration
	jitter time.Duration // p99 jitter tolerance
	out    io.Writer

	mu     sync.Mutex
	rep    SoakReport
	closed int // windows printed so far
}

func (s *soak) at(t time.Time) *SoakWindow {
	i := min(int(t.Sub(s.start)/s.window), s.last)
	for len(s.rep.Windows) <= i {
		s.rep.Windows = append(s.rep.Windows, SoakWindow{StartS: (time.Duration(len(s.rep.Windows)) * s.window).Seconds()})
	}
	return &s.rep.Windows[i]
}

func (s *soak) trip(rtt time.Duration, n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.at(time.Now())
	if err != nil {
		w.Errors++
		if len(s.rep.FirstErrors) < soakFirstErrors {
			s.rep.FirstErrors = append(s.rep.FirstErrors, fmt.Sprintf("%.1fs: %v", time.Since(s.start).Seconds(), firstLine(err.Error())))
		}
		return
	}
	w.RoundTrips++
	w.Bytes += n
	if n == 1 {
		w.rtts = append(w.rtts, float64(rtt)/float64(time.Microsecond))
	}
}

// edges adds a window's LED capture and judges its cadence.
func (s *soak) edges(at time.Time, seen, missed int, c edge.Cadence, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.at(at)
	w.Edges += seen
	w.EdgesMissed += missed
	if err != nil {
		w.Cadence = "too few edges to judge the cadence"
		return
	}
	w.HalfPeriodMs, w.JitterP99Ms = c.HalfFit, c.JitterP99
	half := float64(s.half) / float64(time.Millisecond)
	var problems []string
	if lim := half * edge.HalfTolerancePct / 100; math.Abs(c.HalfFit-half) > lim {
		problems = append(problems, fmt.Sprintf("half-period %.2f ms outside %.0f ± %.2f ms", c.HalfFit, half, lim))
	}
	if tol := float64(s.jitter) / float64(time.Millisecond); c.JitterP99 > tol {
		problems = append(problems, fmt.Sprintf("jitter p99 %.2f ms above %.0f ms", c.JitterP99, tol))
	}
	w.Cadence = strings.Join(problems, "; ")
}

// soakHeader heads the rows printed as windows close.
const soakHeader = "WINDOW      TRIPS      BYTES  ERRORS  RTT P50 us  RTT P99 us  EDGES  MISSED  HALF ms  JITTER ms  CADENCE"

// closeThrough prints every window up to index i that is not printed yet,
// with its RTT percentiles, and flushes the output.
func (s *soak) closeThrough(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; s.closed <= i; s.closed++ {
		win := s.at(s.start.Add(time.Duration(s.closed) * s.window))
		sum := stats.Summarize(win.rtts)
		win.RTTP50Us, win.RTTP99Us = sum.P50, sum.P99
		cadence := "ok"
		switch {
		case win.Cadence != "":
			cadence = win.Cadence
		case win.Edges == 0 && win.HalfPeriodMs == 0:
			cadence = "-"
		}
		fmt.Fprintf(s.out, "%-8s %8d %10d %7d %11.1f %11.1f %6d %7d %8.2f %10.2f  %s\n", fmt.Sprintf("%.0fs", win.StartS),
			win.RoundTrips, win.Bytes, win.Errors, win.RTTP50Us, win.RTTP99Us, win.Edges, win.EdgesMissed, win.HalfPeriodMs, win.JitterP99Ms, cadence)
	}
	if f, ok := s.out.(interface{ Sync() error }); ok {
		f.Sync()
	}
}

// closeWindows prints each window once its end has passed and, with an
// LED input, once its capture has been judged (the blink loop sends the
// window's index on judged), until done closes.
func (s *soak) closeWindows(led bool, judged <-chan int, done <-chan struct{}) {
	seen := -1
	for i := 0; i < s.last; i++ { // the last window closes with the totals
		t := time.NewTimer(time.Until(s.start.Add(time.Duration(i+1) * s.window)))
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return
		}
		for led && seen < i {
			select {
			case seen = <-judged:
			case <-done:
				return
			}
		}
		s.closeThrough(i)
	}
}

// soakCommand is hil soak: runSoak until its duration ends, Ctrl-C or SIGTERM.
func soakCommand(args []string, w io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSoak(ctx, args, w)
}

// runSoak runs echo and blink on the bench the suite would use (bench
// profile and environment, as bench.Load reads them) until
// --duration ends or ctx is cancelled (Ctrl-C), then prints and writes the
// totals. It fails when any round trip failed or any edge was missed.
func runSoak(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	duration := fs.Duration("duration", 10*time.Minute, "how long to soak")
	window := fs.Duration("window", time.Minute, "reporting window for RTT percentiles and counts")
	out := fs.String("out", "out/soak", "directory for soak.json")
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	if *duration <= 0 || *window <= 0 {
		return cli.Usagef("soak: --duration %v and --window %v must be positive (hint: --duration 10m --window 1m)", *duration, *window)
	}
	cfg, err := bench.Load(os.Getenv, 1)
	if err != nil {
		return &cli.UsageError{Err: fmt.Errorf("soak: bad bench configuration:\n%w", err)}
	}
	if lease.Wanted(target.IsFixture(cfg.Driver()), os.Getenv) {
		l, err := health.Admit(ctx, os.Getenv, health.BenchName(cfg, os.Getenv), func(s string) { fmt.Fprintln(w, s) })
		if err != nil {
			return err
		}
		defer l.Release()
	}
	b, err := bench.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	defer b.Halt()
	data, err := link.Open(b.DataPort, cfg.Baud)
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	defer data.Close()
	if err := setBlink(ctx, b, cfg); err != nil {
		return err
	}

	s := &soak{start: time.Now(), window: *window, last: int((*duration - 1) / *window), half: cfg.BlinkHalf, jitter: cfg.JitterTol, out: w,
		rep: SoakReport{Bench: b.Describe(), WindowS: window.Seconds()}}
	s.rep.Started = s.start
	if cfg.StandIn {
		fmt.Fprintln(w, "soak: NO HARDWARE IS TESTED: the virtual Pico stands in, as nothing names a port or pin")
	}
	fmt.Fprintf(w, "soak: %s for %v, windows of %v (Ctrl-C ends it early)\n%s\n", s.rep.Bench, *duration, *window, soakHeader)
	runCtx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	judged := make(chan int, s.last+2)
	done := make(chan struct{})
	var wg, closer sync.WaitGroup
	closer.Go(func() { s.closeWindows(b.LED != nil, judged, done) })
	wg.Go(func() { soakEcho(runCtx, s, data, cfg) })
	if b.LED != nil {
		wg.Go(func() { soakBlink(runCtx, s, b, judged) })
	}
	wg.Wait()
	close(done)
	closer.Wait()
	s.rep.Finished = time.Now()
	s.rep.Interrupted = ctx.Err() != nil
	s.closeThrough(len(s.rep.Windows) - 1)
	s.summarise()
	printSoak(w, s.rep)
	if err := writeSoak(filepath.Join(*out, "soak.json"), s.rep); err != nil {
		return err
	}
	if t := s.rep.Totals; t.Errors > 0 || t.EdgesMissed > 0 || t.CadenceFailed > 0 {
		return fmt.Errorf("soak: %d failed round trips, %d missed edges, %d windows with the cadence out of limits (hint: see first_errors and each window's cadence_problem in %s)",
			t.Errors, t.EdgesMissed, t.CadenceFailed, filepath.Join(*out, "soak.json"))
	}
	return nil
}

// setBlink sends the configured cadence where there is a control channel.
func setBlink(ctx context.Context, b *bench.Bench, cfg bench.Config) error {
	if b.ControlPort == "" {
		return nil
	}
	l, err := link.Open(b.ControlPort, control.PortBaud)
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	defer l.Close()
	bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := control.New(l).SetBlink(bctx, int(cfg.BlinkHalf/time.Millisecond)); err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	return nil
}

// soakEcho runs one-byte round trips, with a payload of all byte values
// every soakPayloadEvery trips, resynchronising after each failure.
func soakEcho(ctx context.Context, s *soak, data *link.Link, cfg bench.Config) {
	all := echo.AllBytes()
	for i := 0; ctx.Err() == nil; i++ {
		payload := []byte{byte(i)}
		if i%soakPayloadEvery == soakPayloadEvery-1 {
			payload = all
		}
		budget := time.Duration(len(payload)+1)*baud.ByteTime(cfg.Baud) + cfg.Turnaround + soakOpGrace
		tctx, cancel := context.WithTimeout(ctx, budget)
		rtt, err := echo.RoundTrip(tctx, data, payload)
		cancel()
		if clock.Ended(ctx) != nil {
			return // ended mid-trip: neither a result nor an error
		}
		s.trip(rtt, len(payload), err)
		if err != nil {
			if _, rerr := data.Resync(ctx); link.KindOf(rerr) == link.Disconnected {
				s.trip(0, 0, rerr)
				return
			}
		}
	}
}

// soakBlink captures the LED one window at a time, counts the edges seen
// and missed in each, judges its cadence and sends its index on judged.
func soakBlink(ctx context.Context, s *soak, b *bench.Bench, judged chan<- int) {
	for ctx.Err() == nil {
		from := time.Now()
		i := from.Sub(s.start) / s.window
		end := s.start.Add((i + 1) * s.window)
		expected := int(end.Sub(from) / s.half)
		// Room for twice the cadence: the capture normally runs to the
		// window's end and reports short, which is expected here.
		edges, _ := edge.Capture(ctx, b.LED, 2*expected+4, end.Sub(from))
		if clock.Ended(ctx) != nil && end.After(time.Now()) {
			return // a partial window says nothing about missed edges
		}
		missed := max(0, expected-1-len(edges))
		c, err := edge.Analyze(edges)
		if err == nil {
			missed = c.Missed
		}
		s.edges(from, len(edges), missed, c, err)
		select { // never blocks: the closer only needs the latest index
		case judged <- int(i):
		default:
		}
	}
}

func (s *soak) summarise() {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.rep.Totals
	for _, win := range s.rep.Windows {
		if win.Cadence != "" {
			t.CadenceFailed++
		}
		t.RoundTrips += win.RoundTrips
		t.Bytes += win.Bytes
		t.Errors += win.Errors
		t.Edges += win.Edges
		t.EdgesMissed += win.EdgesMissed
	}
	var timed []SoakWindow
	for _, win := range s.rep.Windows {
		if len(win.rtts) > 0 {
			timed = append(timed, win)
		}
	}
	if len(timed) > 0 {
		first, last := timed[0], timed[len(timed)-1]
		s.rep.RTTDriftP50Us = last.RTTP50Us - first.RTTP50Us
		s.rep.RTTDriftP99Us = last.RTTP99Us - first.RTTP99Us
	}
}

// printSoak prints the totals under the window rows already printed.
func printSoak(w io.Writer, r SoakReport) {
	t := r.Totals
	fmt.Fprintf(w, "%-8s %8d %10d %7d %11s %11s %6d %7d %8s %10s  %d windows out of limits\n", "total",
		t.RoundTrips, t.Bytes, t.Errors, "", "", t.Edges, t.EdgesMissed, "", "", t.CadenceFailed)
	state := "ran its duration"
	if r.Interrupted {
		state = "ended early by a signal"
	}
	fmt.Fprintf(w, "soak: %s after %v; RTT drift first->last window: p50 %+.1f us, p99 %+.1f us\n",
		state, r.Finished.Sub(r.Started).Round(time.Millisecond), r.RTTDriftP50Us, r.RTTDriftP99Us)
	for _, e := range r.FirstErrors {
		fmt.Fprintln(w, "soak: error at", e)
	}
}

func writeSoak(path string, r SoakReport) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("soak: %w", err)
	}
	return nil
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

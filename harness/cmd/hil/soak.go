package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/picohil/picohil/harness/baud"
	"github.com/picohil/picohil/harness/bench"
	"github.com/picohil/picohil/harness/control"
	"github.com/picohil/picohil/harness/echo"
	"github.com/picohil/picohil/harness/edge"
	"github.com/picohil/picohil/harness/link"
	"github.com/picohil/picohil/harness/stats"
)

// Soak work sizes.
const (
	soakPayloadEvery = 64 // every so many round trips, a payload of all byte values
	soakFirstErrors  = 10 // error messages kept for the report
	soakOpGrace      = time.Second
)

// SoakWindow is one window of the soak (a minute by default).
type SoakWindow struct {
	StartS      float64 `json:"start_s"`
	RoundTrips  int     `json:"round_trips"`
	Bytes       int     `json:"bytes"`
	Errors      int     `json:"errors"`
	RTTP50Us    float64 `json:"rtt_p50_us"`
	RTTP99Us    float64 `json:"rtt_p99_us"`
	Edges       int     `json:"edges"`
	EdgesMissed int     `json:"edges_missed"`
	rtts        []float64
}

// SoakTotals sums the windows.
type SoakTotals struct {
	RoundTrips  int `json:"round_trips"`
	Bytes       int `json:"bytes"`
	Errors      int `json:"errors"`
	Edges       int `json:"edges"`
	EdgesMissed int `json:"edges_missed"`
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

// soak is a run in progress: the loops add to the window they are in.
type soak struct {
	start  time.Time
	window time.Duration
	last   int // index of the last window: a trip ending just past the duration counts in it

	mu  sync.Mutex
	rep SoakReport
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

func (s *soak) edges(at time.Time, seen, missed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.at(at)
	w.Edges += seen
	w.EdgesMissed += missed
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *window <= 0 {
		return fmt.Errorf("soak: --duration %v and --window %v must be positive (hint: --duration 10m --window 1m)", *duration, *window)
	}
	cfg, err := bench.Load(os.Getenv, 1)
	if err != nil {
		return fmt.Errorf("soak: bad bench configuration:\n%w", err)
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

	s := &soak{start: time.Now(), window: *window, last: int((*duration - 1) / *window), rep: SoakReport{Bench: b.Describe(), WindowS: window.Seconds()}}
	s.rep.Started = s.start
	fmt.Fprintf(w, "soak: %s for %v, windows of %v (Ctrl-C ends it early)\n", s.rep.Bench, *duration, *window)
	runCtx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { soakEcho(runCtx, s, data, cfg) })
	if b.LED != nil {
		wg.Go(func() { soakBlink(runCtx, s, b, cfg) })
	}
	wg.Wait()
	s.rep.Finished = time.Now()
	s.rep.Interrupted = ctx.Err() != nil
	s.summarise()
	printSoak(w, s.rep)
	if err := writeSoak(filepath.Join(*out, "soak.json"), s.rep); err != nil {
		return err
	}
	if t := s.rep.Totals; t.Errors > 0 || t.EdgesMissed > 0 {
		return fmt.Errorf("soak: %d failed round trips, %d missed edges (hint: see first_errors in %s)", t.Errors, t.EdgesMissed, filepath.Join(*out, "soak.json"))
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
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for i := 0; ctx.Err() == nil; i++ {
		payload := []byte{byte(i)}
		if i%soakPayloadEvery == soakPayloadEvery-1 {
			payload = all
		}
		budget := time.Duration(len(payload)+1)*baud.ByteTime(cfg.Baud) + cfg.Turnaround + soakOpGrace
		tctx, cancel := context.WithTimeout(ctx, budget)
		rtt, err := echo.RoundTrip(tctx, data, payload)
		cancel()
		if ended(ctx) {
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

// ended reports whether ctx is over, also in the instant between its
// deadline passing and its cancellation, when a derived context may already
// have timed out.
func ended(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ctx.Err() != nil || ok && !time.Now().Before(dl)
}

// soakBlink captures the LED one window at a time and counts the edges
// seen and missed in each.
func soakBlink(ctx context.Context, s *soak, b *bench.Bench, cfg bench.Config) {
	for ctx.Err() == nil {
		from := time.Now()
		end := s.start.Add((from.Sub(s.start)/s.window + 1) * s.window)
		expected := int(end.Sub(from) / cfg.BlinkHalf)
		// Room for twice the cadence: the capture normally runs to the
		// window's end and reports short, which is expected here.
		edges, _ := edge.Capture(ctx, b.LED, 2*expected+4, end.Sub(from))
		if ended(ctx) && end.After(time.Now()) {
			return // a partial window says nothing about missed edges
		}
		missed := max(0, expected-1-len(edges))
		if c, err := edge.Analyze(edges); err == nil {
			missed = c.Missed
		}
		s.edges(from, len(edges), missed)
	}
}

func (s *soak) summarise() {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.rep.Totals
	for i := range s.rep.Windows {
		win := &s.rep.Windows[i]
		sum := stats.Summarize(win.rtts)
		win.RTTP50Us, win.RTTP99Us = sum.P50, sum.P99
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

func printSoak(w io.Writer, r SoakReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "WINDOW\tTRIPS\tBYTES\tERRORS\tRTT P50 us\tRTT P99 us\tEDGES\tMISSED\t")
	for _, win := range r.Windows {
		fmt.Fprintf(tw, "%.0fs\t%d\t%d\t%d\t%.1f\t%.1f\t%d\t%d\t\n", win.StartS, win.RoundTrips, win.Bytes, win.Errors, win.RTTP50Us, win.RTTP99Us, win.Edges, win.EdgesMissed)
	}
	t := r.Totals
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t\t\t%d\t%d\t\n", t.RoundTrips, t.Bytes, t.Errors, t.Edges, t.EdgesMissed)
	tw.Flush()
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

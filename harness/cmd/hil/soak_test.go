package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// soakVirtual runs hil soak on a virtual Pico with faults and returns what
// it wrote to soak.json, its console output and its error.
func soakVirtual(t *testing.T, ctx context.Context, faults string, args ...string) (SoakReport, string, error) {
	t.Helper()
	for _, v := range []string{"HIL_SERIAL", "HIL_CONTROL", "HIL_LED_PIN", "HIL_BAUD", "HIL_BAUDS", "HIL_TURNAROUND_MS", "HIL_JITTER_MS", "HIL_FIRMWARE"} {
		t.Setenv(v, "")
	}
	t.Setenv("HIL_TARGET", "virtual")
	t.Setenv("HIL_BLINK_MS", "50")
	t.Setenv("HIL_FAULT", faults)
	out := t.TempDir()
	var console strings.Builder
	err := runSoak(ctx, append([]string{"--out", out}, args...), &console)
	var r SoakReport
	b, rerr := os.ReadFile(filepath.Join(out, "soak.json"))
	if rerr != nil {
		t.Fatalf("no soak.json (soak: %v):\n%s", err, console.String())
	}
	if rerr := json.Unmarshal(b, &r); rerr != nil {
		t.Fatal(rerr)
	}
	return r, console.String(), err
}

func TestSoakReportsTotalsPerWindow(t *testing.T) {
	r, console, err := soakVirtual(t, context.Background(), "", "--duration", "3s", "--window", "1s")
	// A clean device fails the soak only through missed edges: a host
	// stall longer than a half-period hides edges from the capture.
	if r.Totals.Errors != 0 || err != nil && r.Totals.EdgesMissed == 0 {
		t.Fatalf("clean soak: %v (totals %+v)\n%s", err, r.Totals, console)
	}
	if len(r.Windows) != 3 || r.Interrupted {
		t.Fatalf("%d windows, interrupted %v; want 3 one-second windows of a full run", len(r.Windows), r.Interrupted)
	}
	var sum SoakTotals
	for _, w := range r.Windows {
		sum.RoundTrips += w.RoundTrips
		sum.Bytes += w.Bytes
		sum.Edges += w.Edges
	}
	tot := r.Totals
	if tot.RoundTrips == 0 || tot.Bytes <= tot.RoundTrips || tot.Edges == 0 {
		t.Fatalf("totals %+v: want round trips, more bytes than trips (payloads) and edges", tot)
	}
	if sum.RoundTrips != tot.RoundTrips || sum.Bytes != tot.Bytes || sum.Edges != tot.Edges {
		t.Fatalf("windows sum to %+v, totals say %+v", sum, tot)
	}
	if w := r.Windows[0]; w.RTTP50Us <= 0 || w.RTTP99Us < w.RTTP50Us {
		t.Fatalf("first window RTT p50 %v p99 %v", w.RTTP50Us, w.RTTP99Us)
	}
	for _, want := range []string{"WINDOW", "total", "RTT drift"} {
		if !strings.Contains(console, want) {
			t.Errorf("console lacks %q:\n%s", want, console)
		}
	}
}

// TestSoakCountsFaults proves the soak can fail: a firmware that drops
// bytes gives failed round trips, a stuck LED missed edges.
func TestSoakCountsFaults(t *testing.T) {
	for _, c := range []struct{ fault, counter string }{{"drop-byte", "failed round trips"}, {"blink-stuck", "missed edges"}} {
		t.Run(c.fault, func(t *testing.T) {
			r, console, err := soakVirtual(t, context.Background(), c.fault, "--duration", "2s", "--window", "1s")
			if err == nil || !strings.Contains(err.Error(), c.counter) {
				t.Fatalf("soak with %s: %v; want it to fail counting %s\n%s", c.fault, err, c.counter, console)
			}
			if c.fault == "drop-byte" && (r.Totals.Errors == 0 || len(r.FirstErrors) == 0) {
				t.Errorf("totals %+v, first errors %q", r.Totals, r.FirstErrors)
			}
			if c.fault == "blink-stuck" && r.Totals.EdgesMissed == 0 {
				t.Errorf("totals %+v", r.Totals)
			}
		})
	}
}

// TestSoakEndsEarlyWithTotals cancels the soak as Ctrl-C does: it stops
// at once and still writes its totals, marked interrupted.
func TestSoakEndsEarlyWithTotals(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(1500*time.Millisecond, cancel)
	r, console, err := soakVirtual(t, ctx, "", "--duration", "1h", "--window", "1s")
	if r.Totals.Errors != 0 || err != nil && r.Totals.EdgesMissed == 0 {
		t.Fatalf("interrupted soak: %v (totals %+v)\n%s", err, r.Totals, console)
	}
	if !r.Interrupted || r.Totals.RoundTrips == 0 || r.Finished.Sub(r.Started) > time.Minute {
		t.Fatalf("interrupted %v, totals %+v after %v; want early totals", r.Interrupted, r.Totals, r.Finished.Sub(r.Started))
	}
	if !strings.Contains(console, "ended early") {
		t.Errorf("console does not say it ended early:\n%s", console)
	}
}

// TestSoakReadsTheBenchProfile: soak takes its bench from the profile as
// the suite does, so a profile the suite refuses stops it too.
func TestSoakReadsTheBenchProfile(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(profile, []byte("target: virtual\nblink_half_ms: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HIL_TARGET", "")
	t.Setenv("HIL_BLINK_MS", "")
	t.Setenv("HIL_BENCH", profile)
	err := runSoak(context.Background(), []string{"--out", t.TempDir(), "--duration", "1s"}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), profile+`: blink_half_ms="0"`) {
		t.Fatalf("want the profile's blink_half_ms refused, got %v", err)
	}
}

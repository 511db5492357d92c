package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report/tape"
)

func TestHTMLFoldsEachSpecsConsoleAndDataUnderIt(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	r := sample()
	r.Specs[len(r.Specs)-2].Console = []tape.Event{
		{Kind: tape.KindLine, At: at, Dir: tape.Tx, Text: "BLINK 200"},
		{Kind: tape.KindLine, At: at.Add(time.Millisecond), Dir: tape.Rx, Text: "Traceback <most recent call last>:"},
	}
	r.Specs[len(r.Specs)-2].Data = []tape.Event{{Kind: tape.KindData, At: at, Stamp: tape.Host, Dir: tape.Rx, Bytes: []byte{0xde, 0xad}}}
	r.Console = []tape.Event{{Kind: tape.KindLine, At: at, Dir: tape.Rx, Text: "OK VERSION picohil 1.0.0"}}
	html := render(t, r)
	for _, want := range []string{
		`<details class="console"><summary>control channel: 2 lines`,
		"03:04:05.123456 &gt; BLINK 200\n03:04:05.124456 &lt; Traceback &lt;most recent call last&gt;:",
		`<details class="data"><summary>data line about the failure: 1 reads and writes`,
		"03:04:05.123456 &lt;    2 B  de ad",
		`id="setup-console"><summary>control channel before the first spec: 1 lines`, "&lt; OK VERSION picohil 1.0.0",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(html, "<details"); n != 3 {
		t.Errorf("%d folded sections, want 3: specs without lines get none", n)
	}
}

func TestHTMLDrawsAFailedLoadsWindowsAndEdgesAgainstTheirTruth(t *testing.T) {
	html := render(t, failedLoad())
	for _, want := range []string{
		`<details class="evidence" open><summary>the evidence drawn: 2 charts`,
		`<figure id="spec6-blink-load-throughput">`, `3 windows of 100 ms, 1 below the line; lowest 42 %, OUTSIDE`, `90 % line`,
		`<figure id="spec6-blink-load-edges">`, `3 edges captured against 3 true edges`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(html, `class="bar fail"`); n < 2 { // the baud chart's failed rate and the low window
		t.Errorf("%d failed bars, want the low window's among them", n)
	}
}

// TestEvidenceRendersInChromium: the console folded under its spec and the
// failed load's charts survive a real browser's parser.
func TestEvidenceRendersInChromium(t *testing.T) {
	r := failedLoad()
	r.Specs[6].Console = []tape.Event{{Kind: tape.KindLine, At: time.Now(), Dir: tape.Rx, Text: "OK BLINK 200"}}
	dom := chromiumDOM(t, writeHTML(t, r))
	for _, want := range []string{`<details class="console">`, "&lt; OK BLINK 200", `<figure id="spec6-blink-load-throughput">`, `<figure id="spec6-blink-load-edges">`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
}

// failedLoad is the sample with a failed load spec whose traces hold its
// windows, its captured edges and the true ones.
func failedLoad() Report {
	r := sample()
	load := stats.Measure("blink.load.throughput", "%", 42, stats.AtLeast(90))
	r.Specs = append(r.Specs, Spec{Name: "Blink under load", State: "failed", Measurements: []stats.Measurement{load},
		Traces: []stats.Trace{
			{Name: "blink.load.throughput", Columns: []string{"t_ms", "percent"}, Rows: [][]float64{{0, 100}, {100, 42}, {200, 99}}},
			{Name: "blink.load.edges", Columns: []string{"t_ms", "level"}, Rows: [][]float64{{0, 1}, {101, 0}, {200, 1}}},
			{Name: "blink.load.truth", Columns: []string{"t_ms", "level"}, Rows: [][]float64{{-0.1, 1}, {100, 0}, {199.9, 1}}},
		}})
	return r
}

// render is r's report.html.
func render(t *testing.T, r Report) string {
	t.Helper()
	b, err := os.ReadFile(writeHTML(t, r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeHTML writes r's report.html and returns its path.
func writeHTML(t *testing.T, r Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

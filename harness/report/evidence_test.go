package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/stats"
	"github.com/picohil/picohil/harness/tape"
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
	r := sample()
	load := stats.Measure("blink.load.throughput", "%", 42, stats.AtLeast(90))
	r.Specs = append(r.Specs, Spec{Name: "Blink under load", State: "failed", Measurements: []stats.Measurement{load},
		Traces: []stats.Trace{
			{Name: "blink.load.throughput", Columns: []string{"t_ms", "percent"}, Rows: [][]float64{{0, 100}, {100, 42}, {200, 99}}},
			{Name: "blink.load.edges", Columns: []string{"t_ms", "level"}, Rows: [][]float64{{0, 1}, {101, 0}, {200, 1}}},
			{Name: "blink.load.truth", Columns: []string{"t_ms", "level"}, Rows: [][]float64{{-0.1, 1}, {100, 0}, {199.9, 1}}},
		}})
	html := render(t, r)
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

// render is r's report.html.
func render(t *testing.T, r Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	return html
}

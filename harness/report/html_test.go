package report

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/baud"
	"github.com/picohil/picohil/harness/measure/stats"
)

// sample is a report with every chart's data and a failing spec.
func sample() Report {
	r := synthetic(1, 1, 1)
	r.Target, r.Firmware, r.Pass = "virtual", "picohil-virtual 1.0.0", false
	r.Host = Host{Name: "bench1", Model: "unknown", Kernel: "Linux 6.1 x86_64"}
	load := r.Specs[1].Measurements[0]
	load.Name = "blink.load.half_period"
	r.Specs = append(r.Specs,
		Spec{Name: "Blink under load", State: "passed", Measurements: []stats.Measurement{load}},
		Spec{Name: "Baud at the configured rate", State: "failed", Failure: "expected: baud.effective <within> & \"limits\"",
			Measurements: []stats.Measurement{baud.Measure("baud.effective", 2, baud.At(115200, 108000, 2))}},
		Spec{Name: "Skipped one", State: "skipped"})
	return r
}

func renderSample(t *testing.T) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, sample()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, string(b)
}

func TestHTMLHasSummaryTableAndCharts(t *testing.T) {
	_, html := renderSample(t)
	for _, want := range []string{
		`id="verdict">FAIL`, `id="target">virtual`, `picohil-virtual 1.0.0`, `4 passed, 1 failed, 0 inconclusive (host late), 1 skipped; 0 host-late samples`,
		`<td class="failed">failed</td>`, `baud.effective &lt;within&gt; &amp; &#34;limits&#34;`,
		`<figure id="rtt">`, `class="cdf"`, `class="limit"`, `budget 5174`,
		`<figure id="led-timeline">`, `class="trace s1"`, `<figure id="half-period">`, `class="band"`, `<circle`,
		`<figure id="baud">`, `class="bar fail"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(html, `id="missing"`) {
		t.Errorf("a chart is missing although its data is there")
	}
}

func TestHTMLShowsInconclusiveApart(t *testing.T) {
	r := sample()
	r.Specs = slices.DeleteFunc(r.Specs, func(s Spec) bool { return s.State == "failed" })
	r.Specs = append(r.Specs, Spec{Name: "Echo round trips", State: Inconclusive, HostLate: 101, Failure: InconclusivePrefix + "expected: a clean measurement"})
	r.Specs[0].HostLate = 3
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<header class="inconclusive">`, `id="verdict">INCONCLUSIVE: host late`,
		`4 passed, 0 failed, 1 inconclusive (host late), 1 skipped; 104 host-late samples`,
		`<td class="inconclusive">inconclusive<br><small class="hostlate">101 host-late</small></td>`, `td.inconclusive { color: #b70; }`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if got := r.Failed(); len(got) != 0 {
		t.Errorf("Failed() = %v: an inconclusive spec is no failure", got)
	}
	if got := r.Inconclusives(); !slices.Equal(got, []string{"Echo round trips"}) {
		t.Errorf("Inconclusives() = %v", got)
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	_, html := renderSample(t)
	if m := regexp.MustCompile(`(?i)(https?:|//[a-z0-9.-]+/|<script|<link|<img|@import|url\()`).FindString(html); m != "" {
		t.Fatalf("report.html refers outside itself: %q", m)
	}
}

func TestHTMLSVGIsWellFormed(t *testing.T) {
	_, html := renderSample(t)
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(html, -1)
	if len(svgs) != 4 {
		t.Fatalf("%d svg elements, want 4", len(svgs))
	}
	for _, s := range svgs {
		var doc struct {
			XMLName xml.Name
			ViewBox string `xml:"viewBox,attr"`
		}
		if err := xml.Unmarshal([]byte(s), &doc); err != nil || doc.XMLName.Local != "svg" || doc.ViewBox == "" {
			t.Fatalf("svg not well-formed (%v): %.200s", err, s)
		}
		if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
			t.Fatalf("svg has non-finite coordinates: %.300s", s)
		}
	}
}

func TestHTMLWithoutDataSaysWhatIsMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	if err := WriteHTML(path, Report{Schema: Schema, Target: "pico", Pass: true}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `id="missing"`) || strings.Contains(string(b), "<svg") {
		t.Fatalf("%s", b)
	}
}

package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/stats"
)

func TestPreflightRoundTripsAndRenders(t *testing.T) {
	r := sample()
	r.Preflight = []Check{
		{Name: "port.data", Status: CheckOK, Detail: "/dev/serial0 opens at 115200 baud"},
		{Name: "uart.mini", Status: CheckWarn, Expected: "a PL011 UART", Detail: "/dev/serial0 is ttyS0 <mini>", Hint: "dtoverlay=disable-bt"},
		{Name: "host.wake_jitter", Status: CheckOK, Detail: "p99 80 us",
			Measurements: []stats.Measurement{stats.Measure("host.wake_late_p99", "us", 80, stats.AtMost(2000))}},
	}
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "report.json"), r); err != nil {
		t.Fatal(err)
	}
	back, err := Read(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Preflight) != 3 || back.Preflight[1].Hint != "dtoverlay=disable-bt" || back.Preflight[2].Measurements[0].Value != 80 {
		t.Fatalf("preflight after round trip: %+v", back.Preflight)
	}
	if err := WriteHTML(filepath.Join(dir, "report.html"), r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{`<table id="preflight">`, `<td class="warn">warn</td>`, "ttyS0 &lt;mini&gt;", "check: dtoverlay=disable-bt", "host.wake_late_p99 = 80.0 us"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

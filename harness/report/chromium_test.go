package report

import (
	"cmp"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromiumDOM loads the HTML file at path in headless Chromium, with
// networking off, and returns the rendered DOM. PICOHIL_CHROMIUM names a
// chromium binary other than Debian's /usr/bin/chromium (one unpacked with
// apt-get download and dpkg-deb -x, its libraries on LD_LIBRARY_PATH).
func chromiumDOM(t *testing.T, path string) string {
	t.Helper()
	chromium := cmp.Or(os.Getenv("PICOHIL_CHROMIUM"), "/usr/bin/chromium")
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium is not installed (Debian package chromium; or PICOHIL_CHROMIUM)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "file://"+path).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return string(out)
}

// TestHTMLRendersInChromium loads the report in headless Chromium and
// checks the rendered DOM has the summary and charts.
func TestHTMLRendersInChromium(t *testing.T) {
	path, _ := renderSample(t)
	dom := chromiumDOM(t, path)
	for _, want := range []string{`id="verdict"`, `id="specs"`, `<figure id="rtt">`, `<figure id="led-timeline">`,
		`<figure id="half-period">`, `<figure id="baud">`, "<polyline", "<circle", "budget 5174"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if n := strings.Count(dom, "<svg"); n != 4 {
		t.Errorf("rendered DOM has %d svg elements, want 4", n)
	}
}

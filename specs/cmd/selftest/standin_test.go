package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"
)

// A port that is named but missing stops the run at once, on one line
// naming it with a hint, and the report says why: the simulation never
// stands in for hardware someone named.
func TestMissingPortStopsTheRun(t *testing.T) {
	const port = "/dev/ttyACM7-not-here"
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=", "HIL_BENCH=", "HIL_SERIAL=" + port})
	start := time.Now()
	console, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the run passed with %s missing:\n%s", port, console)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %v to stop", took)
	}
	var lines []string
	for _, l := range strings.Split(string(console), "\n") {
		if strings.Contains(l, port) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "no such port") || !strings.Contains(lines[0], "plugged in") || !strings.Contains(lines[0], "hil detect") {
		t.Errorf("want one line naming %s with the hint, got %q:\n%s", port, lines, console)
	}
	if strings.Contains(string(console), "virtual") || strings.Contains(string(console), "Ran ") {
		t.Errorf("the simulation or a spec ran:\n%s", console)
	}
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Pass || r.StandIn || !strings.Contains(r.Stopped, port) || !strings.Contains(r.Stopped, "no such port") {
		t.Errorf("report.json: pass %v, stand_in %v, stopped %q", r.Pass, r.StandIn, r.Stopped)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || !strings.Contains(string(html), `id="stopped"`) || !strings.Contains(string(html), port) {
		t.Errorf("report.html does not say why the run stopped (%v)", err)
	}
}

// When nothing names hardware the virtual Pico stands in, and the banner,
// report.json and report.html all say so.
func TestStandInIsAnnounced(t *testing.T) {
	cmd, out := suiteCmd(t, []string{"HIL_TARGET=", "HIL_BENCH=", "HIL_SERIAL=", "HIL_CONTROL=", "HIL_LED_PIN=", "HIL_RESET_PIN=",
		"HIL_JUMPER_PIN=", "HIL_CONTROL_USB_ID=", "HIL_CONTROL_USB_SERIAL=", "HIL_BLINK_MS=100"}, "-ginkgo.focus=all 256 byte values")
	console, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("suite: %v\n%s", err, console)
	}
	if !strings.Contains(string(console), "NO HARDWARE IS TESTED") {
		t.Errorf("no stand-in banner:\n%s", console)
	}
	r, err := report.Read(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.StandIn || r.Target != "virtual" || !strings.Contains(r.Reason, "nothing names hardware") {
		t.Errorf("report.json: stand_in %v, target %s, reason %q", r.StandIn, r.Target, r.Reason)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || !strings.Contains(string(html), `id="standin">SIMULATION`) {
		t.Errorf("report.html does not announce the simulation (%v)", err)
	}
}

package bench

import (
	"os"
	"strings"
	"testing"
)

// Every rule that matches the Pico's USB serial keeps ModemManager off the
// port: its AT probes would land in the control channel or the raw REPL.
func TestUdevRuleKeepsModemManagerOffThePico(t *testing.T) {
	b, err := os.ReadFile("99-picohil.rules")
	if err != nil {
		t.Fatal(err)
	}
	rules := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") || !strings.Contains(line, `ENV{ID_VENDOR_ID}=="2e8a"`) {
			continue
		}
		rules++
		if !strings.Contains(line, `ENV{ID_MM_DEVICE_IGNORE}="1"`) {
			t.Errorf("the Pico rule does not set ENV{ID_MM_DEVICE_IGNORE}=\"1\": %s", line)
		}
	}
	if rules == 0 {
		t.Fatal("no rule matches the Pico's vendor 2e8a")
	}
}

package bench

import (
	"strings"
	"testing"
)

// TestBadEnvironmentsGiveOneLineEach runs FromEnv over bad settings: each
// must be refused with exactly one line per mistake, naming the variable
// and giving a hint, and nothing else.
func TestBadEnvironmentsGiveOneLineEach(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		lines []string // one entry per expected line: text it contains
	}{
		{"unknown target", map[string]string{"HIL_TARGET": "rp2040"}, []string{"HIL_TARGET"}},
		{"target in capitals", map[string]string{"HIL_TARGET": "Virtual"}, []string{"HIL_TARGET"}},
		{"target with a space", map[string]string{"HIL_TARGET": "virtual "}, []string{"HIL_TARGET"}},
		{"pico without a port", map[string]string{"HIL_TARGET": "pico", "HIL_CONTROL": "/dev/tty"}, []string{"HIL_SERIAL"}},
		{"pico with a missing control port", map[string]string{"HIL_TARGET": "pico", "HIL_SERIAL": "/dev/tty", "HIL_CONTROL": "/dev/ttyNOPE"}, []string{`HIL_CONTROL="/dev/ttyNOPE": no such port`}},
		{"auto with a missing port", map[string]string{"HIL_SERIAL": "/dev/ttyNOPE"}, []string{`HIL_SERIAL="/dev/ttyNOPE": no such port`}},
		{"auto with a pin but no port", map[string]string{"HIL_LED_PIN": "GPIO17"}, []string{"the pico target needs the data UART port"}},
		{"jumper with a missing port", map[string]string{"HIL_TARGET": "jumper", "HIL_SERIAL": "/dev/ttyNOPE"}, []string{"hil detect"}},
		{"baud zero", map[string]string{"HIL_BAUD": "0"}, []string{"HIL_BAUD"}},
		{"baud with a unit", map[string]string{"HIL_BAUD": "115200bps"}, []string{"HIL_BAUD"}},
		{"baud in hex", map[string]string{"HIL_BAUD": "0x1c200"}, []string{"HIL_BAUD"}},
		{"baud past int64", map[string]string{"HIL_BAUD": "99999999999999999999"}, []string{"HIL_BAUD"}},
		{"sweep with a word", map[string]string{"HIL_BAUDS": "9600,fast"}, []string{"HIL_BAUDS"}},
		{"sweep with spaces only", map[string]string{"HIL_BAUDS": " "}, []string{"HIL_BAUDS"}},
		{"sweep with a negative rate", map[string]string{"HIL_BAUDS": "9600,-115200"}, []string{"HIL_BAUDS"}},
		{"sweep separated by semicolons", map[string]string{"HIL_BAUDS": "9600;115200"}, []string{"HIL_BAUDS"}},
		{"sweep with two bad rates", map[string]string{"HIL_BAUDS": "a,9600,b"}, []string{`"a"`, `"b"`}},
		{"blink in seconds", map[string]string{"HIL_BLINK_MS": "1s"}, []string{"HIL_BLINK_MS"}},
		{"blink negative", map[string]string{"HIL_BLINK_MS": "-50"}, []string{"HIL_BLINK_MS"}},
		{"turnaround fractional", map[string]string{"HIL_TURNAROUND_MS": "0.5"}, []string{"HIL_TURNAROUND_MS"}},
		{"jitter zero", map[string]string{"HIL_JITTER_MS": "0"}, []string{"HIL_JITTER_MS"}},
		{"unknown fault", map[string]string{"HIL_FAULT": "drop-bytes"}, []string{"drop-bytes"}},
		{"fault list with a stranger", map[string]string{"HIL_FAULT": "no-echo,melt"}, []string{"melt"}},
		{"fault on a real pico", map[string]string{"HIL_TARGET": "pico", "HIL_SERIAL": "/dev/tty", "HIL_FAULT": "slow-echo"}, []string{"HIL_FAULT"}},
		{"fault on micropython", map[string]string{"HIL_TARGET": "micropython", "HIL_FAULT": "no-echo"}, []string{"HIL_FAULT"}},
		{"firmware for the virtual pico", map[string]string{"HIL_TARGET": "virtual", "HIL_FIRMWARE": "firmware/main.py"}, []string{"HIL_FIRMWARE"}},
		{"missing firmware file", map[string]string{"HIL_TARGET": "micropython", "HIL_FIRMWARE": "/nonexistent/main.py"}, []string{"HIL_FIRMWARE"}},
		{"newline in a value", map[string]string{"HIL_BAUD": "9600\n115200"}, []string{"HIL_BAUD"}},
		{"baud with a leading space", map[string]string{"HIL_BAUD": " 115200"}, []string{"HIL_BAUD"}},
		{"baud in other digits", map[string]string{"HIL_BAUD": "١١٥٢٠٠"}, []string{"HIL_BAUD"}},
		{"sweep with a trailing comma", map[string]string{"HIL_BAUDS": "9600,"}, []string{`""`}},
		{"blink past int64", map[string]string{"HIL_BLINK_MS": "99999999999999999999"}, []string{"HIL_BLINK_MS"}},
		{"jitter with a unit", map[string]string{"HIL_JITTER_MS": "5ms"}, []string{"HIL_JITTER_MS"}},
		{"turnaround minus zero", map[string]string{"HIL_TURNAROUND_MS": "-0"}, []string{"HIL_TURNAROUND_MS"}},
		{"fault in capitals", map[string]string{"HIL_FAULT": "DROP-BYTE"}, []string{"DROP-BYTE"}},
		{"faults separated by semicolons", map[string]string{"HIL_FAULT": "slow-echo;no-echo"}, []string{"slow-echo;no-echo"}},
		{"firmware for a real pico", map[string]string{"HIL_TARGET": "pico", "HIL_SERIAL": "/dev/tty", "HIL_FIRMWARE": "firmware/main.py"}, []string{"HIL_FIRMWARE"}},
		{"baud the firmware refuses", map[string]string{"HIL_BAUD": "7"}, []string{`HIL_BAUD="7": a rate the firmware and the port cannot both run (hint: use one of 300, 600,`}},
		{"baud past the firmware's", map[string]string{"HIL_BAUD": "4000000"}, []string{"3000000"}},
		{"baud no port runs", map[string]string{"HIL_BAUD": "115201"}, []string{"HIL_BAUD"}},
		{"sweep with a rate the firmware refuses", map[string]string{"HIL_BAUDS": "9600,7"}, []string{"7 is a rate the firmware and the port cannot both run"}},
		{"data port that is no tty", map[string]string{"HIL_TARGET": "pico", "HIL_SERIAL": "/dev/null"}, []string{`HIL_SERIAL="/dev/null": not a serial port (not a tty)`}},
		{"control port that is a directory", map[string]string{"HIL_TARGET": "pico", "HIL_SERIAL": "/dev/tty", "HIL_CONTROL": "/tmp"}, []string{`HIL_CONTROL="/tmp": not a serial port (a directory)`}},
		{"firmware that is a directory", map[string]string{"HIL_TARGET": "micropython", "HIL_FIRMWARE": "/tmp"}, []string{`HIL_FIRMWARE="/tmp": is a directory (hint: give the path of a main.py`}},
		{"missing scenario directory", map[string]string{"HIL_SCENARIOS": "no/such/scenarios"}, []string{`HIL_SCENARIOS="no/such/scenarios": no such directory`}},
		{"scenario file for a directory", map[string]string{"HIL_SCENARIOS": "bench.example.yaml"}, []string{"HIL_SCENARIOS"}},
		{"every number wrong", map[string]string{"HIL_BAUD": "x", "HIL_BLINK_MS": "x", "HIL_TURNAROUND_MS": "x", "HIL_JITTER_MS": "x"},
			[]string{"HIL_BAUD", "HIL_BLINK_MS", "HIL_TURNAROUND_MS", "HIL_JITTER_MS"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromEnv(func(k string) string { return c.env[k] })
			if err == nil {
				t.Fatalf("%q accepted", c.env)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(c.lines) {
				t.Fatalf("%d lines, want %d:\n%v", len(lines), len(c.lines), err)
			}
			for i, line := range lines {
				if !strings.Contains(line, c.lines[i]) || !strings.Contains(line, "hint:") {
					t.Errorf("line %q: want %q and a hint", line, c.lines[i])
				}
			}
		})
	}
}

package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFromEnv feeds FromEnv one value for each of the first eleven
// Variables (target to firmware):
// it must never panic, and a rejection is one line per problem, each with
// a hint.
func FuzzFromEnv(f *testing.F) {
	seeds := [][]string{
		{},
		{"virtual", "", "", "", "115200", "9600,115200", "50", "5", "8", "drop-byte,slow-echo"},
		{"pico", "/dev/tty", "/dev/tty", "GPIO17", "921600"},
		{"board", "", "", "", "fast", "9600,,x", "0", "1.5", "-1", "gremlins", "missing.py"},
		{"micropython", "", "", "", "", "", "200", "", "", "", "firmware/main.py"},
		{"", "/dev/ttyNOPE", "", "", "99999999999999999999", " 9600 , 0 ", "+7", "007", "1e3", ",,", ""},
	}
	for _, s := range seeds {
		s = append(s, make([]string, 11-len(s))...)
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10])
	}
	f.Fuzz(func(t *testing.T, target, serial, control, led, baud, bauds, blink, turnaround, jitter, fault, firmware string) {
		values := []string{target, serial, control, led, baud, bauds, blink, turnaround, jitter, fault, firmware}
		env := map[string]string{}
		for i, v := range values {
			env[Variables[i]] = v
		}
		c, err := FromEnv(func(k string) string { return env[k] })
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.Contains(line, "hint:") {
					t.Fatalf("error line without a hint: %q (env %q)", line, values)
				}
			}
			return
		}
		switch c.Target {
		case Virtual, MicroPython, Pico, Jumper:
		default:
			t.Fatalf("accepted with target %q (env %q)", c.Target, values)
		}
		if c.Baud <= 0 || len(c.Bauds) == 0 || c.Reason == "" {
			t.Fatalf("accepted %+v (env %q)", c, values)
		}
	})
}

// FuzzLoadProfile feeds Load a bench file of arbitrary text: it must
// never panic, and a rejection is one line per problem, each naming the
// file and with a hint.
func FuzzLoadProfile(f *testing.F) {
	for _, seed := range []string{
		"", "data: /dev/tty\n", "benches:\n  - id: a\n    baud: 9600\n", "baud: fast\nledpin: x\n",
		"bauds: [1, 2, x]\n", "data: /dev/tty\n  led_pin: GPIO17\n", "- 1\n- 2\n", "id: &a x\nbenches: [*a]\n",
		"benches:\n  - id: a\n    led_pin: GPIO17\n  - id: b\n    led_pin: GPIO17\n",
		"benches:\n  - id: \"a\\nb\"\n    baud: 9600\n  - id: c\n",
	} {
		f.Add(seed)
	}
	path := filepath.Join(f.TempDir(), "bench.yaml")
	f.Fuzz(func(t *testing.T, text string) {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(func(k string) string {
			if k == "HIL_BENCH" {
				return path
			}
			return ""
		}, 1)
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "bench: "+path) || !strings.Contains(line, "hint:") {
				t.Fatalf("error line %q for %q", line, text)
			}
		}
	})
}

package bench

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/farm/power"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/support/repo"
	"github.com/picohil/picohil/harness/target"
)

// writeProfile writes a bench file into a temporary directory.
func writeProfile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t *testing.T, text string, process int, kv ...string) (Config, string, error) {
	t.Helper()
	path := writeProfile(t, text)
	c, err := Load(env(append([]string{"HIL_BENCH", path}, kv...)...), process)
	return c, path, err
}

func TestProfileFieldsReachTheConfig(t *testing.T) {
	c, path, err := load(t, `
id: lab-1
target: pico
data: /dev/tty
control_usb_id: 2e8a:0005
control_usb_serial: E6614C311B8D5B2C
led_pin: GPIO17
reset_pin: GPIO27
baud: 230400
bauds: [9600, 115200]
blink_half_ms: 250
turnaround_ms: 3
jitter_ms: 2
expect_version: 1.2.0
`, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Target: Pico, Settings: target.Settings{Serial: "/dev/tty", LEDPin: "GPIO17", ResetPin: "GPIO27", Baud: 230400,
		BlinkHalf: 250 * time.Millisecond, ControlMatch: discover.Match{VID: "2e8a", PID: "0005", Serial: "E6614C311B8D5B2C"}},
		Turnaround: 3 * time.Millisecond, JitterTol: 2 * time.Millisecond, ExpectVersion: "1.2.0", BenchID: "lab-1", Profile: path}
	got := c
	got.Reason, got.Bauds, got.Environment = "", nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("config\n got %+v\nwant %+v", got, want)
	}
	if len(c.Bauds) != 2 || c.Bauds[1] != 115200 || c.Reason != path+": target=pico" {
		t.Fatalf("bauds %v reason %q", c.Bauds, c.Reason)
	}
	if c, _, err := load(t, "expect_version: picohil 1.2.0-rc.1\n", 1); err != nil || c.ExpectVersion != "picohil 1.2.0-rc.1" {
		t.Fatalf("name and version: %q, %v", c.ExpectVersion, err)
	}
	if r := c.Reproduce(); r != `HIL_BENCH="`+path+`" HIL_BENCH_ID="lab-1"` {
		t.Fatalf("reproduce %s", r)
	}
}

func TestEnvironmentOverridesTheProfile(t *testing.T) {
	c, _, err := load(t, "target: virtual\nbaud: 9600\nled_pin: GPIO17\n", 1, "HIL_BAUD", "115200", "HIL_LED_PIN", "GPIO5", "HIL_TARGET", "virtual")
	if err != nil {
		t.Fatal(err)
	}
	if c.Baud != 115200 || c.LEDPin != "GPIO5" || c.Reason != "HIL_TARGET=virtual" {
		t.Fatalf("%+v", c)
	}
	if !strings.Contains(c.Reproduce(), `HIL_BAUD="115200"`) {
		t.Fatalf("reproduce %s lacks the override", c.Reproduce())
	}
}

const threeBenches = `
target: virtual
blink_half_ms: 50
benches:
  - id: a
  - id: b
    jitter_ms: 12
  - id: c
    turnaround_ms: 9
    baud: 115200
`

func TestProcessBindsToItsBench(t *testing.T) {
	for _, tc := range []struct {
		process            int
		id                 string
		jitter, turnaround time.Duration
	}{{1, "a", 5 * time.Millisecond, 5 * time.Millisecond}, {2, "b", 12 * time.Millisecond, 5 * time.Millisecond}, {3, "c", 5 * time.Millisecond, 9 * time.Millisecond}} {
		c, _, err := load(t, threeBenches, tc.process)
		if err != nil {
			t.Fatal(err)
		}
		if c.BenchID != tc.id || c.JitterTol != tc.jitter || c.Turnaround != tc.turnaround || c.BlinkHalf != 50*time.Millisecond || c.Target != Virtual {
			t.Errorf("process %d: bench %q jitter %v turnaround %v half %v target %s", tc.process, c.BenchID, c.JitterTol, c.Turnaround, c.BlinkHalf, c.Target)
		}
	}
	c, _, err := load(t, threeBenches, 1, "HIL_BENCH_ID", "c")
	if err != nil || c.BenchID != "c" {
		t.Fatalf("HIL_BENCH_ID=c picked %q, %v", c.BenchID, err)
	}
}

// TestOverrideMakesBenchesAgree: a variable set for every process gives
// every bench the same value, whatever the file says.
func TestOverrideMakesBenchesAgree(t *testing.T) {
	c, _, err := load(t, "target: virtual\nbenches:\n  - id: a\n  - id: b\n    baud: 9600\n", 2, "HIL_BAUD", "230400")
	if err != nil || c.Baud != 230400 {
		t.Fatalf("baud %d, %v", c.Baud, err)
	}
}

// TestCommittedThreeVirtual keeps the profile make suite-multi uses valid.
func TestCommittedThreeVirtual(t *testing.T) {
	for p := 1; p <= 3; p++ {
		c, err := Load(env("HIL_BENCH", "testdata/three-virtual.yaml"), p)
		if err != nil || c.Target != Virtual || c.BenchID == "" {
			t.Fatalf("process %d: %+v, %v", p, c, err)
		}
	}
}

// TestBadProfiles: each mistake is refused with exactly this one line.
func TestBadProfiles(t *testing.T) {
	const F = "FILE"
	for _, tc := range []struct {
		name, text string
		process    int
		env        []string
		want       string
	}{
		{"unknown field", "data: /dev/tty\nledpin: GPIO17\n", 1, nil,
			`bench: FILE line 2: unknown field "ledpin" (hint: the fields are id, target, data, control, control_usb_id, control_usb_serial, led_pin, reset_pin, jumper_pin, baud, bauds, blink_half_ms, turnaround_ms, jitter_ms, expect_version, power and benches; see harness/target/bench/bench.example.yaml)`},
		{"unknown field in a bench", "benches:\n  - id: a\n    colour: red\n", 1, nil,
			`bench: FILE line 3: unknown field "colour" (hint: the fields are id, target, data, control, control_usb_id, control_usb_serial, led_pin, reset_pin, jumper_pin, baud, bauds, blink_half_ms, turnaround_ms, jitter_ms, expect_version, power and benches; see harness/target/bench/bench.example.yaml)`},
		{"baud as a word", "baud: fast\n", 1, nil,
			"bench: FILE line 1: `fast` is not a whole number (hint: numbers are whole numbers (baud: 115200), bauds is a list ([9600, 115200]), the others are text)"},
		{"bauds not a list", "bauds: 9600\n", 1, nil,
			"bench: FILE line 1: `9600` is not a list (hint: numbers are whole numbers (baud: 115200), bauds is a list ([9600, 115200]), the others are text)"},
		{"broken yaml", "data: /dev/tty\n  led_pin: GPIO17\n", 1, nil,
			"bench: FILE line 2: mapping values are not allowed in this context (hint: check the indentation and quoting against harness/target/bench/bench.example.yaml)"},
		{"empty file", "", 1, nil,
			"bench: FILE: empty bench file (hint: describe the bench as in harness/target/bench/bench.example.yaml)"},
		{"baud zero", "baud: 0\n", 1, nil,
			`bench: FILE: baud="0": not a positive integer (hint: give a whole number greater than zero)`},
		{"negative baud in a bench", "benches:\n  - id: a\n    baud: -9600\n", 1, nil,
			`bench: FILE: benches[a].baud="-9600": not a positive integer (hint: give a whole number greater than zero)`},
		{"bad rate in the sweep", "bauds: [9600, 0]\n", 1, nil,
			`bench: FILE: bauds="9600,0": "0" is not a positive rate (hint: give a comma-separated list such as 9600,115200)`},
		{"zero jitter", "jitter_ms: 0\n", 1, nil,
			`bench: FILE: jitter_ms="0": not a positive integer (hint: give a whole number greater than zero)`},
		{"pico without a data port", "target: pico\n", 1, nil,
			`bench: FILE: data="": the pico target needs the data UART port (hint: set HIL_SERIAL=/dev/serial0 (or the USB-UART adapter's /dev/ttyUSB0), or data: in the bench profile)`},
		{"jumper without a data port", "target: jumper\n", 1, nil,
			`bench: FILE: data="": the jumper target needs the data UART port (hint: set HIL_SERIAL=/dev/serial0 (or the USB-UART adapter's /dev/ttyUSB0), or data: in the bench profile)`},
		{"unknown target", "target: rp2040\n", 1, nil,
			`bench: FILE: target="rp2040": unknown target (hint: use auto or a registered target: jumper, micropython, pico, virtual)`},
		{"unknown pin", "data: /dev/tty\nled_pin: LED\n", 1, nil,
			`bench: FILE: led_pin="LED": not a periph pin name (hint: use BCM names such as GPIO17, or header positions such as P1_11)`},
		{"pin in lower case", "data: /dev/tty\nreset_pin: gpio27\n", 1, nil,
			`bench: FILE: reset_pin="gpio27": not a periph pin name (hint: use BCM names such as GPIO17, or header positions such as P1_11)`},
		{"one pin, two roles", "data: /dev/tty\nled_pin: GPIO17\nreset_pin: GPIO17\n", 1, nil,
			`bench: FILE: reset_pin="GPIO17": pin already used by FILE: led_pin (hint: each role needs its own GPIO: see the pin table in README.md)`},
		{"jumper with an LED pin only", "target: jumper\ndata: /dev/tty\nled_pin: GPIO17\n", 1, nil,
			`bench: FILE: jumper_pin="": the jumper target needs both the LED input pin and the jumper output pin, or neither (hint: wire one free GPIO output to the LED input pin and name both (jumper_pin and led_pin), or leave both out to skip the blink specs)`},
		{"bad USB id", "data: /dev/tty\ncontrol_usb_id: pico\n", 1, nil,
			"bench: FILE: control_usb_id=\"pico\": not a USB id of four hex digits each (hint: write VID:PID or VID, such as 2E8A:0005; `hil detect` lists the ids)"},
		{"control port and USB match", "data: /dev/tty\ncontrol: /dev/tty\ncontrol_usb_serial: E661\n", 1, nil,
			`bench: FILE: control="/dev/tty": both a control port and a USB match for it are given (hint: keep one: the port path, or the USB id and serial number to find it)`},
		{"version not semver", "expect_version: v1\n", 1, nil,
			`bench: FILE: expect_version="v1": not a semantic version (hint: give the firmware's version as VERSION reports it, such as 1.2.0 or picohil 1.2.0)`},
		{"bad override names the variable", "baud: 9600\n", 1, []string{"HIL_BAUD", "x"},
			`bench: HIL_BAUD="x": not a positive integer (hint: give a whole number greater than zero)`},
		{"more processes than benches", threeBenches, 4, nil,
			"bench: FILE: ginkgo -p started process 4 but the file lists 3 benches (hint: run with --procs 3 or fewer, or add benches)"},
		{"parallel on a single bench", "target: virtual\n", 2, nil,
			"bench: FILE: ginkgo -p started process 2 but the file describes one bench (hint: list one bench per parallel process under benches:, or run without -p)"},
		{"unknown bench id", threeBenches, 1, []string{"HIL_BENCH_ID", "z"},
			"bench: FILE: no bench has the id HIL_BENCH_ID=z (hint: the ids are a, b, c)"},
		{"bench id under -p", threeBenches, 2, []string{"HIL_BENCH_ID", "a"},
			"bench: FILE: HIL_BENCH_ID=a binds every parallel process to one bench (this is process 2) (hint: unset HIL_BENCH_ID to bind process N to bench N, or run without -p)"},
		{"bench without id", "benches:\n  - id: a\n  - target: virtual\n", 1, nil,
			"bench: FILE: benches[1] has no id (hint: give every bench an id: it names the bench in reports and in HIL_BENCH_ID)"},
		{"id that is not a name", "benches:\n  - id: \"a\\nb\"\n  - id: c\n", 1, nil,
			`bench: FILE: benches[0] has the id "a\nb" (hint: a bench id is letters, digits, '.', '-' and '_', such as pico-a)`},
		{"duplicate ids", "benches:\n  - id: a\n  - id: a\n", 1, nil,
			`bench: FILE: two benches have the id "a" (hint: bench ids must be unique)`},
		{"empty bench list", "benches: []\n", 1, nil,
			"bench: FILE: benches: is an empty list (hint: list at least one bench with an id, or describe a single bench at the top level)"},
		{"two benches on one pin", "target: pico\nled_pin: GPIO17\nbenches:\n  - id: a\n    data: /dev/ttyAMA3\n  - id: b\n    data: /dev/ttyAMA4\n", 1, nil,
			`bench: FILE: led_pin="GPIO17": benches a and b both use it (hint: each bench needs its own ports and pins: set them per bench under benches:)`},
		{"two benches on one port", "benches:\n  - id: a\n    data: /dev/ttyAMA3\n  - id: b\n    data: /dev/ttyAMA3\n", 1, nil,
			`bench: FILE: benches[b].data="/dev/ttyAMA3": benches a and b both use it (hint: each bench needs its own ports and pins: set them per bench under benches:)`},
		{"a bench without its data port", "target: pico\nbenches:\n  - id: a\n    data: /dev/tty\n  - id: b\n", 2, nil,
			`bench: FILE: benches[b].data="": the pico target needs the data UART port (hint: set HIL_SERIAL=/dev/serial0 (or the USB-UART adapter's /dev/ttyUSB0), or data: in the bench profile)`},
		{"benches with different rates", "target: virtual\nbenches:\n  - id: a\n  - id: b\n    baud: 9600\n", 1, nil,
			`bench: FILE: benches[b].baud="9600": bench a has 115200 (hint: benches run in parallel share one spec list; give them the same baud/bauds/blink_half_ms)`},
		{"benches with different sweeps", "target: virtual\nbauds: [9600]\nbenches:\n  - id: a\n  - id: b\n    bauds: [9600, 19200]\n", 2, nil,
			`bench: FILE: benches[b].bauds="[9600 19200]": bench a has [9600] (hint: benches run in parallel share one spec list; give them the same baud/bauds/blink_half_ms)`},
		{"benches with different blinks", "target: virtual\nbenches:\n  - id: a\n    blink_half_ms: 50\n  - id: b\n", 1, nil,
			`bench: FILE: benches[b].blink_half_ms="1000": bench a has 50 (hint: benches run in parallel share one spec list; give them the same baud/bauds/blink_half_ms)`},
		{"power with an unknown key", "target: virtual\npower:\n  hub: 1-1\n  prot: 2\n", 1, nil,
			`bench: FILE line 3: power: unknown key "prot"; the section takes hub and port (a uhubctl hub), or disable (the path of the kernel's USB port attribute) (hint: check the indentation and quoting against harness/target/bench/bench.example.yaml)`},
		{"power with both switches", "target: virtual\npower: {hub: 1-1, port: 2, disable: /sys/x/disable}\n", 1, nil,
			`bench: FILE line 2: power: give hub and port, or disable alone; the section takes hub and port (a uhubctl hub), or disable (the path of the kernel's USB port attribute) (hint: check the indentation and quoting against harness/target/bench/bench.example.yaml)`},
		{"power on a bad port", "target: virtual\npower:\n  hub: 1-1\n  port: 0\n", 1, nil,
			`bench: FILE: power="uhubctl:1-1:0": not a hub location and a port number from 1 to 255 (hint: write uhubctl:<hub location>:<port> (as ` + "`uhubctl`" + ` lists them, e.g. uhubctl:1-1:2), or disable:<the port's disable attribute> (e.g. disable:/sys/bus/usb/devices/1-1:1.0/1-1-port2/disable))`},
		{"power attribute missing", "target: virtual\npower:\n  disable: /sys/bus/usb/devices/9-9:1.0/9-9-port9/disable\n", 1, nil,
			`bench: FILE: power="disable:/sys/bus/usb/devices/9-9:1.0/9-9-port9/disable": no such port attribute (hint: the port's disable file is under its hub's interface: ls /sys/bus/usb/devices/*/*-port*/disable)`},
		{"power shared by two benches", "target: virtual\npower: {hub: 1-1, port: 2}\nbenches:\n  - id: a\n  - id: b\n", 1, nil,
			`bench: FILE: power="uhubctl:1-1:2": benches a and b both use it (hint: each bench needs its own ports and pins: set them per bench under benches:)`},
		{"bad power override names the variable", "target: virtual\n", 1, []string{"HIL_POWER", "pdu:3"},
			`bench: HIL_POWER="pdu:3": unknown kind of switch "pdu" (hint: write uhubctl:<hub location>:<port> (as ` + "`uhubctl`" + ` lists them, e.g. uhubctl:1-1:2), or disable:<the port's disable attribute> (e.g. disable:/sys/bus/usb/devices/1-1:1.0/1-1-port2/disable))`},
		{"top-level id with benches", "id: x\nbenches:\n  - id: a\n", 1, nil,
			"bench: FILE: id is set at the top level of a file with benches (hint: give each bench its own id under benches:, and no top-level id)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, path, err := load(t, tc.text, tc.process, tc.env...)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := strings.ReplaceAll(err.Error(), path, F); got != tc.want {
				t.Fatalf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSeveralMistakesGiveOneLineEach(t *testing.T) {
	_, _, err := load(t, "baud: x\nbauds: y\nled: GPIO17\n", 1)
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("want three lines, got %v", err)
	}
	_, _, err = load(t, "data: /dev/tty\nbaud: -1\nled_pin: LED\nexpect_version: new\n", 1)
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("want three lines, got %v", err)
	}
	// A field that does not decode does not stop the others being checked.
	_, _, err = load(t, "ledpin: GPIO17\nbaud: fast\njitter_ms: 0\n", 1)
	if err == nil || strings.Count(err.Error(), "\n") != 2 || !strings.Contains(err.Error(), `jitter_ms="0"`) {
		t.Fatalf("want three lines, the last about jitter_ms, got %v", err)
	}
}

func TestFindProfile(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "specs")
	for _, d := range []string{sub} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+repo.Module+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := findProfile("", sub); got != "" || err != nil {
		t.Fatalf("no bench.yaml anywhere: %q, %v", got, err)
	}
	if _, err := findProfile("lab.yaml", sub); err == nil || !strings.Contains(err.Error(), "HIL_BENCH=\"lab.yaml\": no such file") {
		t.Fatalf("missing HIL_BENCH: %v", err)
	}
	for _, name := range []string{"bench.yaml", "lab.yaml"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte("target: virtual\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := findProfile("", sub); got != filepath.Join(root, "bench.yaml") || err != nil {
		t.Fatalf("bench.yaml at the module root from specs/: %q, %v", got, err)
	}
	if got, err := findProfile("lab.yaml", sub); got != filepath.Join(root, "lab.yaml") || err != nil {
		t.Fatalf("relative HIL_BENCH from specs/: %q, %v", got, err)
	}
}

// TestExampleIsValid keeps the documented example loadable.
// Its data port exists only on a bench Pi: elsewhere it is the one error,
// and the real Pico is still the target.
func TestExampleIsValid(t *testing.T) {
	c, err := Load(env("HIL_BENCH", "bench.example.yaml"), 1)
	if err != nil && (exists("/dev/serial0") || !strings.HasSuffix(err.Error(), `data="/dev/serial0": no such port (hint: is the Pico (or the USB-UART adapter) plugged in and powered? `+"`hil detect`"+` lists the serial ports present)`) || strings.Contains(err.Error(), "\n")) {
		t.Fatal(err)
	}
	if c.Target != Pico || c.StandIn || c.LEDPin != "GPIO17" || c.ResetPin != "GPIO27" || c.Serial != "/dev/serial0" {
		t.Fatalf("%+v", c)
	}
}

// TestDefaultProfileAndFixtures: bench.yaml in the working directory is
// read by default, but not when the environment names a fixture target.
func TestDefaultProfileAndFixtures(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, DefaultProfile), []byte("id: lab\ntarget: virtual\nexpect_version: 9.9.9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	c, err := Load(env(), 1)
	if err != nil || c.BenchID != "lab" || c.ExpectVersion != "9.9.9" {
		t.Fatalf("default bench.yaml not read: %+v, %v", c, err)
	}
	for _, target := range []string{Virtual, MicroPython} {
		c, err = Load(env("HIL_TARGET", target), 1)
		if err != nil || c.Profile != "" || c.ExpectVersion != "" {
			t.Fatalf("HIL_TARGET=%s read the profile: %+v, %v", target, c, err)
		}
	}
	c, err = Load(env("HIL_TARGET", Virtual, "HIL_BENCH", DefaultProfile), 1)
	if err != nil || c.BenchID != "lab" {
		t.Fatalf("HIL_BENCH given with a fixture: %+v, %v", c, err)
	}
}

func TestPowerSection(t *testing.T) {
	c, _, err := load(t, "target: virtual\npower:\n  hub: 1-1.4\n  port: 3\n", 1)
	if err != nil || c.Power != (power.Spec{Hub: "1-1.4", Port: 3}) {
		t.Fatalf("uhubctl: %+v, %v", c.Power, err)
	}
	attr := filepath.Join(t.TempDir(), "1-1-port2", "disable")
	os.MkdirAll(filepath.Dir(attr), 0o755)
	os.WriteFile(attr, []byte("0\n"), 0o644)
	c, _, err = load(t, "target: virtual\npower:\n  disable: "+attr+"\n", 1)
	if err != nil || c.Power != (power.Spec{Disable: attr}) {
		t.Fatalf("disable: %+v, %v", c.Power, err)
	}
	c, _, err = load(t, "target: virtual\npower:\n  disable: "+attr+"\n", 1, "HIL_POWER", "uhubctl:2-1:1")
	if err != nil || c.Power != (power.Spec{Hub: "2-1", Port: 1}) {
		t.Fatalf("HIL_POWER over the section: %+v, %v", c.Power, err)
	}
}

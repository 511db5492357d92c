package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/picohil/picohil/fixtures/pty"
	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/support/qemuuser"
)

// badInput is one mistake a user can make, on one of the surfaces a run
// is set by. In its values $PORT is a serial port only the test knows
// (the witness that no port opens), $FILE a regular file, $OUT a
// directory nothing may be written to.
type badInput struct {
	name     string
	env      []string // HIL_* variables
	profile  string   // a bench profile HIL_BENCH points at
	scenario string   // a scenario file in the directory HIL_SCENARIOS names
	make     []string // make variables that reach the suite: FOCUS=x
	hil      []string // a hil verb and its flags
	line     string   // the one line says this
	status   int      // exit status, cli.ExitUsage unless set
}

// pico is a real-Pico bench whose ports are the witness, so a run that
// went on would open them.
var pico = []string{"HIL_TARGET=pico", "HIL_SERIAL=$PORT", "HIL_CONTROL_USB_ID=", "HIL_CONTROL=$PORT"}

func with(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}

var badInputs = []badInput{
	// Environment.
	{name: "baud the firmware refuses", env: with(pico, "HIL_BAUD=7"), line: `HIL_BAUD="7": a rate the firmware and the port cannot both run (hint: use one of 300, 600, 1200`},
	{name: "sweep with a rate the firmware refuses", env: with(pico, "HIL_BAUDS=9600,7"), line: `HIL_BAUDS="9600,7": 7 is a rate the firmware and the port cannot both run`},
	{name: "baud in words", env: with(pico, "HIL_BAUD=fast"), line: `HIL_BAUD="fast": not a positive integer`},
	{name: "data port that is no tty", env: []string{"HIL_TARGET=pico", "HIL_SERIAL=/dev/null", "HIL_CONTROL=$PORT"}, line: `HIL_SERIAL="/dev/null": not a serial port (not a tty)`},
	{name: "data port that is a file", env: []string{"HIL_TARGET=pico", "HIL_SERIAL=$FILE", "HIL_CONTROL=$PORT"}, line: "not a serial port (not a character device)"},
	{name: "missing control port", env: []string{"HIL_TARGET=pico", "HIL_SERIAL=$PORT", "HIL_CONTROL=/dev/ttyACM-none"}, line: `HIL_CONTROL="/dev/ttyACM-none": no such port`},
	{name: "firmware that is a directory", env: []string{"HIL_TARGET=micropython", "HIL_FIRMWARE=/tmp"}, line: `HIL_FIRMWARE="/tmp": is a directory (hint: give the path of a main.py`},
	{name: "missing firmware", env: []string{"HIL_TARGET=micropython", "HIL_FIRMWARE=/none/main.py"}, line: `HIL_FIRMWARE="/none/main.py": no such file`},
	{name: "unknown target", env: []string{"HIL_TARGET=pico2", "HIL_SERIAL=$PORT"}, line: `HIL_TARGET="pico2": unknown target`},
	{name: "pin that is no pin", env: with(pico, "HIL_LED_PIN=LED"), line: `HIL_LED_PIN="LED": not a periph pin name`},
	{name: "faults on a real Pico", env: with(pico, "HIL_FAULT=no-echo"), line: "the pico target injects no faults"},
	{name: "version that is no version", env: with(pico, "HIL_EXPECT_VERSION=new"), line: `HIL_EXPECT_VERSION="new": not a semantic version`},
	{name: "blink in seconds", env: with(pico, "HIL_BLINK_MS=1s"), line: `HIL_BLINK_MS="1s": not a positive integer`},
	{name: "lease wait in words", env: with(pico, "HIL_LEASE_WAIT=forever"), line: `HIL_LEASE_WAIT="forever": not a duration`},
	{name: "tape into a directory", env: with(pico, "HIL_RECORD=/tmp"), line: `HIL_RECORD="/tmp": is a directory`},
	{name: "tape to replay that is no tape", env: []string{"HIL_TARGET=virtual", "HIL_TAPE=$FILE"}, line: `: tape: not a picohil.tape/v1 tape: `},
	{name: "tape to replay on a real Pico", env: with(pico, "HIL_TAPE=$FILE"), line: "the pico target replays no tape"},
	{name: "reports into a file", env: with(pico, "HIL_OUT=$FILE"), line: `: not a directory (hint: the directory the reports go to`},
	{name: "missing profile", env: []string{"HIL_BENCH=/none/bench.yaml"}, line: `HIL_BENCH="/none/bench.yaml": no such file`},
	{name: "scenario with an unknown step", env: pico, scenario: "name: 'x'\nversion: 1\nsteps:\n  - fly-to: moon\n", line: `bad.yaml:4: step 1: unknown step "fly-to" (hint: the steps are`},
	{name: "missing scenario directory", env: with(pico, "HIL_SCENARIOS=/none/scenarios"), line: `HIL_SCENARIOS="/none/scenarios": no such directory (looked for /none/scenarios) (hint: give a directory of Wokwi scenario files`},
	// Bench profile fields.
	{name: "profile baud the firmware refuses", profile: "data: $PORT\nbaud: 7\n", line: `bench.yaml: baud="7": a rate the firmware and the port cannot both run`},
	{name: "profile sweep with a bad rate", profile: "data: $PORT\nbauds: [9600, 115201]\n", line: "115201 is a rate the firmware and the port cannot both run"},
	{name: "profile data port that is no tty", profile: "data: /dev/null\ncontrol: $PORT\n", line: `bench.yaml: data="/dev/null": not a serial port (not a tty)`},
	{name: "profile field misspelt", profile: "data: $PORT\nledpin: GPIO17\n", line: `unknown field "ledpin"`},
	{name: "profile number in words", profile: "data: $PORT\nblink_half_ms: slow\n", line: "`slow` is not a whole number"},
	// Make variables that reach the suite.
	{name: "focus that is no expression", env: pico, make: []string{"FOCUS=(echo"}, line: `FOCUS="(echo": not a regular expression`},
	{name: "label nobody declared", env: pico, make: []string{"LABELS=blnk"}, line: `LABELS="blnk": no spec has the label "blnk" (hint: the labels are echo, baud, blink`},
	{name: "label filter cut short", env: pico, make: []string{"LABELS=echo &&"}, line: `LABELS="echo &&": not a label filter`},
	{name: "seed in words", env: pico, make: []string{"SEED=x"}, line: `SEED="x": not a whole number`},
	{name: "negative seed", env: pico, make: []string{"SEED=-1"}, line: `SEED="-1": not a whole number`},
	{name: "no processes", env: pico, make: []string{"PROCS=0"}, line: `PROCS="0": not a whole number of 1 or more`},
	{name: "more processes than benches", profile: "benches:\n  - id: a\n    data: $PORT\n", make: []string{"PROCS=2"}, line: "started process 2 but the file lists 1 benches"},
	{name: "focus that selects no spec", env: pico, make: []string{"FOCUS=nosuchspec"}, status: 1,
		line: `specs: --focus "nosuchspec" (hint: FOCUS matches spec names, LABELS the labels echo`},
	// The flags of the hil verbs.
	{name: "soak flag misspelt", env: pico, hil: []string{"soak", "--durration", "1m"}, line: "soak: flag provided but not defined: -durration (hint: soak -h lists its flags)"},
	{name: "soak duration in words", env: pico, hil: []string{"soak", "--duration", "ten"}, line: `soak: invalid value "ten" for flag -duration`},
	{name: "soak of no time", env: pico, hil: []string{"soak", "--duration", "0"}, line: "soak: --duration 0s and --window 1m0s must be positive"},
	{name: "soak at a refused baud", env: with(pico, "HIL_BAUD=7"), hil: []string{"soak", "--out", "$OUT"}, line: `HIL_BAUD="7": a rate the firmware and the port cannot both run`},
	{name: "deploy of a directory", hil: []string{"deploy", "--port", "$PORT", "--file", "/tmp"}, line: "deploy: --file /tmp: is a directory (hint: give the path of a main.py"},
	{name: "deploy of a directory to MicroPython", hil: []string{"deploy", "--micropython", "--file", "/tmp"}, line: "deploy: --file /tmp: is a directory"},
	{name: "deploy to a port that is no tty", hil: []string{"deploy", "--port", "/dev/null", "--file", "$FILE"}, line: "deploy: --port /dev/null: not a serial port (not a tty)"},
	{name: "deploy to a control port that is no tty", env: []string{"HIL_CONTROL=/dev/null"}, hil: []string{"deploy", "--file", "$FILE"}, line: "deploy: HIL_CONTROL /dev/null: not a serial port (not a tty)"},
	{name: "deploy expecting no version", hil: []string{"deploy", "--port", "$PORT", "--file", "$FILE", "--expect-version", "latest"}, line: `deploy: --expect-version "latest": not a semantic version`},
	{name: "flash without an image", hil: []string{"flash", "--port", "$PORT"}, line: "flash: --uf2 is required"},
	{name: "flash of a missing image", hil: []string{"flash", "--uf2", "/none/micropython.uf2", "--port", "$PORT"}, line: "/none/micropython.uf2"},
	{name: "gate without a baseline", hil: []string{"gate", "--current", "$FILE", "--html", "$OUT/gate.html"}, line: "gate: --baseline is required"},
	{name: "gate on a missing baseline", hil: []string{"gate", "--baseline", "/none/1.0.0.json", "--html", "$OUT/gate.html"}, line: "gate: a report /none/1.0.0.json: no such file"},
	{name: "gate at a significance of two", hil: []string{"gate", "--baseline", "$FILE", "--current", "$FILE", "--alpha", "2", "--html", "$OUT/gate.html"}, line: "gate: --alpha 2: a significance lies between 0 and 1"},
	{name: "baseline from a directory", hil: []string{"baseline", "--from", "/tmp", "--out", "$OUT/1.0.0.json"}, line: "baseline: --from /tmp: is a directory"},
	{name: "replay of no tape", hil: []string{"replay"}, line: "replay: give one tape"},
	{name: "replay of a directory", hil: []string{"replay", "/tmp"}, line: "replay: the tape /tmp: is a directory"},
	{name: "power of an unknown kind", env: pico, hil: []string{"power", "toggle"}, line: "power: give off, on or cycle"},
	{name: "power cycle too long", env: pico, hil: []string{"power", "cycle", "--off", "1h"}, line: "power: --off 1h0m0s: want more than 0 and at most 1m"},
	{name: "health with an argument", env: pico, hil: []string{"health", "now"}, line: `health: unexpected argument "now"`},
	{name: "health at a refused baud", env: with(pico, "HIL_BAUD=7"), hil: []string{"health"}, line: `HIL_BAUD="7": a rate the firmware and the port cannot both run`},
	{name: "detect with an argument", hil: []string{"detect", "all"}, line: `detect: unexpected argument "all"`},
}

// TestBadInputStopsAtTheDoor gives every surface a run is set by a
// mistake: each must be refused on one line with a hint and its exit
// status, before any port, pin or process opens, and no report may claim
// a pass. The witnesses of "nothing opened": a serial port only the test
// knows, watched for any open (inotify), which every bench that could run
// names; a `node` first on PATH that marks its start, which a micropython
// target or deploy would run; and the directory every output goes to.
func TestBadInputStopsAtTheDoor(t *testing.T) {
	qemuuser.Skip(t, outOfProcess)
	suite, err := buildSuite()
	if err != nil {
		t.Fatal(err)
	}
	hil, err := buildHil()
	if err != nil {
		t.Fatal(err)
	}
	if len(badInputs) < 25 {
		t.Fatalf("%d bad inputs; the table holds at least 25", len(badInputs))
	}
	for _, c := range badInputs {
		t.Run(c.name, func(t *testing.T) {
			w := newWitness(t)
			args, dir := []string{"-ginkgo.no-color"}, filepath.Dir(suite)
			bin := suite
			switch {
			case c.hil != nil:
				bin, args, dir = hil, w.expand(c.hil), w.out
			case c.make != nil && c.status != 0: // a run: make passes the filters to ginkgo
				args = append(args, makeToGinkgo(t, c.make)...)
			default: // make's check before ginkgo (run-suite in the Makefile)
				args = append(args, "-picohil.check")
				for _, v := range c.make {
					name, value, _ := strings.Cut(v, "=")
					args = append(args, "-picohil."+strings.ToLower(name)+"="+value)
				}
			}
			env := append(withoutSettings(os.Environ()), "HIL_OUT="+w.out, "HIL_STATE_DIR="+t.TempDir(), "HIL_BENCH=", "HIL_TARGET=virtual",
				"PATH="+w.shims+string(os.PathListSeparator)+os.Getenv("PATH"))
			if c.profile != "" {
				path := filepath.Join(t.TempDir(), "bench.yaml")
				if err := os.WriteFile(path, []byte(w.expand([]string{c.profile})[0]), 0o600); err != nil {
					t.Fatal(err)
				}
				env = append(env, "HIL_BENCH="+path, "HIL_TARGET=")
			}
			if c.scenario != "" {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(c.scenario), 0o600); err != nil {
					t.Fatal(err)
				}
				env = append(env, "HIL_SCENARIOS="+dir)
			}
			env = append(env, w.expand(c.env)...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env, cmd.Dir = env, dir
			output, runErr := cmd.CombinedOutput()
			console := string(output)

			want := cmp.Or(c.status, cli.ExitUsage)
			if ee, ok := errors.AsType[*exec.ExitError](runErr); !ok || ee.ExitCode() != want {
				t.Errorf("exit: %v, want status %d", runErr, want)
			}
			var hits, hinted []string
			for _, l := range strings.Split(console, "\n") {
				if strings.Contains(l, c.line) {
					hits = append(hits, l)
				}
				if strings.Contains(l, "hint:") {
					hinted = append(hinted, l)
				}
			}
			if len(hits) != 1 || !strings.Contains(hits[0], "hint:") || len(hinted) != 1 {
				t.Errorf("want one line with %q and a hint, and no other mistake; got %q:\n%s", c.line, hits, console)
			}
			if strings.Contains(console, "panic") || strings.Contains(console, "goroutine ") {
				t.Errorf("a panic:\n%s", console)
			}
			w.nothingOpened(t)
		})
	}
}

// withoutSettings is the environment without the caller's HIL_* settings:
// a bench Pi's own must not change the cases.
func withoutSettings(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "HIL_") {
			out = append(out, kv)
		}
	}
	return out
}

// makeToGinkgo is what the Makefile makes of FOCUS and LABELS for the
// compiled suite.
func makeToGinkgo(t *testing.T, vars []string) []string {
	var args []string
	for _, v := range vars {
		name, value, _ := strings.Cut(v, "=")
		switch name {
		case "FOCUS":
			args = append(args, "-ginkgo.focus="+value)
		case "LABELS":
			args = append(args, "-ginkgo.label-filter="+value)
		default:
			t.Fatalf("no run takes %s", name)
		}
	}
	return args
}

// witness is what a case must leave untouched.
type witness struct {
	port, file, out, shims, started string
	inotify                         int
}

func newWitness(t *testing.T) *witness {
	p, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	w := &witness{port: p.Path, out: t.TempDir(), shims: t.TempDir()}
	w.file = filepath.Join(t.TempDir(), "report.json")
	w.started = filepath.Join(t.TempDir(), "node-started")
	if err := os.WriteFile(w.file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.shims, "node"), []byte("#!/bin/sh\necho \"$@\" >> "+w.started+"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.inotify, err = unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	t.Cleanup(func() { unix.Close(w.inotify) })
	if _, err := unix.InotifyAddWatch(w.inotify, w.port, unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *witness) expand(values []string) []string {
	r := strings.NewReplacer("$PORT", w.port, "$FILE", w.file, "$OUT", w.out)
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = r.Replace(v)
	}
	return out
}

// nothingOpened checks the witnesses: the port never opened, no Node
// started, and nothing in the output directory but reports that do not
// claim a pass.
func (w *witness) nothingOpened(t *testing.T) {
	t.Helper()
	for _, p := range w.opened() {
		t.Error(p)
	}
}

// opened lists what the witnesses saw opened or written.
func (w *witness) opened() []string {
	var seen []string
	buf := make([]byte, 4096)
	if n, _ := unix.Read(w.inotify, buf); n > 0 {
		seen = append(seen, "the serial port "+w.port+" was opened")
	}
	if _, err := os.Stat(w.started); err == nil {
		seen = append(seen, "a Node process was started")
	}
	entries, _ := os.ReadDir(w.out)
	for _, e := range entries {
		switch e.Name() {
		case "report.json":
			r, err := report.Read(filepath.Join(w.out, e.Name()))
			if err != nil || r.Pass || r.Stopped == "" {
				seen = append(seen, fmt.Sprintf("report.json: pass %v, stopped %q (%v): a refused run's report says why and never passes", r.Pass, r.Stopped, err))
			}
		case "report.html", "junit.xml":
		default:
			seen = append(seen, e.Name()+" was written")
		}
	}
	return seen
}

// The witnesses see another process open the port, start Node and write.
func TestWitnessesSeeWhatOpens(t *testing.T) {
	qemuuser.Skip(t, outOfProcess)
	w := newWitness(t)
	cmd := exec.Command("sh", "-c", `: <> "$1"; node --version; : > "$2/soak.json"`, "sh", w.port, w.out)
	cmd.Env = append(os.Environ(), "PATH="+w.shims+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.Run() // the node shim fails, as it is meant to
	seen := w.opened()
	if len(seen) != 3 {
		t.Fatalf("the witnesses saw %q; want the port, Node and soak.json", seen)
	}
}

// make checks the settings and its variables with the compiled suite
// before ginkgo starts: the check above is the one make runs.
func TestMakeChecksBeforeGinkgo(t *testing.T) {
	qemuuser.Skip(t, outOfProcess)
	if _, err := exec.LookPath("make"); err != nil {
		t.Skipf("no make: %v", err)
	}
	cmd := exec.Command("make", "-n", "-C", "../../..", "hil", "FOCUS=x", "LABELS=y", "SEED=3", "PROCS=2")
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=") // not the settings of a make running this test
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n hil: %v\n%s", err, out)
	}
	check := strings.Index(string(out), "-picohil.check -picohil.focus='x' -picohil.labels='y' -picohil.seed='3' -picohil.procs='2'")
	ginkgo := strings.Index(string(out), "ginkgo -p --procs 2")
	if check < 0 || ginkgo < 0 || check > ginkgo {
		t.Errorf("make hil does not check its settings before ginkgo starts:\n%s", out)
	}
}

// A file named in HIL_FIRMWARE or HIL_TAPE with a relative path is where
// make was called from, though the suite runs in out/bin: make passes it
// on made absolute.
func TestMakeTakesRelativePathsFromTheCaller(t *testing.T) {
	qemuuser.Skip(t, outOfProcess)
	if _, err := exec.LookPath("make"); err != nil {
		t.Skipf("no make: %v", err)
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	// Typed at the repository root, as a new user does.
	cmd := exec.Command("make", "-s", "--eval", `show-paths: ; @echo "$$HIL_FIRMWARE|$$HIL_TAPE"`, "show-paths")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PWD="+root, "MAKEFLAGS=", "MAKELEVEL=", "HIL_FIRMWARE=firmware/main.py", "HIL_TAPE=/abs/tape.jsonl")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), filepath.Join(root, "firmware/main.py")+"|/abs/tape.jsonl"; got != want {
		t.Fatalf("make passes HIL_FIRMWARE|HIL_TAPE as %q, want %q", got, want)
	}
}

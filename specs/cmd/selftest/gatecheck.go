package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// gateRuns are the suite runs gate-check judges: two clean virtual runs, a
// virtual run per fault the gate must block, and a short run of the real
// firmware under MicroPython the gate must refuse to compare. Those not
// given as reports (--baseline, --clean, --faults) it runs itself.
var gateRuns = []probe{
	{name: "baseline", env: []string{"HIL_TARGET=virtual"}},
	{name: "clean", env: []string{"HIL_TARGET=virtual"}},
	{name: "slow-echo", env: []string{"HIL_TARGET=virtual", "HIL_FAULT=slow-echo"}},
	{name: "blink-drift", env: []string{"HIL_TARGET=virtual", "HIL_FAULT=blink-drift"}},
	{name: "rtt-tail", env: []string{"HIL_TARGET=virtual", "HIL_FAULT=rtt-tail"}},
	{name: "blink-wobble", env: []string{"HIL_TARGET=virtual", "HIL_FAULT=blink-wobble"}},
	{name: "micropython", env: []string{"HIL_TARGET=micropython"}},
}

// gateTries is how many times gate-check runs a suite whose run came back
// with specs the host was too late to measure.
const gateTries = 3

// mpyFocus keeps the micropython run short: its provenance is what is
// judged, so one spec is enough.
const mpyFocus = "-ginkgo.focus=256 byte values"

// gateCase is what `hil gate` must say about one run against the baseline.
type gateCase struct {
	run    string
	status int      // 0 passed, 1 blocked, 2 refused
	names  []string // blocked: one of these rows regressed; refused: the line names this
	rule   string
}

var gateCases = []gateCase{
	{run: "clean", status: 0, rule: "clean vs clean passes"},
	{run: "slow-echo", status: 1, names: []string{stats.EchoRTT + " p99"}, rule: "shift rule"},
	{run: "blink-drift", status: 1, names: []string{stats.Blink + stats.HalfPeriod + " mean", stats.BlinkLoad + stats.HalfPeriod + " mean"}, rule: "half-period rule"},
	{run: "rtt-tail", status: 1, names: []string{stats.EchoRTT + " tail"}, rule: "tail rule"},
	{run: "blink-wobble", status: 1, names: []string{stats.Blink + stats.JitterP99, stats.BlinkLoad + stats.JitterP99}, rule: "jitter rule"},
	{run: "micropython", status: 2, names: []string{"target virtual (baseline) vs micropython (current)"}, rule: "unlike runs refused"},
}

func runGateCheck(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("gate-check", flag.ContinueOnError)
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs)")
	hil := fs.String("hil", "", "built hil command (go build ./harness/cmd/hil)")
	out := fs.String("out", "out/gate-check", "directory for each run's reports and the gate's output")
	seed := fs.Int64("seed", 1, "spec order seed of every run: gated runs share one order")
	given := map[string]string{}
	fs.Func("baseline", "report of a clean virtual run to use as the baseline instead of running one", func(s string) error { given["baseline"] = s; return nil })
	fs.Func("clean", "report of another clean virtual run to use instead of running one", func(s string) error { given["clean"] = s; return nil })
	fs.Func("faults", "directory of a selftest faults run whose slow-echo and blink-drift reports to use", func(s string) error {
		for _, f := range []string{"slow-echo", "blink-drift"} {
			given[f] = filepath.Join(s, f, "report.json")
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *suite == "" || *hil == "" {
		return errors.New("gate-check: --suite and --hil are required (hint: make gate-check builds both)")
	}
	// A report given in place of a run must be there, and measured, before
	// any run starts.
	for _, p := range gateRuns {
		path, ok := given[p.name]
		if !ok {
			continue
		}
		r, err := report.Read(path)
		if err != nil {
			return fmt.Errorf("gate-check: the %s report: %w (hint: make gate-check writes it first; leave its flag out and gate-check runs it)", p.name, err)
		}
		if late := r.Inconclusives(); len(late) > 0 && measured(p.name) {
			return fmt.Errorf("gate-check: the %s report %s is inconclusive: host late (%s), so the gate would judge it on what was left (hint: run its lane again on a quieter host, or leave its flag out and gate-check runs it)", p.name, path, specNames(late))
		}
	}
	bin, err := filepath.Abs(*suite)
	if err != nil {
		return err
	}
	reports := map[string]string{}
	for _, p := range gateRuns {
		if path, ok := given[p.name]; ok {
			reports[p.name] = path
			fmt.Fprintf(w, "gate-check: %-12s %s\n", p.name, path)
			continue
		}
		args := []string{fmt.Sprintf("-ginkgo.seed=%d", *seed)}
		if p.name == "micropython" {
			args = append(args, mpyFocus)
		}
		start := time.Now()
		o := runOne(bin, *out, args, p)
		// A spec the host was too late to measure is compared by no rule,
		// so the case would be judged on what was left: run it again. (The
		// suite exits non-zero then, so o.err is set too.)
		try := 1
		for ; len(o.inconclusive) > 0 && measured(p.name) && try < gateTries; try++ {
			fmt.Fprintf(w, "gate-check: %-12s inconclusive: host late (%s); try %d of %d\n", p.name, specNames(o.inconclusive), try+1, gateTries)
			start = time.Now()
			o = runOne(bin, *out, args, p)
		}
		if len(o.inconclusive) > 0 && measured(p.name) {
			return fmt.Errorf("gate-check: the %s run stayed inconclusive: host late in %d tries (%s); not a verdict on the gate: run it again on a quieter host", p.name, gateTries, specNames(o.inconclusive))
		}
		if o.err != nil && len(o.inconclusive) == 0 {
			return fmt.Errorf("gate-check: the %s run wrote no usable report: %w (see %s)", p.name, o.err, filepath.Join(*out, p.name, "console.log"))
		}
		reports[p.name] = filepath.Join(*out, p.name, "report.json")
		fmt.Fprintf(w, "gate-check: %-12s ran in %.0fs (try %d), %d specs failed\n", p.name, time.Since(start).Seconds(), try, len(o.failed))
	}
	var problems []string
	for _, c := range gateCases {
		verdict, err := checkCase(*hil, reports["baseline"], reports[c.run], filepath.Join(*out, "gate", c.run), c)
		if err != nil {
			problems = append(problems, err.Error())
			fmt.Fprintf(w, "gate-check: %-12s WRONG: %v\n", c.run, err)
			continue
		}
		fmt.Fprintf(w, "gate-check: %-12s %s\n", c.run, verdict)
	}
	if len(problems) > 0 {
		return fmt.Errorf("gate-check: %d of %d cases wrong: %s", len(problems), len(gateCases), strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "gate-check: all %d cases as stated\n", len(gateCases))
	return nil
}

// checkCase runs `hil gate` on one run against the baseline, its output in
// dir, and returns the verdict it gave, or what is wrong with it.
func checkCase(hil, baseline, current, dir string, c gateCase) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, hil, "gate", "--baseline", baseline, "--current", current, "--html", filepath.Join(dir, "gate.html"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		return "", fmt.Errorf("%s: hil gate did not run: %w", c.run, err)
	}
	logPath := filepath.Join(dir, "gate.txt")
	if werr := os.WriteFile(logPath, append(stdout.Bytes(), stderr.Bytes()...), 0o644); werr != nil {
		return "", werr
	}
	if status != c.status {
		return "", fmt.Errorf("%s: hil gate exited %d, want %d (%s); see %s", c.run, status, c.status, c.rule, logPath)
	}
	switch c.status {
	case 0:
		return "passed (" + lastLine(stdout.String()) + ")", nil
	case 2:
		line := lastLine(stderr.String())
		if !strings.Contains(line, c.names[0]) {
			return "", fmt.Errorf("%s: refused without naming %q: %s", c.run, c.names[0], line)
		}
		return "refused, exit 2: " + line, nil
	}
	_, all, _ := strings.Cut(lastLine(stderr.String()), "regression in ")
	var named []string
	for _, l := range strings.Split(stdout.String(), "\n") {
		l = strings.Join(strings.Fields(l), " ")
		for _, n := range c.names {
			if strings.HasPrefix(l, n+" ") && strings.Contains(l, "REGRESSED") {
				named = append(named, l)
			}
		}
	}
	if len(named) == 0 {
		return "", fmt.Errorf("%s: blocked, but not by the %s (%s): regressed %s; see %s", c.run, c.rule, strings.Join(c.names, " or "), all, logPath)
	}
	return fmt.Sprintf("blocked by the %s: %s [all regressed: %s]", c.rule, named[0], all), nil
}

// measured says whether the gate compares the run's measurements: a run it
// must refuse is judged on where it ran alone.
func measured(run string) bool {
	for _, c := range gateCases {
		if c.run == run {
			return c.status != 2
		}
	}
	return true // the baseline
}

// specNames joins the first lines of spec names.
func specNames(names []string) string {
	short := make([]string, len(names))
	for i, n := range names {
		short[i] = firstLine(n)
	}
	return strings.Join(short, "; ")
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

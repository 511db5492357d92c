package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/picohil/picohil/fixtures/virtual"
	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// symptoms are the words a failure message must contain for a fault to
// count as caught for the right reason.
var symptoms = map[virtual.Fault][]string{
	virtual.DropByte:            {"short answer", "differs"},
	virtual.CorruptByte:         {"differs"},
	virtual.ExtraByte:           {"differs", "received"},
	virtual.SlowEcho:            {stats.EchoRTT},
	virtual.NoEcho:              {"short answer", "0 of"},
	virtual.WrongBaud:           {stats.BaudEffective},
	virtual.BlinkDrift:          {stats.HalfPeriod},
	virtual.BlinkJitter:         {stats.JitterP99},
	virtual.BlinkStuck:          {"edges"},
	virtual.BlinkStallUnderLoad: {stats.BlinkLoad},
	virtual.SlowBoot:            {stats.ResetRecovery},
	virtual.DropByteOnce:        {"short answer", "differs"},
	virtual.CorruptByteOnce:     {"differs"},
	virtual.ExtraByteOnce:       {"differs", "received"},
	virtual.SlowEchoNear:        {stats.EchoRTT},
	virtual.WrongBaudNear:       {stats.BaudEffective},
	virtual.BlinkDriftNear:      {stats.HalfPeriod},
	virtual.BlinkJitterNear:     {stats.JitterP99},
	virtual.BlinkSkip:           {stats.EdgesMissed},
	virtual.BlinkLagUnderLoad:   {stats.BlinkLoad + stats.JitterP99, stats.BlinkLoad + stats.Duty},
	virtual.EchoSlowsUnderLoad:  {stats.BlinkLoadThroughput},
	virtual.SwallowedError:      {"errors = "},
	virtual.SlowBootNear:        {stats.ResetRecovery},
}

// runTimeout bounds one suite run; a hang is a failure of its own.
const runTimeout = 10 * time.Minute

// probe is one run of the suite: clean, or with a fault that a family of
// specs must catch, showing one of its symptoms.
type probe struct {
	name     string
	families []string // the families that may catch it; none for the clean run
	symptoms []string
	env      []string
	// alone: a failure outside families is a false alarm that fails the
	// run (a virtual fault strikes one thing; a firmware variant may break
	// more than the family it is aimed at).
	alone bool
}

type outcome struct {
	probe
	failed []report.Spec
	// inconclusive names the specs the host was too late to measure.
	inconclusive []string
	evidence     string
	caught       bool
	others       []string // failed specs outside the probe's families, when it must be alone; every failure of a clean run
	unproven     []string // failures outside the families that a second run did not repeat
	faults       string   // the report's faults, with the seed of the random ones
	err          error
}

func runFaults(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs)")
	out := fs.String("out", "out/faults", "directory for each run's reports")
	seed := fs.Int64("seed", 0, "spec order seed for every run (0: Ginkgo picks one per run)")
	only := fs.String("only", "", "comma-separated faults to run (default: all)")
	target := fs.String("target", "virtual", "virtual: inject the virtual Pico's faults; micropython or rp2040: run broken variants of the firmware")
	firmware := fs.String("firmware", "firmware/main.py", "with --target micropython or rp2040: the firmware the variants are made from")
	labels := fs.String("labels", "", "run only the specs this Ginkgo label filter selects, in every run (the variants' families must be among them)")
	focus := fs.String("focus", "", "run only the specs whose names this regular expression matches, in every run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *suite == "" {
		return errors.New("faults: --suite is required (hint: go test -c -o out/bin/specs.test ./specs)")
	}
	// The suite runs in its own directory, so a relative path must not be.
	bin, err := filepath.Abs(*suite)
	if err != nil {
		return err
	}
	*suite = bin
	var probes []probe
	switch *target {
	case "virtual":
		probes, err = virtualProbes(*only)
	case "micropython", "rp2040":
		probes, err = mutantProbes(*target, *firmware, *out, *only)
	default:
		err = fmt.Errorf("faults: unknown --target %q (hint: virtual, micropython or rp2040)", *target)
	}
	if err != nil {
		return err
	}
	cleanEnv := []string{"HIL_TARGET=" + *target}
	if *target != "virtual" {
		// The variants are made from this file: the clean run judges it too.
		fw, err := filepath.Abs(*firmware)
		if err != nil {
			return err
		}
		cleanEnv = append(cleanEnv, "HIL_FIRMWARE="+fw)
	}
	var suiteArgs []string
	if *seed != 0 {
		suiteArgs = append(suiteArgs, fmt.Sprintf("-ginkgo.seed=%d", *seed))
	}
	if *labels != "" {
		suiteArgs = append(suiteArgs, "-ginkgo.label-filter="+*labels)
	}
	if *focus != "" {
		suiteArgs = append(suiteArgs, "-ginkgo.focus="+*focus)
	}
	clean := judgeClean(w, *suite, *out, suiteArgs, runOne(*suite, *out, suiteArgs, probe{name: "clean", env: cleanEnv}))
	results := []outcome{clean}
	for _, p := range probes {
		o := runOne(*suite, *out, suiteArgs, p)
		fmt.Fprintf(w, "faults: %-24s %d specs failed\n", p.name, len(o.failed))
		if len(o.others) > 0 {
			o = confirm(w, *suite, *out, suiteArgs, o)
		}
		results = append(results, o)
	}
	printTable(w, results)
	var problems []string
	if clean.err != nil || len(clean.others) > 0 {
		problems = append(problems, fmt.Sprintf("the clean run failed (%s, %v); see %s", strings.Join(clean.others, "; "), clean.err, filepath.Join(*out, "clean")))
	}
	for _, o := range results[1:] {
		if !o.caught {
			problems = append(problems, fmt.Sprintf("fault %s went undetected by the %s family", o.name, strings.Join(o.families, "/")))
		}
		if len(o.others) > 0 {
			problems = append(problems, fmt.Sprintf("fault %s also failed specs outside the %s family: %s; see %s", o.name, strings.Join(o.families, "/"),
				strings.Join(o.others, "; "), filepath.Join(*out, o.name)))
		}
	}
	if len(problems) > 0 {
		return errors.New("faults: " + strings.Join(problems, "; "))
	}
	fmt.Fprintf(w, "faults: all %d faults detected, clean run passed\n", len(probes))
	return nil
}

func virtualProbes(only string) ([]probe, error) {
	faults := slices.DeleteFunc(slices.Clone(virtual.AllFaults), virtual.Fault.GateOnly)
	if only != "" {
		set, err := virtual.ParseFaults(only)
		if err != nil {
			return nil, err
		}
		faults = slices.DeleteFunc(faults, func(f virtual.Fault) bool { return !set[f] })
	}
	probes := make([]probe, len(faults))
	for i, f := range faults {
		probes[i] = probe{name: string(f), families: f.Families(), symptoms: symptoms[f], alone: true,
			env: []string{"HIL_TARGET=virtual", "HIL_FAULT=" + string(f)}}
	}
	return probes, nil
}

// confirm runs a fault whose run failed specs outside its families once
// more, with the same seed: a fault does the same again, while a host that
// stalled under load (a timing spec out by a scheduler delay) rarely does
// it twice. The failures outside that repeat are a false alarm; those that
// do not are reported as unproven, not hidden.
func confirm(w io.Writer, suite, out string, args []string, o outcome) outcome {
	where := "outside " + strings.Join(o.families, "/")
	if len(o.families) == 0 {
		where = "with no fault"
	}
	fmt.Fprintf(w, "faults: %-24s failed %s (%s); running it again with the same seed\n", o.name, where, strings.Join(o.others, "; "))
	again := o.probe
	again.name += ".again"
	if o.faults != "" && len(o.families) > 0 { // a clean run replays no fault
		again.env = append(slices.Clone(again.env), "HIL_FAULT="+o.faults)
	}
	o2 := runOne(suite, out, args, again)
	if o2.err != nil {
		o.err = o2.err
		return o
	}
	var repeated, unproven []string
	for _, name := range o.others {
		if slices.Contains(o2.others, name) {
			repeated = append(repeated, name)
		} else {
			unproven = append(unproven, name)
		}
	}
	o.others, o.unproven = repeated, unproven
	return o
}

// judgeClean holds the clean run to the rule the fault runs are held to: a
// failure must repeat. A fixture shares the host with the harness, so a
// timing spec can miss by a host stall that a second run with the same seed
// does not see, while a broken firmware fails both runs. The failures that
// repeat are the clean run's; those that did not are shown as unproven.
func judgeClean(w io.Writer, suite, out string, args []string, clean outcome) outcome {
	if clean.err != nil || len(clean.others) == 0 {
		return clean
	}
	return confirm(w, suite, out, args, clean)
}

// runOne runs the suite with args for one probe and reads its report.
func runOne(suite, out string, args []string, p probe) outcome {
	o := outcome{probe: p}
	dir, err := filepath.Abs(filepath.Join(out, p.name))
	if err != nil {
		o.err = err
		return o
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		o.err = err
		return o
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite, append([]string{"-ginkgo.no-color"}, args...)...)
	cmd.Env = append(append(os.Environ(), p.env...), "HIL_OUT="+dir)
	cmd.Dir = filepath.Dir(suite)
	log, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		o.err = err
		return o
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	// A run that dies before writing its report must not be judged by the
	// previous run's.
	if err := os.Remove(filepath.Join(dir, "report.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		o.err = err
		return o
	}
	runErr := cmd.Run()
	r, err := report.Read(filepath.Join(dir, "report.json"))
	if err != nil {
		o.err = fmt.Errorf("%w (suite: %v)", err, runErr)
		return o
	}
	for _, s := range r.Specs {
		if slices.Contains(r.Failed(), s.Name) {
			o.failed = append(o.failed, s)
		}
	}
	o.faults = r.Faults
	o.inconclusive = r.Inconclusives()
	if len(p.families) > 0 {
		o.caught, o.evidence = caught(p, o.failed)
		if p.alone {
			o.others = outside(p.families, o.failed)
		}
	} else {
		// A run with no fault has no family of its own: every failure is outside.
		o.others = outside(nil, o.failed)
		if runErr != nil && len(o.failed) == 0 {
			o.err = runErr
		}
	}
	return o
}

// caught reports whether a spec of the fault's families failed with its
// symptom in the message, and returns that message's first line.
func caught(p probe, failed []report.Spec) (bool, string) {
	for _, s := range failed {
		if !inFamilies(s, p.families) {
			continue
		}
		for _, word := range p.symptoms {
			if strings.Contains(s.Failure, word) {
				return true, firstLine(s.Name) + ": " + symptomLine(s.Failure, word)
			}
		}
	}
	return false, ""
}

// outside names the failed specs that belong to none of families.
func outside(families []string, failed []report.Spec) []string {
	var names []string
	for _, s := range failed {
		if !inFamilies(s, families) {
			names = append(names, firstLine(s.Name))
		}
	}
	return names
}

func inFamilies(s report.Spec, families []string) bool {
	return slices.ContainsFunc(families, func(f string) bool { return slices.Contains(s.Labels, f) })
}

func symptomLine(msg, word string) string {
	for _, l := range strings.Split(msg, "\n") {
		if strings.Contains(l, word) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func families(failed []report.Spec) string {
	count := map[string]int{}
	for _, s := range failed {
		for _, fam := range []string{"echo", "baud", "blink", "reset"} {
			if slices.Contains(s.Labels, fam) {
				count[fam]++
			}
		}
	}
	var parts []string
	for _, fam := range []string{"echo", "baud", "blink", "reset"} {
		if count[fam] > 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", fam, count[fam]))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

func printTable(w io.Writer, results []outcome) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tEXPECT\tFAILED\tVERDICT\tEVIDENCE")
	for _, o := range results {
		verdict, expect := "caught", strings.Join(o.families, "/")
		switch {
		case len(o.families) == 0 && (o.err != nil || len(o.others) > 0):
			verdict, expect = "FAILED", "all pass"
		case len(o.families) == 0 && len(o.unproven) > 0:
			verdict, expect = "passed*", "all pass"
		case len(o.families) == 0:
			verdict, expect = "passed", "all pass"
		case !o.caught:
			verdict = "MISSED"
		case len(o.others) > 0:
			verdict = "FALSE ALARM"
		case len(o.unproven) > 0:
			verdict = "caught*"
		}
		evidence := o.evidence
		if o.err != nil {
			evidence = o.err.Error()
		}
		if len(evidence) > 110 {
			evidence = evidence[:110] + "..."
		}
		if len(o.unproven) > 0 {
			evidence = "*not repeated in a second run: " + strings.Join(o.unproven, "; ") + "; " + evidence
		}
		if seed := virtual.ParseSeed(o.faults); seed != 0 {
			evidence = fmt.Sprintf("[seed %d] %s", seed, evidence)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.name, expect, families(o.failed), verdict, evidence)
	}
	tw.Flush()
}

package hil

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/target/bench"
)

// The make variables that reach the suite, for -picohil.check: make runs
// the suite with it before ginkgo starts (run-suite in the Makefile).
// They are strings here, so a bad value is one line of ours and not the
// flag package's usage.
var (
	checkOnly = flag.Bool("picohil.check", false,
		"check the bench settings and the make variables below, open nothing, run no spec: one line per mistake, exit status 2")
	makeFocus  = flag.String("picohil.focus", "", "make's FOCUS: a regular expression over spec names")
	makeLabels = flag.String("picohil.labels", "", "make's LABELS: a Ginkgo label filter")
	makeSeed   = flag.String("picohil.seed", "", "make's SEED: the spec order's seed")
	makeProcs  = flag.String("picohil.procs", "", "make's PROCS: how many benches run at once")
)

// Main is a suite's TestMain: with -picohil.check (make runs the suite
// with it before ginkgo starts) it checks the bench, the suite's own
// settings (Suite.Check), the run's, and the make variables, opens
// nothing and runs no spec, exiting 2 on a bad one; else it runs the
// tests.
func Main(m *testing.M, s Suite) {
	flag.Parse()
	if *checkOnly {
		suite = s
		os.Exit(check(s))
	}
	os.Exit(m.Run())
}

// check validates everything a run is made from, as RunSpecs and ginkgo
// would take it, and stops a bad run there: one line per mistake, the
// reports saying why, exit status cli.ExitUsage. Nothing opens.
func check(s Suite) int {
	procs, err := makeProcsN()
	errs := []error{err}
	c, first := bench.Load(os.Getenv, 1)
	cfg, cfgErr = c, first
	errs = append(errs, first)
	if s.Check != nil {
		errs = append(errs, s.Check(first))
	}
	if _, last := bench.Load(os.Getenv, procs); procs > 1 && last != nil && (first == nil || last.Error() != first.Error()) {
		errs = append(errs, last)
	}
	errs = append(errs, runSettings(), checkSeed(*makeSeed), checkFocus(*makeFocus), checkLabels(*makeLabels))
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(os.Stderr, "picohil: the run stops before any spec:\n%v\n", err)
		writeStopped(err)
		return cli.ExitUsage
	}
	return 0
}

// runSettings checks the settings of the run besides the bench: where
// its reports and its tape go, and its lease's.
func runSettings() error {
	errs := []error{leaseSettings()}
	for _, v := range []struct{ name, hint string }{
		{"HIL_OUT", "the directory the reports go to, such as out/hil"},
		{"HIL_RECORD", "the file the tape goes to, such as out/hil/tape.jsonl (make hil RECORD=1)"},
	} {
		path := os.Getenv(v.name)
		if path == "" {
			continue
		}
		fi, err := os.Stat(path)
		switch {
		case err == nil && v.name == "HIL_OUT" && !fi.IsDir():
			errs = append(errs, makeError(v.name, path, "not a directory", v.hint))
			continue
		case err == nil && v.name == "HIL_RECORD" && fi.IsDir():
			errs = append(errs, makeError(v.name, path, "is a directory", v.hint))
			continue
		}
		for up := filepath.Dir(path); ; up = filepath.Dir(up) {
			if fi, err := os.Stat(up); err == nil {
				if !fi.IsDir() {
					errs = append(errs, makeError(v.name, path, up+" is not a directory", v.hint))
				}
				break
			}
			if up == filepath.Dir(up) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// makeError is one bad make variable or run setting.
func makeError(name, value, problem, hint string) error {
	return fmt.Errorf("picohil: %s=%q: %s (hint: %s)", name, value, problem, hint)
}

func makeProcsN() (int, error) {
	if *makeProcs == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(*makeProcs)
	if err != nil || n < 1 {
		return 1, makeError("PROCS", *makeProcs, "not a whole number of 1 or more",
			"PROCS=N runs N benches at once, one per entry of the bench profile's benches:")
	}
	return n, nil
}

func checkSeed(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); s != "" && (err != nil || n < 0) {
		return makeError("SEED", s, "not a whole number of 0 or more", "give a report.json's spec_seed, such as SEED=1")
	}
	return nil
}

func checkFocus(s string) error {
	if _, err := regexp.Compile(s); err != nil {
		return makeError("FOCUS", s, "not a regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "),
			`FOCUS is a Go regular expression over spec names, such as FOCUS='single bytes|BAUD'; quote a metacharacter with \`)
	}
	return nil
}

// filterWords splits a label filter into its label names, leaving out
// operators, regular expressions (/.../) and set queries (key: ...).
var filterWords = regexp.MustCompile(`/[^/]*/|[^\s&|!(),/]+`)

func checkLabels(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	hint := "the labels are " + strings.Join(Labels(), ", ") + "; combine them with &&, ||, ! and parentheses, such as LABELS='echo && !timing'"
	if _, err := types.ParseLabelFilter(s); err != nil {
		msg := err.Error()
		if ge, ok := errors.AsType[types.GinkgoError](err); ok {
			msg = ge.Message
		}
		return makeError("LABELS", s, "not a label filter: "+strings.Join(strings.Fields(msg), " "), hint)
	}
	if strings.Contains(s, ":") {
		return nil // a set query names keys, not labels
	}
	for _, w := range filterWords.FindAllString(s, -1) {
		if !strings.HasPrefix(w, "/") && !slices.Contains(Labels(), w) {
			return makeError("LABELS", s, fmt.Sprintf("no spec has the label %q", w), hint)
		}
	}
	return nil
}

// selectedNone says why a run whose filters select no spec fails, naming
// the filters and what they could have matched; "" when specs were
// selected.
func selectedNone(r ginkgo.Report) string {
	if r.PreRunStats.SpecsThatWillRun > 0 {
		return ""
	}
	c := r.SuiteConfig
	var filters, names []string
	for _, f := range []struct {
		name   string
		values []string
	}{{"focus", c.FocusStrings}, {"skip", c.SkipStrings}, {"focus-file", c.FocusFiles}, {"skip-file", c.SkipFiles}, {"label-filter", []string{c.LabelFilter}}} {
		for _, v := range f.values {
			if v != "" {
				filters = append(filters, fmt.Sprintf("--%s %q", f.name, v))
			}
		}
	}
	for _, s := range r.SpecReports {
		if s.LeafNodeType == types.NodeTypeIt {
			names = append(names, s.FullText())
		}
	}
	return fmt.Sprintf("the filters select none of the %d specs: %s (hint: FOCUS matches spec names, LABELS the labels %s; the specs are: %s)",
		r.PreRunStats.TotalSpecs, cmp.Or(strings.Join(filters, " "), "none given"), strings.Join(Labels(), ", "), strings.Join(names, "; "))
}

package hil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/target/bench"
)

// Suite is how a suite names itself, is run again, and what it checks
// before any spec.
type Suite struct {
	// Name is the suite's description in Ginkgo's output.
	Name string
	// Command runs the suite, such as "make hil": a failure's rerun line
	// is the bench's environment, Command, then SEED=<n> and
	// FOCUS='<spec>' as make variables (Rerun).
	Command string
	// Check, where given, is told why this process's bench could not be
	// loaded (nil when it could: Config is then the bench), and returns
	// the suite's own settings that stop the run, joined: each is a line
	// of the refusal. It runs before the spec tree is built.
	Check func(loadErr error) error
}

// The run's state: the suite, the bench for this process and why it
// could not be loaded.
var (
	suite       = Suite{Name: "picohil suite", Command: "make hil"}
	cfg, cfgErr = bench.Load(os.Getenv, 1)
)

// Config is this process's bench: the one bench.Load gives for Ginkgo
// process 1 while the spec tree is built (decorators read it at init),
// and this process's own once RunSpecs runs. Every process builds the
// same spec list: bench.Load refuses benches that differ in the settings
// the spec tree is made from.
func Config() bench.Config { return cfg }

// RunSpecs runs the suite's specs on this process's bench. A bench that
// cannot be loaded, or a setting Suite.Check or the run's own settings
// (HIL_OUT, HIL_RECORD, the lease's) refuse, stops the run before any
// spec: one line per mistake on stderr, and reports (writeStopped) that
// say why; so does a bench that cannot be leased (harness/farm/lease: a
// hardware bench, or any with HIL_STATE_DIR). It prints which target runs
// and why, and the spec order's seed. A run whose filters select no spec
// fails.
func RunSpecs(t *testing.T, s Suite) bool {
	t.Helper()
	ginkgo.GinkgoHelper()
	suite = s
	cfg, cfgErr = bench.Load(os.Getenv, ginkgo.GinkgoParallelProcess())
	err := cfgErr
	if s.Check != nil {
		err = errors.Join(err, s.Check(cfgErr))
	}
	if err = errors.Join(err, runSettings()); err != nil {
		// Nothing opens: one line per mistake, and a report that says why.
		fmt.Fprintf(os.Stderr, "picohil: the run stops before any spec:\n%v\n", err)
		writeStopped(err)
		t.FailNow()
	}
	release, err := takeBench(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "picohil: the run stops before any spec: %v\n", err)
		writeStopped(err)
		t.FailNow()
	}
	defer release()
	if cfg.BenchID != "" {
		fmt.Printf("picohil: process %d: bench %s\n", ginkgo.GinkgoParallelProcess(), cfg.BenchID)
	}
	fmt.Printf("picohil: target %s — %s\n", cfg.Target, cfg.Reason)
	if cfg.StandIn {
		fmt.Println(standInBanner)
	}
	fmt.Printf("picohil: spec order seed %d (%s runs this order again)\n", ginkgo.GinkgoRandomSeed(), strings.TrimSpace(suite.Command+seedArg(ginkgo.GinkgoRandomSeed())))
	sc, rc := ginkgo.GinkgoConfiguration()
	sc.FailOnEmpty = true
	return ginkgo.RunSpecs(t, s.Name, sc, rc)
}

// standInBanner is printed when the virtual Pico stands in for hardware
// because nothing named any.
const standInBanner = "picohil: *** NO HARDWARE IS TESTED: the virtual Pico stands in, as nothing names a port or pin (set HIL_SERIAL, or a bench profile, to test a Pico) ***"

// seedArg is the make argument that runs the specs in the order of seed.
func seedArg(seed int64) string { return fmt.Sprintf(" SEED=%d", seed) }

// Rerun is the command that reruns the running spec alone, in this run's
// order, on this bench.
// A setup node's failure reruns the whole suite.
func Rerun() string {
	run := strings.TrimSpace(cfg.Reproduce() + " " + suite.Command + seedArg(ginkgo.GinkgoRandomSeed()))
	focus := regexp.QuoteMeta(ginkgo.CurrentSpecReport().LeafNodeText)
	if focus == "" {
		return run
	}
	return fmt.Sprintf("%s FOCUS='%s'", run, strings.ReplaceAll(focus, "'", `'\''`))
}

// labels are the names Label declared, in order.
var labels []string

// Label declares a label once, as a package-level variable of the suite,
// and returns it for decorating containers and specs. `make hil
// LABELS=...` filters by them; Labels lists them for the hints of a
// filter that names none.
func Label(name string) ginkgo.Labels {
	if !slices.Contains(labels, name) {
		labels = append(labels, name)
	}
	return ginkgo.Label(name)
}

// Labels lists the labels declared with Label.
func Labels() []string { return slices.Clone(labels) }

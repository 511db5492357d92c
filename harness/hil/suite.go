package hil

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/bench"
)

// Suite is how a suite names itself and is run again.
type Suite struct {
	// Name is the suite's description in Ginkgo's output.
	Name string
	// Command runs the suite, such as "make hil": a failure's rerun line
	// is the bench's environment, Command, then SEED=<n> and
	// FOCUS='<spec>' as make variables (Rerun).
	Command string
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
// cannot be loaded stops the run before any spec: one line per mistake on
// stderr, and reports (WriteStopped) that say why. A run whose filters
// select no spec fails.
func RunSpecs(t *testing.T, s Suite) bool {
	t.Helper()
	ginkgo.GinkgoHelper()
	suite = s
	cfg, cfgErr = bench.Load(os.Getenv, ginkgo.GinkgoParallelProcess())
	if cfgErr != nil {
		fmt.Fprintf(os.Stderr, "picohil: the run stops before any spec:\n%v\n", cfgErr)
		WriteStopped(cfgErr)
		t.FailNow()
	}
	fmt.Printf("picohil: target %s — %s\n", cfg.Target, cfg.Reason)
	fmt.Printf("picohil: spec order seed %d (%s runs this order again)\n", ginkgo.GinkgoRandomSeed(), strings.TrimSpace(suite.Command+SeedArg(ginkgo.GinkgoRandomSeed())))
	sc, rc := ginkgo.GinkgoConfiguration()
	sc.FailOnEmpty = true
	return ginkgo.RunSpecs(t, s.Name, sc, rc)
}

// SeedArg is the make argument that runs the specs in the order of seed.
func SeedArg(seed int64) string { return fmt.Sprintf(" SEED=%d", seed) }

// Rerun is the command that reruns the running spec alone, in this run's
// order, on this bench.
func Rerun() string {
	focus := regexp.QuoteMeta(ginkgo.CurrentSpecReport().LeafNodeText)
	return fmt.Sprintf("%s %s%s FOCUS='%s'", cfg.Reproduce(), suite.Command, SeedArg(ginkgo.GinkgoRandomSeed()), strings.ReplaceAll(focus, "'", `'\''`))
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

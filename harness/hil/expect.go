package hil

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/picohil/picohil/harness/measure/stats"
)

// Record attaches a measurement to the running spec: it lands in
// report.json, report.html and junit.xml, and `hil gate` compares it with
// the baseline's. A measurement without a name or a unit, with a value
// that is not a finite number, or with a gate rule that names no
// direction, fails the spec: it could not be compared, and JSON has no
// NaN to write it into report.json with.
func Record(m stats.Measurement) stats.Measurement {
	ginkgo.GinkgoHelper()
	if err := valid(m); err != nil {
		ginkgo.Fail(Explain("a measurement with a name, a unit and, where it is gated, a rule", err.Error(), "the stats.Measure call of the spec"))
	}
	ginkgo.AddReportEntry(m.Name, m)
	recordVerdict(m)
	return m
}

func valid(m stats.Measurement) error {
	switch {
	case m.Name == "" || m.Unit == "":
		return fmt.Errorf("hil: measurement %q in unit %q: a name and a unit are needed", m.Name, m.Unit)
	case !finite(m.Value) || slices.ContainsFunc(m.Series, func(v float64) bool { return !finite(v) }):
		return fmt.Errorf("hil: measurement %s: value %v or a sample is not a finite number (hint: it was computed from no samples, or divided by zero)", m.Name, m.Value)
	case m.Gate != nil && m.Gate.Worse != stats.Higher && m.Gate.Worse != stats.Lower:
		return fmt.Errorf("hil: measurement %s: gate rule worse=%q (hint: stats.Higher or stats.Lower)", m.Name, m.Gate.Worse)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Keep attaches a timeline to the running spec for the reports only: the
// samples behind a measurement, drawn in report.html.
func Keep(t stats.Trace) {
	ginkgo.AddReportEntry(t.Name, t, ginkgo.ReportEntryVisibilityNever)
}

// ExpectWithin fails the running spec unless m is within its limits,
// saying what was seen besides m and what to check.
func ExpectWithin(m stats.Measurement, seen, check string) {
	ginkgo.GinkgoHelper()
	if !m.Pass {
		ginkgo.Fail(Explain(fmt.Sprintf("%s within %s %s", m.Name, m.Limits, m.Unit), m.String()+"\n"+seen, check))
	}
}

// ExpectNoError fails the running spec if err is not nil, noting the
// bench's cause where err is known to be the bench's (noteBenchCause).
func ExpectNoError(err error, expected, check string) {
	ginkgo.GinkgoHelper()
	if err != nil {
		noteBenchCause(err)
		ginkgo.Fail(Explain(expected, err.Error(), check))
	}
}

// Explain is a failure's message: what was expected, what was seen (a hex
// dump, an edge timeline), what to check on the bench, and the command
// that reruns the spec.
func Explain(expected, seen, check string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected: %s\nseen:     %s\n", expected, strings.TrimRight(seen, "\n"))
	if check != "" {
		fmt.Fprintf(&b, "check:    %s\n", check)
	}
	fmt.Fprintf(&b, "rerun:    %s", Rerun())
	return b.String()
}

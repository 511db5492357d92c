// Package hil is picohil's public core: what a Ginkgo suite imports to
// test firmware on a bench, or on a stand-in for one, the way the bundled
// suite (specs/) does. A team's suite lives in its own Go module and checks
// what its firmware does beyond echo and blink; specs/example is one.
//
// What a suite gets:
//
//   - The run: RunSpecs loads the bench from the profile and the HIL_*
//     environment (harness/target/bench) for this Ginkgo process, stops a bad
//     setting before any spec with one line and a report that says why,
//     and prints which target runs and why. Config is that bench.
//   - The rig: Rig.Open brings up the target the bench names (any
//     registered with harness/target, the fixtures a suite links with a
//     blank import included), then the data link, the control client and
//     the LED input. Rig.Close lets go of what it opened; register it with
//     DeferCleanup before Open, so that a step that fails leaves nothing
//     held. Options add a preflight, a tap on the control line, or let a
//     firmware that does not speak the protocol run.
//   - Measurements: Record puts a stats.Measurement (a name, a unit,
//     limits, samples) on the running spec. WriteReports, called from
//     ReportAfterSuite, writes report.json, report.html and junit.xml with
//     them, and `hil gate` compares them with a baseline's: by its
//     built-in rules for the bundled names (harness/measure/stats), by the rule a
//     measurement declares (stats.Gate) for a suite's own.
//   - Failures: ExpectWithin and ExpectNoError fail a spec with what was
//     expected, what was seen, what to check on the bench, and the command
//     that reruns the spec (Explain).
//   - Conventions: labels declared once (Label, Labels), and named
//     deadlines derived from the bench (Timeouts), never literals in specs.
//
// What stays internal: the bundled suite's verdicts (harness/measure/verdict), its
// preflight, tape and farm handling, and the fixtures, which a suite links
// only to offer them as targets.
//
// The environment the package reads is harness/target/bench's (HIL_TARGET,
// HIL_SERIAL, HIL_CONTROL, HIL_LED_PIN, HIL_BENCH, ...), and HIL_OUT, the
// directory the reports go to (default out/hil at the module root).
package hil

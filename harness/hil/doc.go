// Package hil is picohil's public core: what a Ginkgo suite imports to
// test firmware on a bench, or on a stand-in for one. The bundled suite
// (specs/) is one user of it and imports nothing else of picohil but the
// measurement packages (harness/measure/..., harness/gpio/edge),
// harness/scenario and, blank, the fixtures it offers; a team's suite in
// its own Go module does the same (specs/example is one). A test
// (TestSuitesUseOnlyThePublicCore) keeps both to that.
//
// What a suite gets:
//
//   - The run: Main, the suite's TestMain, and RunSpecs load the bench
//     from the profile and the HIL_* environment (harness/target/bench)
//     for this Ginkgo process, stop a bad setting before any spec with one
//     line and a report that says why, lease a hardware bench for the run
//     (harness/farm/lease), and print which target runs and why. Config
//     is that bench; Target what the suite's deadlines need of it.
//   - The rig: Rig.Open brings up the target the bench names (any
//     registered with harness/target, the fixtures a suite links with a
//     blank import included), checks it (Options.Preflight, with a power
//     cycle and a second try where the bench has a switch), then opens the
//     data link, the control client and the LED input. Rig.Close lets go
//     of what it opened; register it with DeferCleanup before Open, so
//     that a step that fails leaves nothing held. Rig.Reset, PowerCycle
//     and ExpectServing restart the Pico and check it came back;
//     Rig.Scenario is the rig as a scenario file's steps see it, for
//     scenario.Run and ExpectScenario.
//   - Evidence: every byte and line the rig carries is recorded; a spec's
//     report holds its control-channel lines and, when it fails, the data
//     bytes about the failure. HIL_RECORD=<path> writes the run's tape
//     (harness/report/tape) for `hil replay`.
//   - Measurements: Record puts a stats.Measurement (a name, a unit,
//     limits, samples) on the running spec; Keep a timeline. After the
//     suite, hil writes report.json, report.html and junit.xml to OutDir
//     with them, and `hil gate` compares them with a baseline's: by its
//     built-in rules for the bundled names (harness/measure/stats), by the
//     rule a measurement declares (stats.Gate) for a suite's own.
//     NoteClock, NoteHostLate and ExpectConclusive say whose clock timed
//     a spec and when the host was too late to judge it.
//   - Failures: ExpectWithin and ExpectNoError fail a spec with what was
//     expected, what was seen, what to check on the bench, and the command
//     that reruns the spec (Explain). A failure while a bench's port is
//     gone, or in its preflight, is blamed on the bench in the reports.
//   - Conventions: labels declared once (Label, Labels; a spec labelled
//     "control" skips where the firmware never spoke the protocol), and
//     named deadlines derived from the bench (Timeouts), never literals in
//     specs.
//
// Importing hil adds its nodes to the suite's tree: before and after each
// spec (the evidence, a dead device, a gone port) and after the suite (the
// reports). A suite adds only its BeforeSuite, which opens the rig.
//
// What stays internal, used by hil on the suite's behalf: the bench and
// its loader, preflight, lease, health, power, blame, the tape and the
// report writers, reset, port discovery. The fixtures stay outside it:
// a suite links only those it offers as targets.
//
// The environment the package reads is harness/target/bench's (HIL_TARGET,
// HIL_SERIAL, HIL_CONTROL, HIL_LED_PIN, HIL_BENCH, ...), HIL_OUT, the
// directory the reports go to (default out/hil at the module root),
// HIL_RECORD, the tape's path, and the lease's (HIL_STATE_DIR,
// HIL_LEASE_WAIT).
package hil

// Command selftest is the project's check of its own suite: it runs the
// compiled suite on injected faults and broken firmware and expects each to
// be caught, repeats it to find flaky specs, fuzzes the parsers, and
// summarises the harness's benchmarks.
//
//	go run ./specs/cmd/selftest faults --suite out/bin/specs.test [--out out/faults] [--only a,b]
//	go run ./specs/cmd/selftest faults --target micropython --firmware firmware/main.py --suite out/bin/specs.test
//	go run ./specs/cmd/selftest stress --suite out/bin/specs.test [--runs 20] [--busy N] [--out out/stress]
//	go run ./specs/cmd/selftest fuzz [--time 10s] [--parallel 1] [--out out/fuzz] ./harness/report:FuzzRead ...
//	go run ./specs/cmd/selftest dist [--out out/dist] [--platforms linux/arm64,linux/arm/7]
//	go run ./specs/cmd/selftest gate-check --suite out/bin/specs.test --hil out/bin/hil [--out out/gate-check]
//	go run ./specs/cmd/selftest false-blocks --suite out/bin/specs.test [--pairs 20] [--out out/false-blocks] [--rejudge]
//	go run ./specs/cmd/selftest perf-summary --suite out/bin/specs.test [--input out/perf/perf.txt] [--out out/perf] [--scale 1,2,4,8] [--count 6 ./harness/measure/echo:RTTFloor:5000x ...]
//
// faults runs the suite on the virtual Pico once clean and once per injected
// fault (or, with --target micropython, once per broken variant of the
// firmware), prints which specs each made fail, and exits non-zero when the
// clean run failed or a fault went undetected.
package main

import "github.com/picohil/picohil/harness/cli"

var verbs = []cli.Verb{
	{Name: "faults", Summary: "run the suite clean and once per injected fault; fail if a fault goes undetected", Run: runFaults},
	{Name: "stress", Summary: "run the suite --runs times in a row; fail if any run failed", Run: runStress},
	{Name: "fuzz", Summary: "run package:FuzzName targets for --time each; a coordinator deadline race (Go issue 75804) is reported, not counted", Run: runFuzz},
	{Name: "dist", Summary: "build the release files: hil and the compiled suite per platform, the example profile, SHA256SUMS", Run: runDist},
	{Name: "gate-check", Summary: "run clean and faulted suites and a micropython run; each must get its stated gate verdict", Run: runGateCheck},
	{Name: "false-blocks", Summary: "gate --pairs pairs of clean virtual runs; every block is a false one", Run: runFalseBlocks},
	{Name: "perf-summary", Summary: "run the benchmarks given (or read their output), summarise them, run the scale and cost runs, write out/perf/perf.json", Run: runPerfSummary},
}

func main() { cli.Main("selftest", "go run ./specs/cmd/selftest", verbs) }

// Command hil is picohil's command-line tool.
//
//	hil deploy [--port /dev/ttyACM0] [--file firmware/main.py] [--expect-version X]
//	hil flash --uf2 micropython.uf2 [--port /dev/ttyACM0] [--mount /media/pi/RPI-RP2]
//	hil gate --baseline firmware/baselines/1.0.0.json [--baseline ...] [--current out/hil/report.json] [--html out/hil/gate.html] [--allow-unlike] [thresholds]
//	hil baseline [--from out/hil/report.json] --out firmware/baselines/1.0.0.json [--fixture]
//	hil detect
//	hil soak [--duration 10m] [--window 1m] [--out out/soak]
//	hil power off|on|cycle [--off 2s]
//	hil health
//	hil verdict [--report out/hil/report.json]
//	hil matrix healthy --benches JSON [--jobs FILE] [--output FILE]
//	hil matrix retry --benches JSON --verdicts DIR [--output FILE]
//	hil replay out/hil/tape.jsonl
//
// These are the bench owner's verbs: deploy and flash put firmware and
// MicroPython on a Pico (see firmware/README.md), gate and baseline judge a
// run against a firmware's baseline: gate exits 1 on a regression and 2 when
// the runs are unlike (another target, bench, firmware, settings). Every
// verb exits 2 on a usage error — a bad flag, value or bench setting — on
// one line with a hint, before it opens anything. The project's own self-test runs
// (faults, firmware variants, perf summary) are in specs/cmd/selftest.
package main

import "github.com/picohil/picohil/harness/cli"

var verbs = []cli.Verb{
	{Name: "deploy", Summary: "write firmware/main.py to the Pico over the raw REPL, verify it, reset, check VERSION", Run: runDeploy},
	{Name: "flash", Summary: "install a MicroPython .uf2: bootloader over the port (or BOOTSEL), copy, wait for the port", Run: runFlash},
	{Name: "gate", Summary: "compare a report with its baselines, every family by its rule; exit 1 on a regression, 2 on unlike runs", Run: runGate},
	{Name: "baseline", Summary: "promote a passing report to a baseline (a fixture run only with --fixture)", Run: runBaseline},
	{Name: "detect", Summary: "list serial ports (USB VID:PID, serial number; Picos marked) and GPIO chips", Run: runDetect},
	{Name: "replay", Summary: "judge a tape (make hil RECORD=1) again offline with this harness's verdicts; exit 1 when one fails", Run: runReplay},
	{Name: "verdict", Summary: "whose failure a run is: exit 0 passed, 1 the firmware's, 3 the bench's (port gone, preflight, host late, power, lease, unhealthy)", Run: runVerdict},
	{Name: "matrix", Summary: "the hil workflow's benches: the healthy ones of its matrix, and where a bench failure is retried once", Run: runMatrix},
	{Name: "power", Summary: "off, on or cycle the Pico's USB power through the bench's power switch (uhubctl or the kernel's port attribute)", Run: runPower},
	{Name: "health", Summary: "preflight, a reset, one echo and blink; a failure marks the bench unhealthy (firmware runs refused), a pass clears it", Run: runHealth},
	{Name: "soak", Summary: "echo and blink continuously on the bench from the environment; totals and RTT drift per window", Run: soakCommand},
}

func main() { cli.Main("hil", "hil", verbs) }

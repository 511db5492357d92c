// Command hil is picohil's command-line tool.
//
//	hil deploy [--port /dev/ttyACM0] [--file firmware/main.py] [--expect-version X]
//	hil flash --uf2 micropython.uf2 [--port /dev/ttyACM0] [--mount /media/pi/RPI-RP2]
//	hil gate --baseline firmware/baselines/1.0.0.json [--baseline ...] [--current out/hil/report.json] [--html out/hil/gate.html] [--allow-unlike] [thresholds]
//	hil baseline [--from out/hil/report.json] --out firmware/baselines/1.0.0.json [--fixture]
//	hil detect
//	hil soak [--duration 10m] [--window 1m] [--out out/soak]
//
// These are the bench owner's verbs: deploy and flash put firmware and
// MicroPython on a Pico (see firmware/README.md), gate and baseline judge a
// run against a firmware's baseline: gate exits 1 on a regression and 2 when
// the runs are unlike (another target, bench, firmware, settings). The project's own self-test runs
// (faults, firmware variants, perf summary) are in specs/selftest.
package main

import (
	"errors"
	"fmt"
	"os"
)

const usage = `usage: hil <command> [flags]

commands:
  deploy   write firmware/main.py to the Pico over the raw REPL, verify it, reset, check VERSION
  flash    install a MicroPython .uf2: bootloader over the port (or BOOTSEL), copy, wait for the port
  gate     compare a report with its baselines, every family by its rule; exit 1 on a regression, 2 on unlike runs
  baseline promote a passing report to a baseline (a fixture run only with --fixture)
  detect   list serial ports (USB VID:PID, serial number; Picos marked) and GPIO chips
  soak     echo and blink continuously on the bench from the environment; totals and RTT drift per window`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "deploy":
		err = runDeploy(os.Args[2:], os.Stdout)
	case "flash":
		err = runFlash(os.Args[2:], os.Stdout)
	case "gate":
		err = runGate(os.Args[2:], os.Stdout)
	case "baseline":
		err = runBaseline(os.Args[2:], os.Stdout)
	case "detect":
		err = runDetect(os.Args[2:], os.Stdout)
	case "soak":
		err = soakCommand(os.Args[2:], os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "hil: unknown command %q\n%s\n", os.Args[1], usage)
		os.Exit(2)
	}
	var unlike *unlikeError
	switch {
	case errors.As(err, &unlike):
		fmt.Fprintln(os.Stderr, "hil:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "hil:", err)
		os.Exit(1)
	}
}

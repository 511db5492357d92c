// Package scenario runs automation scenarios in Wokwi CI's format against a
// Pico bench: the same YAML file that drives Wokwi's simulator drives a
// real Pico, a fixture, or an emulator, through the bench's data UART,
// control channel, LED input and RUN line.
//
// # The format
//
// A scenario is Wokwi's automation scenario, version 1, as documented at
// https://docs.wokwi.com/wokwi-ci/automation-scenarios and implemented by
// wokwi-cli (github.com/wokwi/wokwi-cli: src/TestScenario.ts validates the
// file, src/scenario/*Command.ts run the steps, src/utils/parseTime.ts
// reads durations, src/ExpectEngine.ts matches serial text):
//
//	name: 'Echo over the data UART'   # required, a string
//	version: 1                        # required, 1
//	author: 'picohil'                 # optional
//	steps:                            # required, a list
//	  - write-serial: "hello\n"
//	  - name: 'the echo comes back'   # a step may carry a name
//	    wait-serial: 'hello'
//
// Each step is a mapping with exactly one command and, as in Wokwi, an
// optional name. Durations take a unit, as Wokwi's parseTime: ns, us, ms or
// s ("500ms", "1.5s"); a bare 0 is allowed.
//
// # Steps on a Pico bench
//
// Wokwi's serial monitor is the data UART: a Pico diagram wires it to the
// UART the firmware uses (for the reference firmware UART1, GP4 and GP5).
// The board is the part "pico", as Wokwi names the Raspberry Pi Pico in a
// diagram; its only pin a bench reads is the LED ("LED", or "GP25", the
// onboard LED's GPIO, or "GP15", the firmware's mirror of it, which the
// bench wires to the Pi's LED input).
//
//	delay: 500ms                         waits that long
//	wait-serial: 'text'                  waits for a line of the data UART that contains text
//	write-serial: "text" | [72, 105]     writes text, or byte values 0..255, to the data UART
//	expect-pin:                          reads the LED now: value 0 or 1
//	  {part-id: pico, pin: LED, value: 1}
//	wait-pin:                            waits for the LED to read value (an edge to it counts)
//	  {part-id: pico, pin: LED, value: 0}
//	set-control:                         0 pulls the Pico's RUN pin low (held in reset),
//	  {part-id: pico, control: run, value: 0}   1 releases it (the Pico's pull-up restarts it)
//
// picohil adds one thing Wokwi's single serial monitor never needed, the
// control channel (the Pico's USB serial): the mapping form of
// wait-serial and write-serial takes a port, data (the default) or
// control, and wait-serial and wait-pin take a timeout:
//
//	write-serial: {port: control, value: "VERSION\n"}
//	wait-serial: {port: control, text: 'OK VERSION', timeout: 2s}
//	wait-pin: {part-id: pico, pin: LED, value: 1, timeout: 3s}
//
// A file that uses them runs only here. A wait-serial matches, as Wokwi's,
// a whole line (ended by "\n") that contains the text; it looks at what the
// port received since the previous wait-serial on that port matched, so a
// reply that comes during an earlier step is not lost. The control channel
// is read line by line.
//
// A step the bench cannot perform is refused when the file loads, one line
// naming the file, line, step number (from 1) and command, with a hint:
// take-screenshot (a bench has no display), a part other than the Pico or
// a pin other than its LED, a control other than run, and any command
// Wokwi does not have. A step the bench could perform but this bench lacks
// the line for (the control channel, the LED input, the RUN line) is found
// by Check before the scenario runs, so a suite can skip it saying why.
//
// # Running
//
// Run executes the steps in order against a Bench. Every step has a
// deadline: a delay its own length plus Options.Grace, a wait its timeout
// or Options.Wait, a write or a RUN change Options.Wait; Budget is the sum,
// for a spec's timeout. Run records both directions of every port and the
// LED's edges, with times since the scenario began, in a Log for the
// report, and fails on the first step that does not hold with a
// *StepError: the step, what was expected, and what was seen (the tail of
// the serial log as a hex dump, or the LED's edge timeline). RUN is
// released when the scenario ends, whatever happened.
package scenario

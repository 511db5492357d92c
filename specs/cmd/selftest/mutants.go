package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/picohil/picohil/harness/measure/stats"
)

// mutant is a broken variant of the real firmware: textual changes that
// reproduce a classic bug, or a whole foreign program. The micropython and
// rp2040 targets run each and the matching spec family must catch it.
type mutant struct {
	name, family string
	symptoms     []string
	edits        []edit
	program      string // replaces the firmware when set
	// emulated is true for a fault only an instruction-level RP2040 shows:
	// the micropython target models no CPU speed.
	emulated bool
}

type edit struct{ find, repl string }

// The fixed echo: wait for one byte, take what the ring holds.
const echoRead = "await self.uart_reader.readinto(first)\n                data = buf[: 1 + self.uart.readinto(rest, min(self.uart.any(), CHUNK - 1))]"

// seedProgram is the seed document's Pico program (section 6, "Example:
// Asynchronous UART on Raspberry Pi Pico"), verbatim but for the
// indentation the document's text lost.
const seedProgram = `import uasyncio as asyncio
from machine import UART, Pin

uart = UART(1, baudrate=115200, tx=Pin(4), rx=Pin(5))

async def read_uart():
    while True:
        if uart.any():
            data = uart.read().decode()
            print(f"Received: {data.strip()}")
        await asyncio.sleep(0.1)

async def blink_led():
    led = Pin(25, Pin.OUT)
    while True:
        led.toggle()
        await asyncio.sleep(1)

async def main():
    await asyncio.gather(read_uart(), blink_led())

asyncio.run(main())
`

var mutants = []mutant{
	{
		name: "polling-echo", family: "echo", symptoms: []string{stats.EchoRTT, stats.EchoPayloadPrefix},
		edits: []edit{{echoRead, "await asyncio.sleep_ms(100)\n                data = self.uart.read() or b''"}},
	},
	{
		name: "text-echo", family: "echo", symptoms: []string{"differs", "short answer"},
		edits: []edit{{"await self.send(data)", "await self.send(bytes(data).decode().strip().encode())"}},
	},
	{
		name: "print-echo", family: "echo", symptoms: []string{"short answer", "0 of"},
		edits: []edit{{"await self.send(data)", "print(bytes(data))"}},
	},
	{
		name: "blocking-echo", family: "blink", symptoms: []string{stats.BlinkLoad},
		edits: []edit{{"                self.rx += len(data)\n", "                self.rx += len(data)\n                time.sleep_ms(40)\n"}},
	},
	{
		name: "wrong-baud", family: "baud", symptoms: []string{stats.BaudEffective},
		edits: []edit{{"baudrate=DEFAULT_BAUD,", "baudrate=DEFAULT_BAUD * 106 // 100,"}},
	},
	{
		name: "long-blink", family: "blink", symptoms: []string{stats.HalfPeriod},
		edits: []edit{{"deadline = time.ticks_add(toggled_at, self.half_period_ms)", "deadline = time.ticks_add(toggled_at, self.half_period_ms * 103 // 100)"}},
	},
	// The seed's own program: it prints what it reads instead of echoing
	// and blinks Pin(25) only, so nothing comes back on the data line; and
	// as on a Pico, uart.read().decode() ends it at the first byte that is
	// not UTF-8 (the preflight's 0xA5) with a UnicodeError.
	{name: "seed", family: "echo", symptoms: []string{"short answer", "0 of", "UnicodeError"}, program: seedProgram},
	// UART.read(256) returns after 256 characters or timeout_char of
	// quiet: the echo trails a stream by up to 256 character times.
	{
		name: "store-and-forward", family: "echo", symptoms: []string{stats.EchoPayloadPrefix},
		edits: []edit{{echoRead, "data = await self.uart_reader.read(CHUNK)"}},
	},
	// Polls every 5 ms with the default 256-byte rxbuf: lossless at 115200,
	// but at 921600 more than the ring and FIFO hold arrive between polls.
	{
		name: "rx-overflow", family: "baud", symptoms: []string{"bytes back to back"},
		edits: []edit{
			{echoRead, "await asyncio.sleep_ms(5)\n                data = self.uart.read(self.uart.any()) or b''"},
			{"            rxbuf=UART_BUFFER,\n", ""},
			{"self.uart.init(baudrate=rate, txbuf=UART_BUFFER, rxbuf=UART_BUFFER)", "self.uart.init(baudrate=rate, txbuf=UART_BUFFER)"},
		},
	},
	// An echo path whose Python costs about 30 ms on a 125 MHz RP2040 per
	// chunk: every one-byte round trip trails by that much.
	{
		name: "costly-echo", family: "echo", symptoms: []string{stats.EchoRTT, stats.EchoPayloadPrefix}, emulated: true,
		edits: []edit{{"                self.rx += len(data)\n", "                self.rx += len(data)\n                for _ in range(COSTLY_LOOPS):\n                    pass\n"},
			{"CHUNK = 256\n", "CHUNK = 256\nCOSTLY_LOOPS = 9600\n"}},
	},
	// Polls every 5 ms, relying on the 1024-byte rxbuf it asked for, but
	// re-initialises at BAUD without rxbuf/txbuf, so the buffers fall back
	// to 256 bytes (rp2 up to v1.24.1) and the sweep's fast rates overflow
	// them. The same echo keeping its buffers passes the sweep.
	{
		name: "lost-buffers", family: "baud", symptoms: []string{"bytes back to back"},
		edits: []edit{
			{echoRead, "await asyncio.sleep_ms(5)\n                data = self.uart.read(self.uart.any()) or b''"},
			{"self.uart.init(baudrate=rate, txbuf=UART_BUFFER, rxbuf=UART_BUFFER)", "self.uart.init(baudrate=rate)"},
		},
	},
}

// mutantProbes writes each variant of firmware under out and returns the
// runs of target that use them; the variants only an emulated RP2040 shows
// run on rp2040 alone.
func mutantProbes(target, firmware, out, only string) ([]probe, error) {
	src, err := os.ReadFile(firmware)
	if err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	want := map[string]bool{}
	for name := range strings.SplitSeq(only, ",") {
		if name = strings.TrimSpace(name); name != "" {
			want[name] = true
		}
	}
	unknown := maps.Clone(want)
	var probes []probe
	for _, m := range mutants {
		if len(want) > 0 && !want[m.name] {
			continue
		}
		delete(unknown, m.name)
		if m.emulated && target != "rp2040" {
			if want[m.name] {
				return nil, fmt.Errorf("faults: variant %s shows only on the rp2040 target (its cost is CPU time, which %s does not model)", m.name, target)
			}
			continue
		}
		variant := m.program
		if variant == "" {
			variant = string(src)
			for _, e := range m.edits {
				if !strings.Contains(variant, e.find) {
					return nil, fmt.Errorf("faults: variant %s: %q not found in %s (hint: the firmware changed; update specs/cmd/selftest/mutants.go)", m.name, e.find, firmware)
				}
				variant = strings.Replace(variant, e.find, e.repl, 1)
			}
		}
		dir, err := filepath.Abs(filepath.Join(out, m.name))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "main.py")
		if err := os.WriteFile(path, []byte(variant), 0o644); err != nil {
			return nil, err
		}
		probes = append(probes, probe{name: m.name, families: []string{m.family}, symptoms: m.symptoms,
			env: []string{"HIL_TARGET=" + target, "HIL_FIRMWARE=" + path}})
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("faults: unknown firmware variant %s (hint: the variants are %s)", strings.Join(slices.Sorted(maps.Keys(unknown)), ", "), mutantNames())
	}
	return probes, nil
}

func mutantNames() string {
	names := make([]string, len(mutants))
	for i, m := range mutants {
		names[i] = m.name
	}
	return strings.Join(names, ", ")
}

package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// mutant is a broken variant of the real firmware: one textual change that
// reproduces a classic bug. The micropython target runs each and the
// matching spec family must catch it.
type mutant struct {
	name, family string
	symptoms     []string
	find, repl   string
}

var mutants = []mutant{
	{
		name: "polling-echo", family: "echo", symptoms: []string{"echo.rtt.1B", "echo.payload"},
		find: "data = await self.uart_reader.read(CHUNK)",
		repl: "await asyncio.sleep_ms(100)\n                data = self.uart.read()",
	},
	{
		name: "text-echo", family: "echo", symptoms: []string{"differs", "short answer"},
		find: "await self.send(data)",
		repl: "await self.send(data.decode().strip().encode())",
	},
	{
		name: "print-echo", family: "echo", symptoms: []string{"short answer", "0 of"},
		find: "await self.send(data)",
		repl: "print(data)",
	},
	{
		name: "blocking-echo", family: "blink", symptoms: []string{"blink.load"},
		find: "                    self.rx += len(data)\n",
		repl: "                    self.rx += len(data)\n                    time.sleep_ms(40)\n",
	},
	{
		name: "wrong-baud", family: "baud", symptoms: []string{"baud.effective"},
		find: "baudrate=DEFAULT_BAUD,",
		repl: "baudrate=DEFAULT_BAUD * 106 // 100,",
	},
	{
		name: "long-blink", family: "blink", symptoms: []string{"half_period"},
		find: "deadline = time.ticks_add(toggled_at, self.half_period_ms)",
		repl: "deadline = time.ticks_add(toggled_at, self.half_period_ms * 103 // 100)",
	},
}

// mutantProbes writes each variant of firmware under out and returns the
// runs that use them.
func mutantProbes(firmware, out, only string) ([]probe, error) {
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
	var probes []probe
	for _, m := range mutants {
		if len(want) > 0 && !want[m.name] {
			continue
		}
		delete(want, m.name)
		if !strings.Contains(string(src), m.find) {
			return nil, fmt.Errorf("faults: variant %s: %q not found in %s (hint: the firmware changed; update specs/selftest/mutants.go)", m.name, m.find, firmware)
		}
		dir, err := filepath.Abs(filepath.Join(out, m.name))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "main.py")
		if err := os.WriteFile(path, []byte(strings.Replace(string(src), m.find, m.repl, 1)), 0o644); err != nil {
			return nil, err
		}
		probes = append(probes, probe{name: m.name, families: []string{m.family}, symptoms: m.symptoms,
			env: []string{"HIL_TARGET=micropython", "HIL_FIRMWARE=" + path}})
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("faults: unknown firmware variant %s (hint: the variants are %s)", strings.Join(slices.Sorted(maps.Keys(want)), ", "), mutantNames())
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

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/serial/discover"
)

// runDetect lists serial ports and GPIO chips, the things a bench is made of.
func runDetect(args []string, w io.Writer) error {
	if err := cli.Parse(flag.NewFlagSet("detect", flag.ContinueOnError), args, w); err != nil {
		return err
	}
	ports, err := discover.Everything()
	if err != nil {
		return fmt.Errorf("detect: serial ports: %w", err)
	}
	fmt.Fprintln(w, "serial ports:")
	if len(ports) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, p := range ports {
		fmt.Fprintln(w, "  "+discover.Describe(p))
	}
	chips, err := gpioChips("/dev", "/sys")
	if err != nil {
		return fmt.Errorf("detect: gpio chips: %w", err)
	}
	fmt.Fprintln(w, "gpio chips:")
	if len(chips) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, c := range chips {
		fmt.Fprintln(w, "  "+c)
	}
	return nil
}

// gpioChips lists dev/gpiochip* with their labels from sys.
func gpioChips(dev, sys string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dev, "gpiochip*"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		name := filepath.Base(p)
		label := "(no label)"
		for _, l := range []string{filepath.Join(sys, "bus/gpio/devices", name, "label"), filepath.Join(sys, "class/gpio", name, "label")} {
			if b, err := os.ReadFile(l); err == nil {
				label = strings.TrimSpace(string(b))
				break
			}
		}
		out = append(out, fmt.Sprintf("%s  %s", p, label))
	}
	return out, nil
}

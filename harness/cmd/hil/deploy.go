package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/picohil/picohil/fixtures/micropython"
	"github.com/picohil/picohil/harness/control"
	"github.com/picohil/picohil/harness/deploy"
	"github.com/picohil/picohil/harness/link"
)

// deployTimeout bounds a whole deploy; each step has its own deadline too.
const deployTimeout = 2 * time.Minute

func runDeploy(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	port := fs.String("port", os.Getenv("HIL_CONTROL"), "the Pico's USB serial port (default $HIL_CONTROL)")
	file := fs.String("file", "firmware/main.py", "firmware to deploy; it runs at boot as main.py")
	expect := fs.String("expect-version", "", `version VERSION must report (default: VERSION = "x.y.z" in the file)`)
	sim := fs.Bool("micropython", false, "deploy to MicroPython-WebAssembly's REPL instead of a Pico (no hardware: proves the deploy path)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), deployTimeout)
	defer cancel()
	if *sim {
		d, err := micropython.StartREPL(ctx, micropython.Config{})
		if err != nil {
			return err
		}
		defer d.Close()
		*port = d.ControlPort()
	}
	if *port == "" {
		return errors.New("deploy: --port is required (hint: ls /dev/serial/by-id /dev/ttyACM*)")
	}
	src, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	l, err := link.Open(*port, control.PortBaud)
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Fprintf(w, "deploy: writing %s (%s) to %s as main.py\n", filepath.Base(*file), deploy.SumOf(src), *port)
	v, err := deploy.Deploy(ctx, l, deploy.Firmware{Source: src, Version: *expect})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "deploy: verified; after a soft reset the device answers VERSION: %s\n", v)
	return nil
}

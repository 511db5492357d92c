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
	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target/bench"
	"github.com/picohil/picohil/harness/target/deploy"
)

// deployTimeout bounds a whole deploy; each step has its own deadline too.
const deployTimeout = 2 * time.Minute

func runDeploy(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	port := fs.String("port", os.Getenv("HIL_CONTROL"), "the Pico's USB serial port (default $HIL_CONTROL)")
	file := fs.String("file", "firmware/main.py", "firmware to deploy; it runs at boot as main.py")
	expect := fs.String("expect-version", "", `version VERSION must report (default: VERSION = "x.y.z" in the file)`)
	sim := fs.Bool("micropython", false, "deploy to MicroPython-WebAssembly's REPL instead of a Pico (no hardware: proves the deploy path)")
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	if problem := bench.FirmwareProblem(*file); problem != "" {
		return cli.Usagef("deploy: --file %s: %s (hint: %s)", *file, problem, bench.FirmwareHint)
	}
	if *expect != "" && !bench.ValidVersion(*expect) {
		return cli.Usagef("deploy: --expect-version %q: not a semantic version (hint: the version VERSION reports, such as 1.2.0)", *expect)
	}
	switch {
	case *sim && given(fs, "port"):
		return cli.Usagef("deploy: --port %s and --micropython both given (hint: --micropython deploys to MicroPython-WebAssembly, which has its own port; keep one)", *port)
	case !*sim && *port == "":
		return cli.Usagef("deploy: --port is required (hint: the Pico's USB serial port, such as /dev/ttyACM0, or HIL_CONTROL; `hil detect` lists them)")
	case !*sim:
		from := "--port"
		if !given(fs, "port") {
			from = "HIL_CONTROL" // the flag's default
		}
		if err := checkPort("deploy", from, *port); err != nil {
			return err
		}
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

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// checkPort refuses, as a usage error, a port that cannot be a serial
// port, without opening it.
func checkPort(verb, flagName, port string) error {
	if le, ok := errors.AsType[*link.Error](link.Check(port)); ok {
		return cli.Usagef("%s: %s %s: %s (hint: %s)", verb, flagName, port, le.Problem(), le.Hint())
	}
	return nil
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target/deploy"
)

// flashTimeout bounds a whole flash, including the wait for a person to
// hold BOOTSEL and plug the board in.
const flashTimeout = 3 * time.Minute

func runFlash(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("flash", flag.ContinueOnError)
	port := fs.String("port", os.Getenv("HIL_CONTROL"), "the Pico's USB serial port, to reboot it into the bootloader and to wait for (default $HIL_CONTROL)")
	uf2 := fs.String("uf2", "", "the .uf2 image to flash (MicroPython for the Pico or Pico W)")
	mount := fs.String("mount", "", "where the RPI-RP2 drive is mounted (default: "+fmt.Sprint(deploy.DefaultMounts)+")")
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	if *uf2 == "" {
		return cli.Usagef("flash: --uf2 is required (hint: the MicroPython .uf2 for your board from the MicroPython download page, e.g. RPI_PICO-v1.24.1.uf2; see firmware/README.md)")
	}
	if _, err := deploy.ReadUF2(*uf2); err != nil {
		return &cli.UsageError{Err: err}
	}
	if fi, err := os.Stat(*mount); *mount != "" && (err != nil || !fi.IsDir()) {
		return cli.Usagef("flash: --mount %s: not a directory (hint: where the RPI-RP2 drive is mounted, such as /media/$USER/RPI-RP2; leave it out to look in %v)", *mount, deploy.DefaultMounts)
	}
	if given(fs, "port") {
		if err := checkPort("flash", "--port", *port); err != nil {
			return err
		}
	}
	var mounts []string
	if *mount != "" {
		mounts = []string{*mount}
	}
	ctx, cancel := context.WithTimeout(context.Background(), flashTimeout)
	defer cancel()
	if _, found := deploy.FindDrive(mounts); !found {
		if err := enterBootloader(ctx, w, *port); err != nil {
			return err
		}
	}
	drive, err := deploy.CopyUF2(ctx, *uf2, mounts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "flash: copied %s to %s; the Pico reboots into it\n", *uf2, drive)
	if *port == "" {
		return nil
	}
	if err := deploy.WaitForPort(ctx, *port); err != nil {
		return err
	}
	fmt.Fprintf(w, "flash: %s is back\n", *port)
	return nil
}

// enterBootloader reboots the Pico on port into BOOTSEL mode over the raw
// REPL, or asks for BOOTSEL by hand when there is no such port or the raw
// REPL does not answer. Only a port that fails to open is an error.
func enterBootloader(ctx context.Context, w io.Writer, port string) error {
	if _, err := os.Stat(port); port == "" || err != nil {
		fmt.Fprintln(w, "flash: no serial port: hold BOOTSEL while plugging the Pico in; waiting for the RPI-RP2 drive")
		return nil
	}
	l, err := link.Open(port, control.PortBaud)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := deploy.Bootloader(ctx, l); err != nil {
		fmt.Fprintf(w, "flash: %v\nflash: hold BOOTSEL while plugging the Pico in; waiting for the RPI-RP2 drive\n", err)
		return nil
	}
	fmt.Fprintf(w, "flash: rebooted the Pico on %s into its bootloader; waiting for the RPI-RP2 drive\n", port)
	return nil
}

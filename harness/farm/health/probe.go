package health

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/picohil/picohil/harness/serial/control"
	"github.com/picohil/picohil/harness/serial/discover"
	"github.com/picohil/picohil/harness/serial/link"
	"github.com/picohil/picohil/harness/target/bench"
)

// Answers is a question to the bench's Pico: its control port is found
// (by USB identity where the bench gives one, else by path) and opened,
// and VERSION must answer. It suits power.Recover after a power cycle,
// when the port re-enumerates.
func Answers(c bench.Config) (func(context.Context) error, error) {
	if c.Control == "" && c.ControlMatch.IsZero() {
		return nil, errors.New("health: the bench has no control channel to ask whether the Pico is back (hint: set control or control_usb_id in the bench profile)")
	}
	return func(ctx context.Context) error {
		path := c.Control
		if path == "" {
			p, err := discover.System.WaitFor(ctx, c.ControlMatch)
			if err != nil {
				return err
			}
			path = p
		} else if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("health: control port: %w", err)
		}
		l, err := link.Open(path, control.PortBaud)
		if err != nil {
			return err
		}
		defer l.Close()
		_, err = control.New(l).Version(ctx)
		return err
	}, nil
}

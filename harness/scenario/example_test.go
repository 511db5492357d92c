package scenario_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/picohil/picohil/harness/scenario"
)

func ExampleParse() {
	s, err := scenario.Parse("version.yaml", []byte(`
name: 'The firmware says its version'
version: 1
steps:
  - write-serial: {port: control, value: "VERSION\n"}
  - wait-serial: {port: control, text: 'OK VERSION picohil-fw'}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, st := range s.Steps {
		fmt.Printf("%d %s\n", st.Index, st)
	}
	_, err = scenario.Parse("screen.yaml", []byte("name: s\nversion: 1\nsteps:\n  - take-screenshot: {part-id: lcd1, save-to: lcd.png}\n"))
	fmt.Println(err)
	// Output:
	// 1 write-serial: {port: control, value: "VERSION\n"}
	// 2 wait-serial: {port: control, text: "OK VERSION picohil-fw"}
	// scenario: screen.yaml:4: step 1 (take-screenshot): a bench has no display to capture (hint: remove the step: a bench checks the serial lines and the LED)
}

// loopback is a data UART with TX wired to RX.
type loopback chan []byte

func (l loopback) WriteContext(ctx context.Context, p []byte) error {
	l <- append([]byte(nil), p...)
	return nil
}

func (l loopback) ReadSome(ctx context.Context, p []byte) (int, error) {
	select {
	case b := <-l:
		return copy(p, b), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func ExampleRun() {
	s, err := scenario.Parse("echo.yaml", []byte(`
name: 'Echo'
version: 1
steps:
  - write-serial: "ping\n"
  - wait-serial: 'pong'
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := scenario.Bench{Data: make(loopback, 8)}
	log, err := scenario.Run(ctx, s, b, scenario.Options{Wait: 100 * time.Millisecond})
	var se *scenario.StepError
	if errors.As(err, &se) {
		fmt.Println("failed at", se.Where())
		fmt.Println("expected", se.Expected)
	}
	fmt.Println(len(log.SerialTrace("scenario.serial").Rows), "bytes logged")
	// Output:
	// failed at echo.yaml:6: step 2: wait-serial: "pong"
	// expected a line containing "pong" on the data port
	// 10 bytes logged
}

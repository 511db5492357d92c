package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// runStress runs the suite --runs times in a row with the environment it
// was given and fails when any run failed; each run's reports and console
// log go to <out>/<i>.
func runStress(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("stress", flag.ContinueOnError)
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs)")
	out := fs.String("out", "out/stress", "directory for each run's reports; emptied first")
	runs := fs.Int("runs", 20, "how many runs in a row")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("stress: --runs %d: give at least one run", *runs)
	}
	bin, err := suitePath("stress", *suite)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*out); err != nil {
		return fmt.Errorf("stress: %w", err)
	}
	failed := 0
	for i := 1; i <= *runs; i++ {
		o := runOne(bin, *out, nil, probe{name: strconv.Itoa(i)})
		if o.err == nil && len(o.failed) == 0 {
			fmt.Fprintf(w, "stress: run %d/%d passed\n", i, *runs)
			continue
		}
		failed++
		fmt.Fprintf(w, "stress: run %d/%d FAILED (see %s)\n", i, *runs, filepath.Join(*out, o.name, "console.log"))
		if o.err != nil {
			fmt.Fprintf(w, "stress:   %v\n", o.err)
		}
		for _, s := range o.failed {
			fmt.Fprintf(w, "stress:   [%s] %s: %s\n", s.State, firstLine(s.Name), firstLine(s.Failure))
		}
	}
	fmt.Fprintf(w, "stress: %d of %d runs passed, %d failed\n", *runs-failed, *runs, failed)
	if failed > 0 {
		return fmt.Errorf("stress: %d of %d runs failed", failed, *runs)
	}
	return nil
}

// suitePath is the --suite flag of verb made absolute: the suite runs in
// its own directory, so a relative path must not be.
func suitePath(verb, suite string) (string, error) {
	if suite == "" {
		return "", fmt.Errorf("%s: --suite is required (hint: go test -c -o out/bin/specs.test ./specs)", verb)
	}
	bin, err := filepath.Abs(suite)
	if err != nil {
		return "", fmt.Errorf("%s: %w", verb, err)
	}
	return bin, nil
}

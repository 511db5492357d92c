package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/farm/matrix"
)

// runMatrix is hil matrix healthy|retry: the hil workflow's choice of
// benches (harness/farm/matrix), as a JSON list appended to --output as
// name=value (GitHub's step outputs) and a line per decision on stdout.
func runMatrix(args []string, w io.Writer) error {
	if len(args) == 0 || (args[0] != "healthy" && args[0] != "retry") {
		return cli.Usagef("matrix: give healthy or retry (hint: hil matrix healthy --benches '[\"1\",\"2\"]' --jobs jobs.json)")
	}
	fs := flag.NewFlagSet("matrix "+args[0], flag.ContinueOnError)
	list := fs.String("benches", "", `the matrix's bench ids as a JSON list, e.g. ["1","2"]`)
	jobs := fs.String("jobs", "", "healthy: the last health run's jobs, as the GitHub API's .jobs list (JSON)")
	verdicts := fs.String("verdicts", "", "retry: a directory of verdict-<bench>/verdict files (pass, firmware or bench)")
	output := fs.String("output", "", "append name=<JSON> here (default: stdout only)")
	if err := cli.Parse(fs, args[1:], w); err != nil {
		return err
	}
	var benches []string
	if err := json.Unmarshal([]byte(*list), &benches); err != nil {
		return cli.Usagef("matrix: --benches %q is not a JSON list of bench ids (hint: --benches '[\"1\",\"2\"]')", *list)
	}
	if args[0] == "healthy" {
		var health []matrix.Job
		if *jobs != "" {
			b, err := os.ReadFile(*jobs)
			if err != nil {
				return fmt.Errorf("matrix: %w", err)
			}
			if err := json.Unmarshal(b, &health); err != nil {
				return cli.Usagef("matrix: --jobs %s is not a JSON list of jobs: %v", *jobs, err)
			}
		}
		ok, err := matrix.Healthy(benches, health)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "matrix: healthy benches: %s\n", strings.Join(ok, ", "))
		return emit(w, *output, "benches", ok)
	}
	found := map[string]string{}
	for _, b := range benches {
		v, err := os.ReadFile(filepath.Join(*verdicts, "verdict-"+b, "verdict"))
		if err == nil {
			found[b] = strings.TrimSpace(string(v))
		}
	}
	plan, notes := matrix.Retries(benches, found)
	for _, n := range notes {
		fmt.Fprintln(w, "matrix: "+n)
	}
	if plan == nil {
		plan = []matrix.Retry{}
	}
	return emit(w, *output, "retries", plan)
}

// emit writes name=<v as JSON> to stdout and appends it to output.
func emit(w io.Writer, output, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	line := name + "=" + string(b) + "\n"
	fmt.Fprint(w, line)
	if output == "" {
		return nil
	}
	f, err := os.OpenFile(output, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("matrix: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString(line)
	return err
}

package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/picohil/picohil/harness/cli"
	"github.com/picohil/picohil/harness/report/replay"
	"github.com/picohil/picohil/harness/report/tape"
)

// runReplay judges a tape again with this harness's verdict logic and
// prints each verdict beside the run's.
func runReplay(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	path := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	if err := cli.Parse(fs, args, w); err != nil {
		return err
	}
	if path == "" {
		return cli.Usagef("replay: give one tape (hint: hil replay out/hil/tape.jsonl; make hil RECORD=1 records one)")
	}
	if err := readable("replay", "the tape", path, "make hil RECORD=1 records one at out/hil/tape.jsonl"); err != nil {
		return err
	}
	t, err := tape.Open(path)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	h := t.Header
	fmt.Fprintf(w, "replay: %s: target %s, faults %s, firmware %s, harness %s; %d specs over %v\n",
		path, h.Target, orNone(h.Faults), orUnknown(h.Versions.Firmware), orUnknown(h.Versions.Harness), len(t.Specs()), t.Span().Round(1e6))
	verdicts := replay.Judge(t)
	if len(verdicts) == 0 {
		return fmt.Errorf("replay: %s holds none of the verdicts replay judges (%s): nothing was judged", path, strings.Join(replay.Judged, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "replay: each verdict as the run judged it, then as judged again from the tape:")
	var failed, differ []string
	spec := ""
	for _, v := range verdicts {
		if v.Spec != spec {
			spec = v.Spec
			fmt.Fprintf(tw, "%s\n", spec)
		}
		same := "same verdict"
		if !v.Same() {
			same = "DIFFERS"
			differ = append(differ, v.Again.Name)
		}
		if !v.Again.Pass {
			failed = append(failed, v.Again.Name)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Live.String(), v.Again.String(), same)
	}
	tw.Flush()
	fmt.Fprintf(w, "replay: %d verdicts judged again: %d agree with the run, %d differ; %d fail\n", len(verdicts), len(verdicts)-len(differ), len(differ), len(failed))
	fmt.Fprintf(w, "replay: to play it through the virtual Pico: %s\n", replayCommand(path, h))
	if len(failed) > 0 {
		return fmt.Errorf("replay: %d of %d verdicts fail: %s", len(failed), len(verdicts), strings.Join(failed, ", "))
	}
	return nil
}

// replayCommand runs the tape's specs, in its order, on the virtual Pico
// playing the tape.
func replayCommand(path string, h tape.Header) string {
	cmd := fmt.Sprintf("HIL_TARGET=virtual HIL_TAPE=%s make hil SEED=%d", shellQuote(path), h.Seed)
	if len(h.Focus) > 0 {
		cmd += " FOCUS=" + shellQuote(strings.Join(h.Focus, "|"))
	}
	if h.Labels != "" {
		cmd += " LABELS=" + shellQuote(h.Labels)
	}
	return cmd
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

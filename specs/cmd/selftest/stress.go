package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxBusy bounds --busy: more loops than this measures the scheduler,
// not the suite.
const maxBusy = 16

// runStress runs the suite --runs times in a row with the environment it
// was given and fails when any run did not pass: a run that failed, and
// a run the host was too late to measure (inconclusive), are counted
// apart. Each run's reports and console log go to <out>/<i>. With
// --busy N, N shell busy loops at the suite's own priority run beside
// the whole series: the host a shared CI runner is.
func runStress(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("stress", flag.ContinueOnError)
	suite := fs.String("suite", "", "compiled suite binary (go test -c ./specs)")
	out := fs.String("out", "out/stress", "directory for each run's reports; emptied first")
	runs := fs.Int("runs", 20, "how many runs in a row")
	busy := fs.Int("busy", 0, "busy loops to run beside the suite for the whole series")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("stress: --runs %d: give at least one run", *runs)
	}
	if *busy < 0 || *busy > maxBusy {
		return fmt.Errorf("stress: --busy %d: give 0 to %d busy loops", *busy, maxBusy)
	}
	bin, err := suitePath("stress", *suite)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*out); err != nil {
		return fmt.Errorf("stress: %w", err)
	}
	stop, err := busyLoops(*busy)
	if err != nil {
		return err
	}
	defer stop()
	failed, inconclusive := 0, 0
	for i := 1; i <= *runs; i++ {
		start := time.Now()
		o := runOne(bin, *out, nil, probe{name: strconv.Itoa(i)})
		took := fmt.Sprintf("%.0f s, load %s", time.Since(start).Seconds(), loadAverage())
		switch {
		case len(o.failed) == 0 && len(o.inconclusive) > 0:
			inconclusive++
			fmt.Fprintf(w, "stress: run %d/%d INCONCLUSIVE, the host was late (%s; see %s)\n", i, *runs, took, filepath.Join(*out, o.name, "report.html"))
			for _, name := range o.inconclusive {
				fmt.Fprintf(w, "stress:   [inconclusive] %s\n", firstLine(name))
			}
			continue
		case o.err == nil && len(o.failed) == 0:
			fmt.Fprintf(w, "stress: run %d/%d passed (%s)\n", i, *runs, took)
			continue
		}
		failed++
		fmt.Fprintf(w, "stress: run %d/%d FAILED (%s; see %s)\n", i, *runs, took, filepath.Join(*out, o.name, "console.log"))
		if o.err != nil {
			fmt.Fprintf(w, "stress:   %v\n", o.err)
		}
		for _, s := range o.failed {
			fmt.Fprintf(w, "stress:   [%s] %s: %s\n", s.State, firstLine(s.Name), firstLine(s.Failure))
		}
	}
	passed := *runs - failed - inconclusive
	fmt.Fprintf(w, "stress: %d of %d runs passed, %d failed, %d inconclusive (busy loops beside: %d)\n", passed, *runs, failed, inconclusive, *busy)
	if passed < *runs {
		return fmt.Errorf("stress: %d of %d runs did not pass (%d failed, %d inconclusive)", *runs-passed, *runs, failed, inconclusive)
	}
	return nil
}

// busyLoops starts n shell busy loops, each in a process group of its
// own, and returns what stops them all. Their command line names this
// process, so a test can find them.
func busyLoops(n int) (stop func(), err error) {
	var cmds []*exec.Cmd
	stop = func() {
		for _, c := range cmds {
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			_ = c.Wait()
		}
	}
	for range n {
		c := exec.Command("sh", "-c", "while :; do :; done", busyMark())
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := c.Start(); err != nil {
			stop()
			return nil, fmt.Errorf("stress: start a busy loop: %w", err)
		}
		cmds = append(cmds, c)
	}
	return stop, nil
}

// busyMark is the name the busy loops of this process run under.
func busyMark() string { return "picohil-busy-" + strconv.Itoa(os.Getpid()) }

// loadAverage is the host's one-minute load average, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
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

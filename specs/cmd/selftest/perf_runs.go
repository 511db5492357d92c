package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/picohil/picohil/harness/measure/stats"
	"github.com/picohil/picohil/harness/report"
)

// The measurements each scale run is compared by.
const (
	rttMeasurement   = stats.EchoRTT
	blinkMeasurement = stats.Blink + stats.HalfPeriod
)

// suiteRun is one run of the compiled suite in its own HIL_OUT directory.
type suiteRun struct {
	Dir       string   `json:"dir"`
	WallS     float64  `json:"wall_s"`
	CPUS      float64  `json:"cpu_s"`       // user + system time of the suite process
	MaxRSSMiB float64  `json:"max_rss_mib"` // peak resident set of the suite process
	Passed    int      `json:"passed"`
	Failed    int      `json:"failed"`
	Skipped   int      `json:"skipped"`
	RTTP99Us  float64  `json:"rtt_p99_us,omitempty"`     // echo.rtt.1B
	HalfMs    float64  `json:"half_period_ms,omitempty"` // blink.half_period
	SpecsS    float64  `json:"specs_s"`                  // summed duration of the specs that ran
	Error     string   `json:"error,omitempty"`          // no report was written
	Failures  []string `json:"failures,omitempty"`       // failed measurements, or failed specs without one
}

// runSuite runs the suite binary with env added to the environment,
// writing its reports to dir, and measures the child process.
func runSuite(ctx context.Context, suite, dir string, env, args []string) suiteRun {
	r := suiteRun{Dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.Error = err.Error()
		return r
	}
	log, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, suite, append([]string{"-ginkgo.no-color"}, args...)...)
	cmd.Env = append(append(os.Environ(), env...), "HIL_OUT="+dir)
	cmd.Dir = filepath.Dir(suite)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	runErr := cmd.Run()
	r.WallS = time.Since(start).Seconds()
	if cmd.ProcessState == nil {
		r.Error = fmt.Sprintf("suite did not start: %v", runErr)
		return r
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.CPUS = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
		r.MaxRSSMiB = float64(ru.Maxrss) / 1024 // Linux reports kilobytes
	}
	rep, err := report.Read(filepath.Join(dir, "report.json"))
	if err != nil {
		r.Error = fmt.Sprintf("%v (suite: %v; log %s)", err, runErr, log.Name())
		return r
	}
	for _, s := range rep.Specs {
		switch s.State {
		case "passed":
			r.Passed++
		case "skipped", "pending":
			r.Skipped++
		default:
			r.Failed++
			r.Failures = append(r.Failures, failedMeasurements(s)...)
		}
		if s.State != "skipped" && s.State != "pending" {
			r.SpecsS += s.DurationMs / 1000
		}
	}
	if m, ok := rep.Measurement(rttMeasurement); ok {
		r.RTTP99Us = m.Value
	}
	if m, ok := rep.Measurement(blinkMeasurement); ok {
		r.HalfMs = m.Value
	}
	return r
}

// failedMeasurements names a failed spec's out-of-limit measurements with
// their values, or the spec when none was out of limits.
func failedMeasurements(s report.Spec) []string {
	var out []string
	for _, m := range s.Measurements {
		if !m.Pass {
			out = append(out, fmt.Sprintf("%s %.4g %s", m.Name, m.Value, m.Unit))
		}
	}
	if len(out) == 0 {
		out = append(out, s.State+" "+strconv.Quote(firstLine(s.Name)))
	}
	return out
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// ScaleStep is n suites run at once, each on its own virtual Pico.
type ScaleStep struct {
	N       int        `json:"n"`
	WallS   float64    `json:"wall_s"` // first start to last exit
	Benches []suiteRun `json:"benches"`
}

// runScale runs n copies of the suite concurrently under out/n<n>/bench<i>.
func runScale(ctx context.Context, suite, out string, n int, env, args []string) ScaleStep {
	step := ScaleStep{N: n, Benches: make([]suiteRun, n)}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		dir := filepath.Join(out, fmt.Sprintf("n%d", n), fmt.Sprintf("bench%d", i+1))
		wg.Go(func() { step.Benches[i] = runSuite(ctx, suite, dir, env, args) })
	}
	wg.Wait()
	step.WallS = time.Since(start).Seconds()
	return step
}

// span is the lowest and highest of a per-bench value, skipping benches
// that did not measure it.
func runSpan(runs []suiteRun, value func(suiteRun) float64) (lo, hi float64, ok bool) {
	var vs []float64
	for _, r := range runs {
		if v := value(r); r.Error == "" && v != 0 {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, 0, false
	}
	return slices.Min(vs), slices.Max(vs), true
}

// PerfCost is one capture-heavy run of the suite, measured from outside.
type PerfCost struct {
	Labels  string   `json:"labels"`   // the label filter of the run
	BlinkMs int      `json:"blink_ms"` // HIL_BLINK_MS of the run
	Run     suiteRun `json:"run"`
	// CPUPerCaptureS is the suite process's CPU seconds per second spent
	// in the specs that ran (the captures).
	CPUPerCaptureS float64 `json:"cpu_per_capture_s"`
}

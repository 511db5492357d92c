package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// benchTimeout bounds one go test -bench run, building included.
const benchTimeout = 15 * time.Minute

// benchmark is one package:Name:benchtime perf-summary runs before it
// summarises.
type benchmark struct{ pkg, name, benchtime string }

func parseBenchmarks(args []string) ([]benchmark, error) {
	out := make([]benchmark, len(args))
	for i, a := range args {
		parts := strings.Split(a, ":")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return nil, fmt.Errorf("perf-summary: benchmark %q is not package:Name:benchtime (hint: e.g. ./harness/measure/echo:RTTFloor:5000x)", a)
		}
		out[i] = benchmark{parts[0], parts[1], parts[2]}
	}
	return out, nil
}

// runBenchmarks runs each benchmark count times with goCmd, in turn,
// writing their output to path and to w as it comes, and fails at the
// first that fails.
func runBenchmarks(goCmd string, bs []benchmark, count int, path string, w io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("perf-summary: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("perf-summary: %w", err)
	}
	defer f.Close()
	for _, b := range bs {
		ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
		cmd := exec.CommandContext(ctx, goCmd, "test", "-run", "^$", "-bench", "^Benchmark"+b.name+"$", "-benchtime", b.benchtime, "-count", strconv.Itoa(count), b.pkg)
		var got strings.Builder
		cmd.Stdout = io.MultiWriter(f, w, &got)
		cmd.Stderr = cmd.Stdout
		err := cmd.Run()
		cancel()
		if err != nil {
			return fmt.Errorf("perf-summary: benchmark %s in %s: %w (its output is in %s)", b.name, b.pkg, err, path)
		}
		if !strings.Contains(got.String(), "\nBenchmark"+b.name) {
			return fmt.Errorf("perf-summary: no Benchmark%s in %s ran (hint: the name after Benchmark, e.g. RTTFloor)", b.name, b.pkg)
		}
	}
	return nil
}

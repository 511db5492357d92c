package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/picohil/picohil/harness/report"
	"github.com/picohil/picohil/harness/support/qemuuser"
	"github.com/picohil/picohil/harness/support/repo"
)

// layoutRunTimeout bounds each run of the released binaries here.
const layoutRunTimeout = 3 * time.Minute

// TestReleaseLayoutRunsWithoutASourceTree builds the release files for this
// machine the way make dist does, puts them in a directory with only a
// bench profile, and runs them as a bench Pi would: the suite passes on the
// virtual Pico and writes its reports there, and hil promotes and gates
// the result. Nothing may need the source tree or a Go toolchain. The
// suite's timing specs are in the run, so make test runs this as a lane of
// its own (release-layout), not beside the other packages' tests.
func TestReleaseLayoutRunsWithoutASourceTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the release files")
	}
	qemuuser.Skip(t, outOfProcess)
	ctx, cancel := context.WithTimeout(context.Background(), distTimeout)
	defer cancel()
	dist := t.TempDir()
	p := platform{runtime.GOOS, runtime.GOARCH, ""}
	if p.goarch == "arm" {
		p.goarm = "7"
	}
	names, err := buildDist(ctx, "go", "../../..", dist, "layout-test", []platform{p})
	if err != nil {
		t.Fatal(err)
	}
	checkSums(t, dist, names)

	bench := t.TempDir()
	if root, ok := repo.Root(bench); ok {
		t.Fatalf("%s lies in a module tree (%s): the test would not show the files run without one", bench, root)
	}
	for _, n := range []string{"hil-" + p.suffix(), "specs.test-" + p.suffix()} {
		if err := os.Rename(filepath.Join(dist, n), filepath.Join(bench, strings.TrimSuffix(n, "-"+p.suffix()))); err != nil {
			t.Fatal(err)
		}
	}
	profile, err := os.ReadFile("testdata/release-bench.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bench, "bench.yaml"), profile, 0o644); err != nil {
		t.Fatal(err)
	}

	// Only PATH and HOME: no HIL_* from make, no Go toolchain.
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + bench}
	run := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), layoutRunTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(bench, name), args...)
		cmd.Dir, cmd.Env = bench, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("./%s %s in a directory holding only the release files: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("specs.test", "-ginkgo.no-color")
	reports := filepath.Join(bench, "out", "hil")
	r, err := report.Read(filepath.Join(reports, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, s := range r.Specs {
		if s.State == "passed" {
			passed++
		}
	}
	if !r.Pass || r.Target != "virtual" || r.BenchID != "release-layout" || r.HarnessVersion != "layout-test" || passed == 0 {
		t.Fatalf("report.json: pass %v, target %q, bench_id %q, harness_version %q, %d specs passed; want a passing run of the profile's virtual bench by the version built", r.Pass, r.Target, r.BenchID, r.HarnessVersion, passed)
	}
	for _, f := range []string{"junit.xml", "report.html"} {
		if _, err := os.Stat(filepath.Join(reports, f)); err != nil {
			t.Errorf("the suite wrote no %s: %v", f, err)
		}
	}
	run("hil", "baseline", "--fixture", "--from", "out/hil/report.json", "--out", "baselines/1.0.0.json")
	if out := run("hil", "gate", "--baseline", "baselines/1.0.0.json", "--current", "out/hil/report.json"); !strings.Contains(out, "echo.rtt.1B") {
		t.Errorf("hil gate compared no echo round trip:\n%s", out)
	}
}

// checkSums reads SHA256SUMS: one line per release file, each matching.
func checkSums(t *testing.T, dir string, names []string) {
	t.Helper()
	if names[len(names)-1] != "SHA256SUMS" {
		t.Fatalf("files %v: SHA256SUMS is not last", names)
	}
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		sum, name, ok := strings.Cut(s.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not \"<sum>  <name>\"", s.Text())
		}
		listed[name] = sum
	}
	for _, n := range names[:len(names)-1] {
		got, err := sha256File(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if listed[n] != got {
			t.Errorf("SHA256SUMS: %s is %q, the file hashes to %s", n, listed[n], got)
		}
		delete(listed, n)
	}
	if len(listed) > 0 {
		t.Errorf("SHA256SUMS lists files that were not built: %v", listed)
	}
}

func TestParsePlatform(t *testing.T) {
	for s, want := range map[string]string{"linux/arm64": "linux-arm64", "linux/arm/7": "linux-armv7", "linux/amd64": "linux-amd64"} {
		if p, err := parsePlatform(s); err != nil || p.suffix() != want {
			t.Errorf("%s: %q, %v; want %s", s, p.suffix(), err, want)
		}
	}
	for _, bad := range []string{"linux", "linux/arm", "/arm64", "linux/arm64/7/x"} {
		if _, err := parsePlatform(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// distTimeout bounds building every file of a release.
const distTimeout = 20 * time.Minute

// platform is one GOOS/GOARCH (and GOARM for 32-bit ARM) a release is built for.
type platform struct{ goos, goarch, goarm string }

// suffix names the platform in the file names: linux-arm64, linux-armv7.
func (p platform) suffix() string {
	if p.goarm != "" {
		return p.goos + "-" + p.goarch + "v" + p.goarm
	}
	return p.goos + "-" + p.goarch
}

func parsePlatform(s string) (platform, error) {
	parts := strings.Split(s, "/")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] != "" && parts[1] != "arm":
		return platform{parts[0], parts[1], ""}, nil
	case len(parts) == 3 && parts[1] == "arm" && parts[2] != "":
		return platform{parts[0], parts[1], parts[2]}, nil
	}
	return platform{}, fmt.Errorf("dist: platform %q is not GOOS/GOARCH or GOOS/arm/GOARM (hint: linux/arm64 or linux/arm/7)", s)
}

// versionVar is the variable the harness version is linked into.
const versionVar = "github.com/picohil/picohil/harness/report.version"

// distFiles are copied from the tree beside the binaries: a bench Pi
// needs them and has no source tree.
var distFiles = []string{"harness/target/bench/bench.example.yaml", "harness/target/bench/99-picohil.rules"}

// runDist builds the files a release carries into --out: for each platform
// the bench owner's hil and the compiled suite, the example bench profile
// and udev rule, and SHA256SUMS over them all.
func runDist(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("dist", flag.ContinueOnError)
	out := fs.String("out", "out/dist", "directory for the release files; emptied first")
	platforms := fs.String("platforms", "linux/arm64,linux/arm/7", "comma-separated GOOS/GOARCH[/GOARM]")
	goCmd := fs.String("go", "go", "the go command")
	version := fs.String("version", "", "the harness version the binaries report (e.g. git describe)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ps []platform
	for s := range strings.SplitSeq(*platforms, ",") {
		p, err := parsePlatform(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), distTimeout)
	defer cancel()
	names, err := buildDist(ctx, *goCmd, ".", *out, *version, ps)
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintf(w, "dist: %s\n", filepath.Join(*out, n))
	}
	return nil
}

// buildDist builds the release files for ps from the module in root into
// out, which it empties first, and returns their names, SHA256SUMS last.
// The binaries report version as the harness version when it is given.
func buildDist(ctx context.Context, goCmd, root, out, version string, ps []platform) ([]string, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	if err := os.RemoveAll(out); err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	var ldflags string
	if version != "" {
		ldflags = "-X " + versionVar + "=" + version
	}
	var names []string
	for _, p := range ps {
		hil, suite := "hil-"+p.suffix(), "specs.test-"+p.suffix()
		// -trimpath: no build machine path in the binaries; no cgo: they
		// run on any Pi OS release.
		for _, args := range [][]string{
			{"build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(out, hil), "./harness/cmd/hil"},
			{"test", "-c", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(out, suite), "./specs"},
		} {
			cmd := exec.CommandContext(ctx, goCmd, args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.goos, "GOARCH="+p.goarch, "GOARM="+p.goarm)
			if b, err := cmd.CombinedOutput(); err != nil {
				return nil, fmt.Errorf("dist: %s %s for %s: %v\n%s", goCmd, strings.Join(args, " "), p.suffix(), err, b)
			}
		}
		names = append(names, hil, suite)
	}
	for _, f := range distFiles {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, fmt.Errorf("dist: %w (hint: run from the module's directory)", err)
		}
		if err := os.WriteFile(filepath.Join(out, filepath.Base(f)), b, 0o644); err != nil {
			return nil, fmt.Errorf("dist: %w", err)
		}
		names = append(names, filepath.Base(f))
	}
	var sums strings.Builder
	for _, n := range names {
		sum, err := sha256File(filepath.Join(out, n))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, n) // sha256sum -c reads this
	}
	if err := os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		return nil, fmt.Errorf("dist: %w", err)
	}
	return append(names, "SHA256SUMS"), nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("dist: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("dist: %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

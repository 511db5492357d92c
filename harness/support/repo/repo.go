// Package repo finds the picohil module's directory, where bench.yaml,
// firmware/ and out/ are looked for by default.
package repo

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// Module is the Go module whose tree holds the firmware, fixtures and specs.
const Module = "github.com/picohil/picohil"

// Root is the nearest directory at or above dir whose go.mod declares
// Module; false when there is none.
func Root(dir string) (string, bool) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if declares(filepath.Join(d, "go.mod")) {
			return d, true
		}
		if d == filepath.Dir(d) {
			return "", false
		}
	}
}

// declares reports whether the go.mod file at path names Module.
func declares(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if name, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return strings.TrimSpace(name) == Module
		}
	}
	return false
}

// Locate is Root of the working directory or, failing that, of dir (a
// caller's source directory, for a binary run outside the tree).
func Locate(dir string) (string, bool) {
	if wd, err := os.Getwd(); err == nil {
		if root, ok := Root(wd); ok {
			return root, true
		}
	}
	return Root(dir)
}

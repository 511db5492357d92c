package hil

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/support/repo"
)

// What a suite on hil may import of picohil: hil itself, the measurement
// packages (harness/measure/..., and harness/gpio/edge, which captures and
// judges the LED's edges as measure/echo does the UART's round trips),
// harness/scenario, and the fixtures it offers as targets with a blank
// import. Everything else (the bench, preflight, lease, power, blame, the
// tape, the reports, reset, the control client's plumbing) is hil's to
// use on the suite's behalf.
var suiteMayImport = []string{
	repo.Module + "/harness/hil",
	repo.Module + "/harness/measure/",
	repo.Module + "/harness/gpio/edge",
	repo.Module + "/harness/scenario",
}

// suiteImports lists the imports of the Go files in dir that break the
// rule, as "file: path".
func suiteImports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var bad []string
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range f.Imports {
			p, _ := strconv.Unquote(s.Path.Value)
			if !strings.HasPrefix(p, repo.Module+"/") || allowed(p, s.Name != nil && s.Name.Name == "_") {
				continue
			}
			bad = append(bad, filepath.Base(path)+": "+p)
		}
	}
	return bad
}

func allowed(path string, blank bool) bool {
	if blank && strings.HasPrefix(path, repo.Module+"/fixtures/") {
		return true
	}
	return slices.ContainsFunc(suiteMayImport, func(p string) bool {
		return path == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p))
	})
}

// The bundled suite and the example suite use only the public core: a
// suite in another module can do everything they do.
func TestSuitesUseOnlyThePublicCore(t *testing.T) {
	for _, dir := range []string{"../../specs", "../../specs/example"} {
		for _, b := range suiteImports(t, dir) {
			t.Errorf("%s/%s (hint: a suite imports harness/hil, the measurement packages, harness/scenario and, blank, the fixtures it offers; give hil what it needs)", dir, b)
		}
	}
}

// The rule fails on what it guards: a suite reaching past hil, or naming
// a fixture for more than its registration.
func TestSuiteImportRuleFindsViolations(t *testing.T) {
	dir := t.TempDir()
	src := `package specs

import (
	"testing"

	_ "` + repo.Module + `/fixtures/virtual"
	"` + repo.Module + `/fixtures/pty"
	"` + repo.Module + `/harness/hil"
	"` + repo.Module + `/harness/measure/stats"
	"` + repo.Module + `/harness/target/bench"
)
`
	if err := os.WriteFile(filepath.Join(dir, "a_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got := suiteImports(t, dir)
	want := []string{"a_test.go: " + repo.Module + "/fixtures/pty", "a_test.go: " + repo.Module + "/harness/target/bench"}
	if !slices.Equal(got, want) {
		t.Errorf("violations %q, want %q", got, want)
	}
}

package repo

import (
	"go/ast"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// mainRules lists the programs that break the rules for mains: every main
// package sits in a folder under a cmd/ folder, and reads its command line
// through harness/cli (os.Args only as cli.Run's arguments).
func mainRules(t *testing.T, root string) []string {
	var bad []string
	for _, f := range goFiles(t, root, ".", func(rel string) bool { return !strings.HasSuffix(rel, "_test.go") }) {
		if f.file.Name.Name != "main" {
			continue
		}
		if !slices.Contains(strings.Split(path.Dir(f.rel), "/"), "cmd") {
			bad = append(bad, f.rel+": a main package outside a cmd/ folder (hint: move it to <area>/cmd/<name>/)")
		}
		if osArgsOutsideCli(f.file) {
			bad = append(bad, f.rel+": reads os.Args itself (hint: declare its verbs and flags with harness/cli, as harness/cmd/hil does)")
		}
	}
	return bad
}

// osArgsOutsideCli reports whether f uses os.Args other than in the
// arguments of a cli.Run call.
func osArgsOutsideCli(f *ast.File) bool {
	var allowed []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && isSelector(c.Fun, "cli", "Run") {
			allowed = append(allowed, c)
		}
		return true
	})
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || found {
			return false
		}
		if slices.Contains(allowed, n) {
			return false
		}
		if isSelector(n, "os", "Args") {
			found = true
		}
		return true
	})
	return found
}

func isSelector(n ast.Node, pkg, name string) bool {
	s, ok := n.(*ast.SelectorExpr)
	if !ok || s.Sel.Name != name {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == pkg
}

func TestMainsLiveUnderCmdAndUseCli(t *testing.T) {
	for _, p := range mainRules(t, moduleRoot(t)) {
		t.Error(p)
	}
}

// TestMainRulesFindViolations: a main outside cmd/ and a main that reads
// os.Args itself are found; a main under cmd/ that hands os.Args to
// cli.Run, and a library reading os.Args, are not.
func TestMainRulesFindViolations(t *testing.T) {
	tmp := t.TempDir()
	write := func(rel, src string) { writeFile(t, tmp, rel, src) }
	write("tools/gen/main.go", "package main\n\nfunc main() {}\n")
	write("fixtures/x/cmd/raw/main.go", "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Args[1] }\n")
	write("fixtures/x/cmd/ok/main.go", "package main\n\nimport (\n\t\"os\"\n\n\t\"m/harness/cli\"\n)\n\nfunc main() { os.Exit(cli.Run(\"ok\", \"ok\", nil, os.Args[1:], os.Stdout, os.Stderr)) }\n")
	write("harness/lib/lib.go", "package lib\n\nimport \"os\"\n\nvar Name = os.Args[0]\n")
	got := mainRules(t, tmp)
	if len(got) != 2 || !strings.HasPrefix(got[0], "fixtures/x/cmd/raw/main.go: reads os.Args") || !strings.HasPrefix(got[1], "tools/gen/main.go: a main package outside") {
		t.Errorf("found %q, want the raw reader and the main outside cmd/", got)
	}
}

// writeFile writes src to root/rel, making its folders.
func writeFile(t *testing.T, root, rel, src string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

package repo

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The tree's layering rules, read from the source with go/parser (no go
// command): a rule that breaks fails here, naming the file.

// goFile is one parsed Go file of the tree, its path relative to the root.
type goFile struct {
	rel  string
	file *ast.File
}

// goFiles parses the Go files under root/dir (skipping node_modules,
// testdata and hidden folders) that keep returns true for.
func goFiles(t *testing.T, root, dir string, keep func(rel string) bool) []goFile {
	t.Helper()
	var out []goFile
	fset := token.NewFileSet()
	if _, err := os.Stat(filepath.Join(root, dir)); os.IsNotExist(err) {
		return nil
	}
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && (name == "node_modules" || name == "testdata" || (strings.HasPrefix(name, ".") && path != filepath.Join(root, dir))) {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || !strings.HasSuffix(name, ".go") || !keep(rel) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		out = append(out, goFile{rel, f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func imports(f *ast.File) []string {
	var out []string
	for _, s := range f.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		out = append(out, p)
	}
	return out
}

// fixtureImports lists the non-test files outside fixtures/ that import a
// fixture without being a program: the library never imports its
// fixtures; a program (package main, or a suite's _test.go files, which
// link the fixtures they offer with a blank import) picks which to link.
// A library package's own tests may use a fixture as a test double.
func fixtureImports(t *testing.T, root string) []string {
	var bad []string
	for _, f := range goFiles(t, root, ".", func(rel string) bool {
		return !strings.HasPrefix(rel, "fixtures/") && !strings.HasSuffix(rel, "_test.go")
	}) {
		if f.file.Name.Name == "main" {
			continue
		}
		for _, p := range imports(f.file) {
			if strings.HasPrefix(p, Module+"/fixtures/") {
				bad = append(bad, f.rel+" imports "+p+" (hint: only a program links a fixture, with a blank import; the library finds targets in harness/target's registry)")
			}
		}
	}
	return bad
}

func TestNoLibraryPackageImportsAFixture(t *testing.T) {
	for _, p := range fixtureImports(t, moduleRoot(t)) {
		t.Error(p)
	}
}

// measurementNames are the full names harness/measure/stats/names.go
// declares: its string constants with a dot in them, and each capture
// prefix with each suffix.
func measurementNames(t *testing.T, root string) []string {
	files := goFiles(t, root, "harness/measure/stats", func(rel string) bool { return rel == namesFile })
	if len(files) != 1 {
		t.Fatalf("%s not found", namesFile)
	}
	values := map[string]string{}
	for _, d := range files[0].file.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					values[vs.Names[i].Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	var names []string
	for _, v := range values {
		if strings.Contains(v, ".") && !strings.HasPrefix(v, ".") {
			names = append(names, v)
		}
	}
	for _, prefix := range []string{values["Blink"], values["BlinkLoad"]} {
		for _, v := range values {
			if strings.HasPrefix(v, ".") {
				names = append(names, prefix+v)
			}
		}
	}
	if len(names) < 10 || prefixOf(names, "echo.rtt") == "" {
		t.Fatalf("%s: only %d names read (%v): has it changed shape?", namesFile, len(names), names)
	}
	return names
}

const namesFile = "harness/measure/stats/names.go"

func prefixOf(names []string, p string) string {
	i := slices.IndexFunc(names, func(n string) bool { return strings.HasPrefix(n, p) })
	if i < 0 {
		return ""
	}
	return names[i]
}

// nameChar continues a measurement name: a literal holds a name only
// where it is not part of a longer one.
var nameChar = regexp.MustCompile(`^[A-Za-z0-9_.]`)

// bareNames lists the string literals of non-test files that spell a
// measurement name out instead of naming its constant: renaming the
// constant would leave them behind, and a gate rule or a report chart
// would silently stop finding the measurement. Tests may spell a name out:
// they pin what report.json and baselines hold. A suite's specs are not
// its tests: they are checked.
func bareNames(t *testing.T, root string) []string {
	names := measurementNames(t, root)
	var bad []string
	for _, dir := range []string{"harness", "specs", "fixtures"} {
		for _, f := range goFiles(t, root, dir, func(rel string) bool {
			return rel != namesFile && (!strings.HasSuffix(rel, "_test.go") || suiteFile(rel))
		}) {
			ast.Inspect(f.file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, _ := strconv.Unquote(lit.Value)
				for _, name := range names {
					if i := strings.Index(s, name); i >= 0 && !nameChar.MatchString(s[i+len(name):]) && (i == 0 || !nameChar.MatchString(s[i-1:i])) {
						bad = append(bad, f.rel+": "+strconv.Quote(s)+" spells out "+name+" (hint: use its constant in harness/measure/stats/names.go)")
					}
				}
				return true
			})
		}
	}
	return bad
}

// suiteFile reports whether rel is a spec of a suite (specs/*_test.go,
// specs/example/*_test.go): a suite's specs are its code, not its tests.
func suiteFile(rel string) bool {
	dir := filepath.ToSlash(filepath.Dir(rel))
	return dir == "specs" || dir == "specs/example"
}

func TestEveryMeasurementNameHasOneDeclaration(t *testing.T) {
	for _, p := range bareNames(t, moduleRoot(t)) {
		t.Error(p)
	}
}

// The two rules fail on what they guard: a library file importing a
// fixture, a file or a suite's spec spelling a name out.
func TestLayerRulesFindViolations(t *testing.T) {
	root := moduleRoot(t)
	tmp := t.TempDir()
	names, err := os.ReadFile(filepath.Join(root, namesFile))
	if err != nil {
		t.Fatal(err)
	}
	write := func(rel, src string) {
		t.Helper()
		path := filepath.Join(tmp, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(namesFile, string(names))
	write("harness/lib/lib.go", "package lib\n\nimport _ \""+Module+"/fixtures/virtual\"\n\nvar x = \"blink.half_period\"\n")
	write("harness/lib/lib_test.go", "package lib\n\nimport _ \""+Module+"/fixtures/virtual\"\n\nvar y = \"blink.half_period\"\n")
	write("harness/cmd/tool/main.go", "package main\n\nimport _ \""+Module+"/fixtures/virtual\"\n\nvar z = \"echo.rtt.1B: a chart\"\n")
	write("harness/lib/ok.go", "package lib\n\nvar w = \"blink.half_periods echo.rtt.1Bx\"\n")
	write("specs/echo_test.go", "package specs\n\nvar v = \"echo.line_rate\"\n")
	if got := fixtureImports(t, tmp); len(got) != 1 || !strings.HasPrefix(got[0], "harness/lib/lib.go imports") {
		t.Errorf("fixture imports found: %q, want harness/lib/lib.go's only", got)
	}
	if got := strings.Join(bareNames(t, tmp), "\n"); strings.Count(got, "\n") != 2 || !strings.Contains(got, "harness/cmd/tool/main.go") || !strings.Contains(got, "specs/echo_test.go") {
		t.Errorf("bare names found:\n%s\nwant lib.go's, main.go's and the suite's", got)
	}
}

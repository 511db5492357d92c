package repo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRoot(t *testing.T) {
	root := t.TempDir()
	other := filepath.Join(root, "vendor", "other")
	deep := filepath.Join(other, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := Root(deep); ok {
		t.Fatal("found a root with no go.mod at all")
	}
	write := func(dir, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(root, "// picohil\nmodule "+Module+"\n\ngo 1.26\n")
	write(other, "module example.com/other\n")
	for _, dir := range []string{root, deep, other} {
		if got, ok := Root(dir); !ok || got != root {
			t.Errorf("Root(%s) = %q, %v; want %s (another module's go.mod is passed over)", dir, got, ok, root)
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := Root(wd); !ok || !declares(filepath.Join(got, "go.mod")) {
		t.Fatalf("this tree: %q, %v", got, ok)
	}
}

package control

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/picohil/picohil/harness/support/repo"
)

// The bounds the harness refuses rates by are the firmware's own.
func TestBaudBoundsAreTheFirmwares(t *testing.T) {
	dir, _ := os.Getwd()
	root, ok := repo.Root(dir)
	if !ok {
		t.Skip("no module root above the working directory")
	}
	src, err := os.ReadFile(filepath.Join(root, "firmware", "main.py"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"MIN_BAUD": MinBaud, "MAX_BAUD": MaxBaud} {
		m := regexp.MustCompile(`(?m)^` + name + ` = (\d+)$`).FindSubmatch(src)
		if m == nil {
			t.Errorf("firmware/main.py declares no %s", name)
			continue
		}
		if got, _ := strconv.Atoi(string(m[1])); got != want {
			t.Errorf("firmware/main.py %s = %d, the harness has %d", name, got, want)
		}
	}
}

package report

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzRead loads arbitrary bytes as a report file: Read must never panic,
// must accept only this schema, and whatever it accepts must survive a
// Write and Read again with the same verdicts.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		`{"schema":"picohil.report/v2","target":"virtual","pass":true,"specs":[{"name":"a","labels":["echo"],"state":"passed","duration_ms":1.5,"measurements":[{"name":"echo.rtt.1B","unit":"us","value":200,"limits":{"max":300},"pass":true,"summary":{"n":3},"series":[1,2,3]}]}]}`,
		`{"schema":"picohil.report/v2","specs":[{"name":"b","state":"failed","failure":"expected: x"},{"name":"c","state":"skipped"}]}`,
		`{"schema":"picohil.report/v2","started":"2025-01-02T03:04:05.123456789+01:00","finished":"0001-01-01T00:00:00Z"}`,
		`{"schema":"other/v9"}`,
		`{"schema":"picohil.report/v2","specs":[{"measurements":[{"value":"NaN"}]}]}`,
		`{"schema":"picohil.report/v2","started":"yesterday"}`,
		`[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "report.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Read(path)
		if err != nil {
			return
		}
		if r.Schema != Schema {
			t.Fatalf("accepted schema %q", r.Schema)
		}
		again := filepath.Join(dir, "again.json")
		if err := Write(again, r); err != nil {
			t.Fatalf("an accepted report does not write back: %v", err)
		}
		r2, err := Read(again)
		if err != nil {
			t.Fatalf("a written report does not read back: %v", err)
		}
		if r2.Pass != r.Pass || len(r2.Specs) != len(r.Specs) || !slices.Equal(r2.Failed(), r.Failed()) {
			t.Fatalf("round trip changed the verdicts: %+v -> %+v", r, r2)
		}
	})
}

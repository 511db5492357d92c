package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/picohil/picohil/harness/measure/stats"
)

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hil", "report.json")
	r := Report{Schema: Schema, Target: "virtual", Specs: []Spec{
		{Name: "a", State: "passed", Measurements: []stats.Measurement{stats.Measure("echo.rtt.1B", "us", 200, stats.AtMost(300))}},
		{Name: "b", State: "failed", Failure: "expected: x"},
		{Name: "c", State: "skipped"},
	}}
	if err := Write(path, r); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Specs) != 3 || !got.Specs[0].Measurements[0].Pass || strings.Join(got.Failed(), ",") != "b" {
		t.Fatalf("%+v", got)
	}
}

func TestReadRejectsOtherSchemas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte(`{"schema":"other/v9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("err = %v", err)
	}
}

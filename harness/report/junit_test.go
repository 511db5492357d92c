package report

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

func TestMarkInconclusiveJUnit(t *testing.T) {
	spec := func(text, failure string) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: text, State: types.SpecStateFailed,
			Failure: types.Failure{Message: failure}}
	}
	r := types.Report{SuiteDescription: "picohil", SpecReports: types.SpecReports{
		spec("round trips", InconclusivePrefix+"expected: a clean measurement"),
		spec("payload", "expected: echo.payload.16B within budget"),
	}}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := reporters.GenerateJUnitReport(r, path); err != nil {
		t.Fatal(err)
	}
	if err := MarkInconclusiveJUnit(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	cases := got.TestSuites[0].TestCases
	if got.Failures != 1 || got.Errors != 1 || got.TestSuites[0].Failures != 1 || got.TestSuites[0].Errors != 1 {
		t.Errorf("counts: %d failures, %d errors; want one of each\n%s", got.Failures, got.Errors, b)
	}
	if tc := cases[0]; tc.Status != Inconclusive || tc.Failure != nil || tc.Error == nil || tc.Error.Type != Inconclusive {
		t.Errorf("the host-late spec: %+v, want status and error type %q", tc, Inconclusive)
	}
	if tc := cases[1]; tc.Status != "failed" || tc.Failure == nil || tc.Error != nil {
		t.Errorf("the failed spec: %+v, want it failed as before", tc)
	}
}

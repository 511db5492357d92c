package report

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
)

// MarkInconclusiveJUnit rewrites the JUnit file at path so that each spec the
// host was too late to measure is a test case of its own status,
// "inconclusive", with an <error type="inconclusive">: JUnit's errors are
// tests that could not be judged, apart from failures.
func MarkInconclusiveJUnit(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &suites); err != nil {
		return fmt.Errorf("report: junit: %s: %w", path, err)
	}
	changed := false
	for i := range suites.TestSuites {
		s := &suites.TestSuites[i]
		for j := range s.TestCases {
			tc := &s.TestCases[j]
			if tc.Failure == nil || !strings.HasPrefix(tc.Failure.Message, InconclusivePrefix) {
				continue
			}
			tc.Status = Inconclusive
			tc.Error = &reporters.JUnitError{Message: tc.Failure.Message, Type: Inconclusive, Description: tc.Failure.Description}
			tc.Failure = nil
			s.Failures--
			s.Errors++
			suites.Failures--
			suites.Errors++
			changed = true
		}
	}
	if !changed {
		return nil
	}
	out, err := xml.MarshalIndent(suites, "  ", "    ")
	if err != nil {
		return fmt.Errorf("report: junit: %s: %w", path, err)
	}
	return writeFile(path, append([]byte(xml.Header), out...))
}

package health

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Mark is a bench's unhealthy mark, <state dir>/health/<bench>.json on
// the bench itself: a bench so marked refuses firmware runs until a health
// run passes.
type Mark struct {
	Bench  string    `json:"bench"`
	Reason string    `json:"reason"`
	Since  time.Time `json:"since"`
	Job    string    `json:"job"` // the health run that failed
}

// UnhealthyError is a firmware run refused on a marked bench.
type UnhealthyError struct{ Mark Mark }

func (e *UnhealthyError) Error() string {
	return fmt.Sprintf("health: bench %s is unhealthy since %s: %s (hint: mend the bench, then `hil health` clears the mark when it passes)",
		e.Mark.Bench, e.Mark.Since.Format(time.RFC3339), e.Mark.Reason)
}

// Marks are the health marks kept in a bench's state directory.
type Marks struct{ Dir string }

// MarksIn is the marks under the state directory (lease.StateDir).
func MarksIn(stateDir string) Marks { return Marks{filepath.Join(stateDir, "health")} }

func (m Marks) path(bench string) string { return filepath.Join(m.Dir, bench+".json") }

// Set marks bench unhealthy.
func (m Marks) Set(mark Mark) error {
	b, err := json.MarshalIndent(mark, "", "  ")
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if err := os.MkdirAll(m.Dir, 0o775); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	tmp := m.path(mark.Bench) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o664); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if err := os.Rename(tmp, m.path(mark.Bench)); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	return nil
}

// Clear removes bench's mark, if any.
func (m Marks) Clear(bench string) error {
	if err := os.Remove(m.path(bench)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("health: %w", err)
	}
	return nil
}

// Check returns an UnhealthyError when bench is marked.
func (m Marks) Check(bench string) error {
	b, err := os.ReadFile(m.path(bench))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	var mark Mark
	if err := json.Unmarshal(b, &mark); err != nil {
		mark = Mark{Bench: bench, Reason: "the mark " + m.path(bench) + " is unreadable: " + err.Error()}
	}
	return &UnhealthyError{mark}
}

// Package matrix chooses where the hil workflow (.github/workflows/hil.yml)
// runs: the benches of its matrix that are healthy, and, after a run, the
// bench a failure of the bench's is retried on once. A firmware failure is
// never retried: another bench would fail it again.
package matrix

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// HealthJobPrefix names a scheduled health job: "health bench <id>".
const HealthJobPrefix = "health bench "

// Job is a workflow job as the GitHub API lists it.
type Job struct {
	Name       string `json:"name"`
	Conclusion string `json:"conclusion"`
}

// Healthy keeps the benches whose last health job did not fail, in order.
// A bench the health run did not check is kept: it was never marked. With
// none left it fails in one line naming each bench's state.
func Healthy(benches []string, health []Job) ([]string, error) {
	failed := map[string]string{}
	for _, j := range health {
		if id, ok := strings.CutPrefix(j.Name, HealthJobPrefix); ok && j.Conclusion != "success" && j.Conclusion != "" {
			failed[id] = j.Conclusion
		}
	}
	var ok, why []string
	for _, b := range benches {
		if c, bad := failed[b]; bad {
			why = append(why, fmt.Sprintf("bench %s's last health run: %s", b, c))
			continue
		}
		ok = append(ok, b)
	}
	if len(benches) == 0 {
		return nil, errors.New("matrix: no bench in the matrix (hint: list the bench ids in the HIL_BENCHES repository variable, e.g. [\"1\",\"2\"])")
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("matrix: no healthy bench among %s: %s (hint: mend a bench and run the hil workflow's health job on it, or hil health on the Pi)",
			strings.Join(benches, ", "), strings.Join(why, "; "))
	}
	return ok, nil
}

// Verdicts of a bench's run, as hil verdict's exit status says them.
const (
	Pass     = "pass"
	Firmware = "firmware"
	Bench    = "bench"
)

// Retry is one rerun of a bench failure on another bench.
type Retry struct {
	Failed string `json:"failed"` // the bench the run failed on
	On     string `json:"on"`     // the bench it runs again on
}

// Retries plans one rerun per bench failure, each on another bench of the
// matrix that did not fail on the bench itself (those that passed first),
// taking them in turn. A failure with no such bench is not retried: notes
// say so.
func Retries(benches []string, verdicts map[string]string) (plan []Retry, notes []string) {
	var good []string
	for _, want := range []string{Pass, Firmware} {
		for _, b := range benches {
			if verdicts[b] == want {
				good = append(good, b)
			}
		}
	}
	next := 0
	for _, b := range benches {
		switch verdicts[b] {
		case Bench:
		case "":
			notes = append(notes, "bench "+b+" left no verdict: not retried")
			continue
		default:
			continue
		}
		others := slices.DeleteFunc(slices.Clone(good), func(g string) bool { return g == b })
		if len(others) == 0 {
			notes = append(notes, "bench "+b+" failed on the bench, and no other bench of the matrix is sound to retry it on")
			continue
		}
		on := others[next%len(others)]
		next++
		plan = append(plan, Retry{Failed: b, On: on})
		notes = append(notes, "bench "+b+" failed on the bench: retried once on bench "+on)
	}
	return plan, notes
}

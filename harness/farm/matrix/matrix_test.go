package matrix

import (
	"reflect"
	"strings"
	"testing"
)

func TestHealthy(t *testing.T) {
	jobs := []Job{{"health bench 1", "failure"}, {"health bench 2", "success"}, {"benches", "success"}}
	got, err := Healthy([]string{"1", "2", "3"}, jobs)
	if err != nil || !reflect.DeepEqual(got, []string{"2", "3"}) {
		t.Fatalf("Healthy = %v, %v", got, err)
	}
	_, err = Healthy([]string{"1"}, jobs)
	if err == nil || err.Error() != "matrix: no healthy bench among 1: bench 1's last health run: failure (hint: mend a bench and run the hil workflow's health job on it, or hil health on the Pi)" {
		t.Fatalf("err = %v", err)
	}
	if _, err := Healthy(nil, nil); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("an empty matrix: %v", err)
	}
}

func TestRetries(t *testing.T) {
	plan, notes := Retries([]string{"1", "2", "3", "4"}, map[string]string{"1": Bench, "2": Firmware, "3": Pass, "4": Bench})
	want := []Retry{{"1", "3"}, {"4", "2"}}
	if !reflect.DeepEqual(plan, want) {
		t.Fatalf("plan %v, want %v (notes %q)", plan, want, notes)
	}
	// A firmware failure is never retried; a bench failure with no sound
	// bench left is not either, and says so.
	plan, notes = Retries([]string{"1", "2"}, map[string]string{"1": Firmware, "2": Bench})
	if !reflect.DeepEqual(plan, []Retry{{"2", "1"}}) {
		t.Fatalf("plan %v", plan)
	}
	plan, notes = Retries([]string{"1", "2"}, map[string]string{"1": Bench, "2": Bench})
	if len(plan) != 0 || len(notes) != 2 || !strings.Contains(notes[0], "no other bench of the matrix is sound") {
		t.Fatalf("plan %v, notes %q", plan, notes)
	}
	plan, _ = Retries([]string{"1", "2"}, map[string]string{"1": Firmware, "2": Pass})
	if len(plan) != 0 {
		t.Fatalf("a firmware failure was retried: %v", plan)
	}
}

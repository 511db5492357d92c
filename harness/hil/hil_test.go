package hil

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/picohil/picohil/harness/measure/stats"
)

func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
}

// serialised is an entry as it arrives from another Ginkgo process: JSON
// only.
func serialised(name string, v any) types.ReportEntry {
	b, err := json.Marshal(entry(name, v))
	if err != nil {
		panic(err)
	}
	var e types.ReportEntry
	if err := json.Unmarshal(b, &e); err != nil {
		panic(err)
	}
	return e
}

func TestSpecOfCarriesMeasurementsAndTraces(t *testing.T) {
	m := stats.Measure("team.reply", "ms", 3, stats.AtMost(50)).WithSamples([]float64{1, 2, 3}).
		Gated(stats.Gate{Worse: stats.Higher, Pct: 50, Floor: 10})
	tr := stats.Trace{Name: "team.timeline", Columns: []string{"t_ms"}, Rows: [][]float64{{1}}}
	for _, local := range []bool{true, false} {
		wrap := entry
		if !local {
			wrap = serialised
		}
		s := types.SpecReport{LeafNodeType: types.NodeTypeIt, LeafNodeText: "answers", State: types.SpecStatePassed, RunTime: 1500 * time.Microsecond,
			ReportEntries: types.ReportEntries{wrap(m.Name, m), wrap(tr.Name, tr), wrap("note", "free text")}}
		spec := specOf(s, "Team answers")
		if len(spec.Measurements) != 1 || spec.Measurements[0].Gate == nil || spec.Measurements[0].Gate.Pct != 50 || len(spec.Measurements[0].Series) != 3 {
			t.Fatalf("local %v: measurements %+v", local, spec.Measurements)
		}
		if len(spec.Traces) != 1 || spec.Traces[0].Name != tr.Name || spec.DurationMs != 1.5 || spec.State != "passed" {
			t.Fatalf("local %v: spec %+v", local, spec)
		}
		j := junitOf(ginkgo.Report{SpecReports: types.SpecReports{s}}, nil).SpecReports[0].ReportEntries
		jm, ok := entryAs(j[0], isMeasurement)
		if len(j) != 2 || !ok || jm.Gate == nil || jm.Series != nil || jm.Summary == nil || j[1].Name != "note" {
			t.Fatalf("local %v: junit entries %+v", local, j)
		}
	}
}

func TestValidRefusesWhatTheGateCannotCompare(t *testing.T) {
	for _, tc := range []struct {
		m    stats.Measurement
		want string
	}{
		{stats.Measure("team.reply", "ms", 1, stats.AtMost(2)), ""},
		{stats.Measure("", "ms", 1, stats.AtMost(2)), "a name and a unit"},
		{stats.Measure("team.reply", "", 1, stats.AtMost(2)), "a name and a unit"},
		{stats.Measure("team.reply", "ms", 1, stats.AtMost(2)).Gated(stats.Gate{Worse: "up"}), `worse="up"`},
		{stats.Measure("team.reply", "ms", math.NaN(), stats.AtMost(2)), "not a finite number"},
		{stats.Measure("team.reply", "ms", math.Inf(1), stats.AtMost(2)), "not a finite number"},
		{stats.Measure("team.reply", "ms", 1, stats.AtMost(2)).WithSamples([]float64{1, math.NaN()}), "not a finite number"},
	} {
		err := valid(tc.m)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("valid(%+v) = %v, want %q", tc.m, err, tc.want)
		}
	}
}

func TestLabelsAreDeclaredOnce(t *testing.T) {
	Label("team-a")
	Label("team-b")
	Label("team-a")
	got := strings.Join(Labels(), ",")
	if !strings.Contains(got, "team-a,team-b") || strings.Count(got, "team-a") != 1 {
		t.Fatalf("Labels() = %s", got)
	}
}

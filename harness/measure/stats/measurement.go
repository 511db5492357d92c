package stats

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits bound a measurement; a nil bound is open.
type Limits struct {
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// AtMost is the limit value <= hi.
func AtMost(hi float64) Limits { return Limits{Max: &hi} }

// AtLeast is the limit value >= lo.
func AtLeast(lo float64) Limits { return Limits{Min: &lo} }

// Between is the limit lo <= value <= hi.
func Between(lo, hi float64) Limits { return Limits{Min: &lo, Max: &hi} }

// Around is the limit nominal ± tol.
func Around(nominal, tol float64) Limits { return Between(nominal-tol, nominal+tol) }

// Contains reports whether v lies within the limits. NaN never does.
func (l Limits) Contains(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if l.Min != nil && v < *l.Min {
		return false
	}
	if l.Max != nil && v > *l.Max {
		return false
	}
	return true
}

// String renders the limits as an interval, "[lo, hi]".
func (l Limits) String() string {
	lo, hi := "-inf", "+inf"
	if l.Min != nil {
		lo = formatValue(*l.Min)
	}
	if l.Max != nil {
		hi = formatValue(*l.Max)
	}
	return "[" + lo + ", " + hi + "]"
}

// Measurement is one named, united value with its limits and, where it was
// computed from samples, the summary and raw series behind it.
type Measurement struct {
	Name    string    `json:"name"`
	Unit    string    `json:"unit"`
	Value   float64   `json:"value"`
	Limits  Limits    `json:"limits"`
	Pass    bool      `json:"pass"`
	Summary *Summary  `json:"summary,omitempty"`
	Series  []float64 `json:"series,omitempty"`
	// Points are the conditions a measurement taken under several is made
	// of, such as each rate of a baud sweep; the name stays the same
	// whatever the conditions are.
	Points []Point `json:"points,omitempty"`
	// Gate is how a release gate compares the measurement with a
	// baseline's, for a measurement no built-in rule of the gate covers
	// (a suite's own); nil leaves it ungated.
	Gate *Gate `json:"gate,omitempty"`
}

// Worse is the direction in which a gated measurement regresses.
type Worse string

const (
	Higher Worse = "higher" // a latency, an error count
	Lower  Worse = "lower"  // a rate, a margin
)

// Gate is a measurement's own release-gate rule: it regresses when it
// moved in the Worse direction by more than Pct percent of the baseline's
// value and by more than Floor in its unit. The floor keeps one noisy
// sample from blocking a release.
type Gate struct {
	Worse Worse   `json:"worse"`
	Pct   float64 `json:"pct"`
	Floor float64 `json:"floor"`
}

// Worsened is how far cur moved from base in the Worse direction, in the
// measurement's unit and in percent of base; negative when it improved.
func (g Gate) Worsened(base, cur float64) (by, pct float64) {
	by = cur - base
	if g.Worse == Lower {
		by = -by
	}
	if base == 0 {
		return by, math.Inf(int(math.Copysign(1, by)))
	}
	return by, 100 * by / math.Abs(base)
}

// Blocks reports whether a move from base to cur regresses.
func (g Gate) Blocks(base, cur float64) bool {
	by, pct := g.Worsened(base, cur)
	return by > g.Floor && pct > g.Pct
}

// Gated returns m with its own release-gate rule.
func (m Measurement) Gated(g Gate) Measurement {
	m.Gate = &g
	return m
}

// Point is one condition of a measurement taken under several: the
// condition (At, such as a nominal rate), the value measured there and its
// limits.
type Point struct {
	At     float64 `json:"at"`
	Value  float64 `json:"value"`
	Limits Limits  `json:"limits"`
	Pass   bool    `json:"pass"`
}

// ErrorPct is how far the value lies from At in percent, for a point
// whose value is held against At as its nominal (an effective rate).
func (p Point) ErrorPct() float64 { return 100 * (p.Value - p.At) / p.At }

// Measure builds a Measurement and evaluates it against its limits.
func Measure(name, unit string, value float64, limits Limits) Measurement {
	return Measurement{Name: name, Unit: unit, Value: value, Limits: limits, Pass: limits.Contains(value)}
}

// WithSamples attaches the summary and raw series.
func (m Measurement) WithSamples(samples []float64) Measurement {
	s := Summarize(samples)
	m.Summary = &s
	m.Series = samples
	return m
}

// String is a one-line rendering: "echo.rtt.1B = 212.0 us within [-inf, 5174.0]".
func (m Measurement) String() string {
	verdict := "within"
	if !m.Pass {
		verdict = "OUTSIDE"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %s %s %s %s", m.Name, formatValue(m.Value), m.Unit, verdict, m.Limits)
	if m.Summary != nil {
		s := m.Summary
		fmt.Fprintf(&b, " (n=%d p50=%s p99=%s max=%s)", s.N, formatValue(s.P50), formatValue(s.P99), formatValue(s.Max))
	}
	for i, p := range m.Points {
		sep := ", "
		if i == 0 {
			sep = "; at "
		}
		fmt.Fprintf(&b, "%s%s: %s", sep, strconv.FormatFloat(p.At, 'f', -1, 64), formatValue(p.Value))
		if !p.Pass {
			b.WriteString(" OUTSIDE " + p.Limits.String())
		}
	}
	return b.String()
}

func formatValue(v float64) string {
	if math.Abs(v) >= 1 || v == 0 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

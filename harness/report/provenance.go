package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Unlike lists what makes two runs incomparable, the most telling first:
// another target, bench, firmware (by name: its version is what a gate
// compares), interpreter or board, other settings, or another spec order. Nil when they are
// alike. Faults, the harness version and the time are not compared.
func Unlike(base, cur Report) []string {
	var diffs []string
	differ := func(what, b, c string) {
		if b != c {
			diffs = append(diffs, fmt.Sprintf("%s %s (baseline) vs %s (current)", what, orNone(b), orNone(c)))
		}
	}
	differ("target", base.Target, cur.Target)
	differ("bench", base.BenchID, cur.BenchID)
	differ("firmware", base.FirmwareName, cur.FirmwareName)
	differ("platform", base.Platform, cur.Platform)
	bs, cs := base.Settings, cur.Settings
	differ("baud", itoa(bs.Baud), itoa(cs.Baud))
	if !slices.Equal(bs.Bauds, cs.Bauds) {
		differ("bauds", ints(bs.Bauds), ints(cs.Bauds))
	}
	differ("blink half-period (ms)", ftoa(bs.BlinkHalfMs), ftoa(cs.BlinkHalfMs))
	differ("turnaround allowance (ms)", ftoa(bs.TurnaroundMs), ftoa(cs.TurnaroundMs))
	differ("jitter tolerance (ms)", ftoa(bs.JitterMs), ftoa(cs.JitterMs))
	differ("spec order seed", strconv.FormatInt(base.SpecSeed, 10), strconv.FormatInt(cur.SpecSeed, 10))
	return diffs
}

func orNone(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func itoa(v int) string     { return strconv.Itoa(v) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func ints(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = itoa(v)
	}
	return strings.Join(s, ",")
}

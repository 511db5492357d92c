package report

import (
	"math"
	"slices"
)

// MannWhitney compares two samples with the Mann-Whitney U test (normal
// approximation with tie and continuity correction). It returns the
// one-sided p-value for "b tends to be larger than a" and the effect size
// A = P(b > a) + P(b = a)/2, 0.5 when the samples are alike. Empty samples
// give p = 1, A = 0.5.
func MannWhitney(a, b []float64) (pGreater, effect float64) {
	n1, n2 := float64(len(a)), float64(len(b))
	if n1 == 0 || n2 == 0 {
		return 1, 0.5
	}
	type obs struct {
		v     float64
		fromB bool
	}
	all := make([]obs, 0, len(a)+len(b))
	for _, v := range a {
		all = append(all, obs{v, false})
	}
	for _, v := range b {
		all = append(all, obs{v, true})
	}
	slices.SortFunc(all, func(x, y obs) int { return cmpFloat(x.v, y.v) })
	// Midranks; ties adjust the variance.
	var rankB, tieTerm float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if all[k].fromB {
				rankB += mid
			}
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	u := rankB - n2*(n2+1)/2
	effect = u / (n1 * n2)
	n := n1 + n2
	sigma := math.Sqrt(n1 * n2 / 12 * ((n + 1) - tieTerm/(n*(n-1))))
	if sigma == 0 {
		return 1, effect
	}
	z := (u - n1*n2/2 - 0.5) / sigma
	return 0.5 * math.Erfc(z/math.Sqrt2), effect
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

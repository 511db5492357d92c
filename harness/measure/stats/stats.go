// Package stats summarises samples and carries measurements with units and
// limits, the data that specs record and reports read.
package stats

import (
	"math"
	"slices"
)

// Summary describes a sample set.
type Summary struct {
	N    int     `json:"n"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
}

// Summarize computes a Summary. An empty input gives the zero Summary.
func Summarize(samples []float64) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	mean, std := MeanStd(sorted)
	return Summary{
		N:    len(sorted),
		Min:  sorted[0],
		Max:  sorted[len(sorted)-1],
		Mean: mean,
		Std:  std,
		P50:  Percentile(sorted, 50),
		P90:  Percentile(sorted, 90),
		P99:  Percentile(sorted, 99),
	}
}

// Percentile returns the nearest-rank percentile p (0..100) of sorted
// samples. It returns NaN for an empty input.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// MeanStd returns the mean and the sample standard deviation.
func MeanStd(samples []float64) (mean, std float64) {
	if len(samples) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, s := range samples {
		mean += s
	}
	mean /= float64(len(samples))
	if len(samples) < 2 {
		return mean, 0
	}
	var ss float64
	for _, s := range samples {
		ss += (s - mean) * (s - mean)
	}
	return mean, math.Sqrt(ss / float64(len(samples)-1))
}

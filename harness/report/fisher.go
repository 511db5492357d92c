package report

import "math"

// FisherGreater is the one-sided p-value of Fisher's exact test that the
// second sample has a larger share of hits than the first: k1 hits of n1
// against k2 hits of n2. It is P(X >= k2) for X hypergeometric, n2 draws
// from n1+n2 items of which k1+k2 are hits.
func FisherGreater(k1, n1, k2, n2 int) float64 {
	if n1 <= 0 || n2 <= 0 {
		return 1
	}
	n, hits := n1+n2, k1+k2
	var p float64
	for x := k2; x <= min(hits, n2); x++ {
		p += math.Exp(logChoose(hits, x) + logChoose(n-hits, n2-x) - logChoose(n, n2))
	}
	return min(1, p)
}

func logChoose(n, k int) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

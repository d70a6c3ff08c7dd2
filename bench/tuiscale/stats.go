package main

import (
	"math"
	"slices"
	"time"
)

// summary describes a set of samples: the median (the figure reported, as
// the machine is shared and noisy), the extremes and high percentiles.
type summary struct {
	n                 int
	median, min, max  float64
	p50, p90, p99     float64
	missing           int // samples that never completed (counted as +Inf)
	hasSamples, valid bool
}

// summarize takes samples in any unit; +Inf marks one that never completed.
func summarize(xs []float64) summary {
	s := summary{n: len(xs)}
	if len(xs) == 0 {
		return s
	}
	v := slices.Clone(xs)
	slices.Sort(v)
	for _, x := range v {
		if math.IsInf(x, 1) {
			s.missing++
		}
	}
	s.hasSamples, s.valid = true, true
	s.min, s.max = v[0], v[len(v)-1]
	s.median = median(v)
	s.p50, s.p90, s.p99 = rank(v, 0.50), rank(v, 0.90), rank(v, 0.99)
	return s
}

// median of sorted v: the middle sample, or the mean of the two middle ones.
func median(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	a, b := v[n/2-1], v[n/2]
	if math.IsInf(b, 1) {
		return b
	}
	return (a + b) / 2
}

// rank is the nearest-rank percentile of sorted v: the smallest sample
// with at least q of the samples at or below it.
func rank(v []float64, q float64) float64 {
	k := int(math.Ceil(q*float64(len(v)))) - 1
	return v[max(0, min(k, len(v)-1))]
}

func ms(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		if d == never {
			out[i] = math.Inf(1)
			continue
		}
		out[i] = float64(d) / float64(time.Millisecond)
	}
	return out
}

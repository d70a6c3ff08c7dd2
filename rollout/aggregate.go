package rollout

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// revAgg is what a revision's pods add up to, independent of the clock, so
// it is recomputed only when one of them changes.
type revAgg struct {
	pods, initialized, ready, terminating, failing int
	failed                                         int // pods in phase Failed
	succeeded                                      int // pods in phase Succeeded
	restarts                                       int64
	oldest, newest                                 time.Time // pod creation
	progressAt                                     time.Time
	steps                                          []Step
}

// aggregate adds up pods. The run durations of each step are gathered in
// scratch, which aggregate grows and hands back for the next call: a frame
// re-aggregates every changed revision, and allocating those lists anew
// each time was a fifth of what a summary after a batch allocated.
func aggregate(pods map[podKey]*podFacts, scratch []time.Duration) (revAgg, []time.Duration) {
	var a revAgg
	var runs [][]time.Duration
	scratch = scratch[:0]
	// carve gives a step room for every run of every pod in one part of
	// scratch; the few pods with a step the first pod lacks get their own.
	carve := func() []time.Duration {
		n := 2 * len(pods)
		if cap(scratch)-len(scratch) < n {
			return make([]time.Duration, 0, n)
		}
		part := scratch[len(scratch) : len(scratch) : len(scratch)+n]
		scratch = scratch[:len(scratch)+n]
		return part
	}
	var reasons map[int]map[string]int
	for _, f := range pods {
		a.pods++
		if f.initialized {
			a.initialized++
		}
		if f.ready {
			a.ready++
		}
		if f.terminating {
			a.terminating++
		}
		if f.failed {
			a.failed++
		}
		if f.succeeded {
			a.succeeded++
		}
		if len(f.failures) > 0 {
			a.failing++
		}
		a.restarts += f.restarts
		if a.oldest.IsZero() || f.created.Before(a.oldest) {
			a.oldest = f.created
		}
		if f.created.After(a.newest) {
			a.newest = f.created
		}
		if f.progressAt.After(a.progressAt) {
			a.progressAt = f.progressAt
		}
		if a.steps == nil {
			a.steps = make([]Step, 0, len(f.steps))
			runs = make([][]time.Duration, 0, len(f.steps))
			if need := 2 * len(pods) * len(f.steps); cap(scratch) < need {
				scratch = make([]time.Duration, 0, need)
			}
		}
		for i := range f.steps {
			sf := &f.steps[i]
			j := stepIndex(a.steps, sf.name, i)
			if j < 0 {
				a.steps = append(a.steps, Step{Name: sf.name, Index: len(a.steps), Sidecar: sf.sidecar})
				runs = append(runs, carve())
				j = len(a.steps) - 1
			}
			st := &a.steps[j]
			st.Restarts += int64(sf.restarts)
			runs[j] = append(runs[j], sf.runs[:sf.n]...)
			switch sf.state {
			case StepDone:
				st.Done++
			case StepNotReached:
				st.NotReached++
			case StepRunning:
				st.Running++
			case StepWaiting:
				st.Waiting++
			case StepCrashLooping:
				st.CrashLooping++
			case StepFailed:
				st.Failed++
			}
			if (sf.state == StepWaiting || sf.state == StepCrashLooping) && sf.reason != "" {
				if reasons == nil {
					reasons = map[int]map[string]int{}
				}
				if reasons[j] == nil {
					reasons[j] = map[string]int{}
				}
				reasons[j][sf.reason]++
			}
		}
	}
	for j := range a.steps {
		a.steps[j].Durations = durationsOf(runs[j])
		a.steps[j].Reasons = reasonCounts(reasons[j])
		// Pods whose spec lacks the step (a template changed within one
		// revision cannot happen, but pods of a workload without
		// revisions may differ) have not reached it.
		st := &a.steps[j]
		if n := st.Done + st.Held() + st.NotReached; n < a.pods {
			st.NotReached += a.pods - n
		}
	}
	return a, scratch
}

// stepIndex finds the step named name, looking first where it usually is.
func stepIndex(steps []Step, name string, hint int) int {
	if hint < len(steps) && steps[hint].Name == name {
		return hint
	}
	return slices.IndexFunc(steps, func(s Step) bool { return s.Name == name })
}

func reasonCounts(m map[string]int) []ReasonCount {
	if len(m) == 0 {
		return nil
	}
	out := make([]ReasonCount, 0, len(m))
	for r, n := range m {
		out = append(out, ReasonCount{Reason: r, Count: n})
	}
	slices.SortFunc(out, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Reason, b.Reason))
	})
	return out
}

// durationsOf computes percentiles (nearest rank) and the histogram of d,
// which it sorts in place.
func durationsOf(d []time.Duration) Durations {
	if len(d) == 0 {
		return Durations{}
	}
	slices.Sort(d)
	out := Durations{Count: len(d), P50: percentile(d, 50), P95: percentile(d, 95), Max: d[len(d)-1]}
	out.Histogram = make([]int, HistogramBuckets)
	for _, v := range d {
		i := HistogramBuckets - 1
		if out.Max > 0 {
			i = min(int(int64(v)*HistogramBuckets/int64(out.Max)), HistogramBuckets-1)
		}
		out.Histogram[i]++
	}
	return out
}

// percentile is the nearest-rank percentile p of sorted d.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

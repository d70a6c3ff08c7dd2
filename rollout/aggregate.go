package rollout

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// revAgg is what a revision's pods add up to, independent of the clock. A
// group's tally keeps it up to date as pods change; finish turns it into
// this form only for the revisions that changed since the last summary.
type revAgg struct {
	pods, initialized, ready, terminating, failing int
	failed                                         int // pods in phase Failed
	succeeded                                      int // pods in phase Succeeded
	restarts                                       int64
	oldest, newest                                 time.Time // pod creation
	progressAt                                     time.Time
	steps                                          []Step
}

// tally is a revision's sums kept by difference: a changed pod takes its
// old facts out and puts its new ones in, so a batch of changes costs what
// the changed pods cost, not a walk over every pod of their revisions
// (that walk was a quarter of a summary after a batch at 10,000 pods).
// Only the oldest/newest creation and the last progress cannot be taken
// out; when the pod that held one of them leaves, they are found again by
// a walk over the revision's pods, which a summary does only then.
type tally struct {
	revAgg
	steps         []stepTally
	extremesStale bool
}

// stepTally is one step's counts and the sorted durations of its finished
// runs, which give its percentiles without sorting anew.
type stepTally struct {
	Step
	pods    int             // pods whose spec has the step
	runs    []time.Duration // sorted
	reasons map[string]int
}

// put adds f's facts (sign 1) or takes them out (sign -1).
func (t *tally) put(f *podFacts, sign int) {
	t.pods += sign
	t.initialized += sign * b2i(f.initialized)
	t.ready += sign * b2i(f.ready)
	t.terminating += sign * b2i(f.terminating)
	t.failed += sign * b2i(f.failed)
	t.succeeded += sign * b2i(f.succeeded)
	t.failing += sign * b2i(len(f.failures) > 0)
	t.restarts += int64(sign) * f.restarts
	for i := range f.steps {
		sf := &f.steps[i]
		st := t.step(sf, i)
		st.pods += sign
		st.Restarts += int64(sign) * int64(sf.restarts)
		switch sf.state {
		case StepDone:
			st.Done += sign
		case StepNotReached:
			st.NotReached += sign
		case StepRunning:
			st.Running += sign
		case StepWaiting:
			st.Waiting += sign
		case StepCrashLooping:
			st.CrashLooping += sign
		case StepFailed:
			st.Failed += sign
		}
		if (sf.state == StepWaiting || sf.state == StepCrashLooping) && sf.reason != "" {
			if st.reasons == nil {
				st.reasons = map[string]int{}
			}
			if st.reasons[sf.reason] += sign; st.reasons[sf.reason] <= 0 {
				delete(st.reasons, sf.reason)
			}
		}
		for _, d := range sf.runs[:sf.n] {
			i, found := slices.BinarySearch(st.runs, d)
			switch {
			case sign > 0:
				st.runs = slices.Insert(st.runs, i, d)
			case found:
				st.runs = slices.Delete(st.runs, i, i+1)
			}
		}
	}
	if sign > 0 {
		t.widen(f)
		return
	}
	if f.created.Equal(t.oldest) || f.created.Equal(t.newest) || (!f.progressAt.IsZero() && f.progressAt.Equal(t.progressAt)) {
		t.extremesStale = true
	}
}

// replace swaps a pod's old facts for its new ones. The pod keeps its
// creation time, and its progress only moves forward as a rule, so the
// extremes rarely need a walk.
func (t *tally) replace(old, f *podFacts) {
	stale := t.extremesStale
	t.put(old, -1)
	if !stale && old.created.Equal(f.created) && !f.progressAt.Before(old.progressAt) {
		t.extremesStale = false
	}
	t.put(f, 1)
}

// widen lets f's times into the extremes.
func (t *tally) widen(f *podFacts) {
	if t.oldest.IsZero() || f.created.Before(t.oldest) {
		t.oldest = f.created
	}
	if f.created.After(t.newest) {
		t.newest = f.created
	}
	if f.progressAt.After(t.progressAt) {
		t.progressAt = f.progressAt
	}
}

// step finds the tally of sf's step, looking first at the pod's own index,
// and starts one for a step not seen before.
func (t *tally) step(sf *stepFact, hint int) *stepTally {
	if hint < len(t.steps) && t.steps[hint].Name == sf.name {
		return &t.steps[hint]
	}
	for i := range t.steps {
		if t.steps[i].Name == sf.name {
			return &t.steps[i]
		}
	}
	t.steps = append(t.steps, stepTally{Step: Step{Name: sf.name, Sidecar: sf.sidecar}})
	return &t.steps[len(t.steps)-1]
}

// finish is the revision's sums as a summary shows them. Steps are a new
// slice each time: summaries already handed out keep theirs.
func (t *tally) finish(pods map[podKey]*podFacts) revAgg {
	if t.extremesStale {
		t.oldest, t.newest, t.progressAt = time.Time{}, time.Time{}, time.Time{}
		for _, f := range pods {
			t.widen(f)
		}
		t.extremesStale = false
	}
	out := t.revAgg
	out.steps = make([]Step, 0, len(t.steps))
	for i := range t.steps {
		st := &t.steps[i]
		if st.pods <= 0 {
			continue
		}
		step := st.Step
		step.Index = len(out.steps)
		step.Durations = durationsOf(st.runs)
		step.Reasons = reasonCounts(st.reasons)
		// Pods whose spec lacks the step (pods of a workload without
		// revisions may differ) have not reached it.
		if n := step.Done + step.Held() + step.NotReached; n < out.pods {
			step.NotReached += out.pods - n
		}
		out.steps = append(out.steps, step)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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

// durationsOf computes percentiles (nearest rank) and the histogram of
// sorted d.
func durationsOf(d []time.Duration) Durations {
	if len(d) == 0 {
		return Durations{}
	}
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

package podlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// An entry updated version after version keeps its labels and search
// strings when they have not changed: what it holds must be exactly what
// an entry made from the last version alone holds, whatever the labels do
// (come, go, change value, in upper case, non-ASCII, needing sanitizing).
func TestUpdatedEntryHoldsWhatAFreshOneDoes(t *testing.T) {
	keys := []string{"app", "App", "tier", "pod-template-hash", "é", "x\x1b[31m"}
	values := []string{"web", "Web", "api", "ß", "a\tb", "", "v=1"}
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		pods := tuitest.SyntheticPods(1, seed)
		var e podEntry
		for step := 0; step < 300; step++ {
			p := pods[0].DeepCopy()
			p.ResourceVersion = fmt.Sprint(step)
			if r.IntN(3) > 0 {
				p.Labels = map[string]string{}
				for range r.IntN(4) {
					p.Labels[keys[r.IntN(len(keys))]] = values[r.IntN(len(values))]
				}
			} else if step > 0 {
				p.Labels = e.pod.Labels // the labels as they were
			}
			e.update(p, tuitest.Now)
			var fresh podEntry
			fresh.update(p, tuitest.Now)
			lower := func(e *podEntry) []string {
				if e.labelsLower == nil {
					return e.labels
				}
				return e.labelsLower
			}
			if !slices.Equal(e.labels, fresh.labels) || !slices.Equal(lower(&e), lower(&fresh)) ||
				e.search != fresh.search || e.searchLower != fresh.searchLower {
				t.Fatalf("seed %d step %d: labels %q/%q search %q, fresh %q/%q %q",
					seed, step, e.labels, lower(&e), e.search, fresh.labels, lower(&fresh), fresh.search)
			}
			for _, q := range []string{"app=web", "APP=WEB", "é=ß", "tier", "=", "v=1"} {
				m := newMatcher(q)
				if m.entry(&e) != m.entry(&fresh) {
					t.Fatalf("seed %d step %d: query %q matches %v, fresh %v", seed, step, q, m.entry(&e), m.entry(&fresh))
				}
			}
		}
	}
}

package podlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
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
			e.update(kube.PackStamped(p), p, tuitest.Now)
			var fresh podEntry
			fresh.update(kube.PackStamped(p), p, tuitest.Now)
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

// There is one entry a pod, 50,000 of them in a large scope: an entry
// must fit the 512-byte size class. It was 864 bytes (the 896-byte class)
// while it held the whole model.PodView and the filter's highlights.
func TestEntrySize(t *testing.T) {
	const sizeClass = 512
	if got := unsafe.Sizeof(podEntry{}); got > sizeClass {
		t.Fatalf("podEntry is %d bytes, more than the %d-byte size class", got, sizeClass)
	}
}

// The list keeps the highlights of the rows on screen only: whatever the
// query, the scrolling and the batches, every row on screen has exactly
// the highlight a fresh computation gives, and no entry off screen has
// one.
func TestHighlightsFollowTheScreen(t *testing.T) {
	pods := tuitest.SyntheticPods(600, 5)
	steps := []struct {
		name   string
		script []string
		// batch upserts new versions of the first pods before the keys.
		batch bool
		// want is whether the rows on screen have highlights at all.
		want bool
	}{
		{name: "no query", script: []string{"jjj"}},
		{name: "query", script: []string{"/", "te", "<enter>"}, want: true},
		{name: "scrolled", script: []string{"<pgdown>", "<pgdown>", "jjjjj"}, want: true},
		{name: "batch", batch: true, script: []string{"j"}, want: true},
		{name: "narrower query", script: []string{"/", "a", "<enter>"}, want: true},
		{name: "back to the top", script: []string{"g"}, want: true},
		{name: "label query", script: []string{"/", "<backspace>", "<backspace>", "<backspace>", "app=web", "<enter>"}},
		{name: "name query again", script: []string{"<esc>", "/", "web", "<enter>", "<pgdown>"}, want: true},
		{name: "cleared", script: []string{"<esc>"}},
	}
	a := newTestList(t, themes.Dark(), 120, 20, pods)
	for i, s := range steps {
		if s.batch {
			var b kube.Batch
			for _, p := range pods[:100] {
				q := p.DeepCopy()
				q.ResourceVersion = fmt.Sprint(2 + i)
				b.Upserted = append(b.Upserted, q)
			}
			a = step(a, batchAt{Batch: b, At: tuitest.Now})
		}
		a = press(a, s.script...)
		l := &a.list
		shown := map[*podEntry]bool{}
		lit := false
		for _, r := range l.visible() {
			if e := r.pod; e != nil {
				shown[e] = true
				want := highlight(l.query, e)
				if got := l.highlightOf(e); !slices.Equal(got, want) {
					t.Fatalf("%s: %s highlighted %v for %q, want %v", s.name, e.search, got, l.query, want)
				}
				lit = lit || len(want) > 0
			}
		}
		if lit != s.want {
			t.Fatalf("%s: rows on screen highlighted: %v, want %v (query %q)", s.name, lit, s.want, l.query)
		}
		for e := range l.hl {
			if !shown[e] {
				t.Fatalf("%s: %s, off screen, keeps a highlight", s.name, e.search)
			}
		}
	}
}

// Entries of pods that share a label map share its pairs, and a pod whose
// labels change leaves the pairs of the others as they were: each entry
// holds exactly what an entry made from its pod alone holds, through
// changes of labels, pods sharing maps and a cache that fills up.
func TestSharedLabelPairs(t *testing.T) {
	pods := tuitest.SyntheticPods(3*labelCacheSize, 11)
	web := map[string]string{"app": "web", "Tier": "API"}
	db := map[string]string{"app": "web", "Tier": "db"} // as many pairs as web
	version := func(i int, labels map[string]string, rv int) *corev1.Pod {
		p := pods[i].DeepCopy()
		p.Labels, p.ResourceVersion = labels, fmt.Sprint(rv)
		return p
	}
	steps := []struct {
		name string
		// pods are the new versions of the batch.
		pods func(rv int) []*corev1.Pod
		// shared are pods whose entries must hold the same pairs.
		shared []int
	}{
		{name: "three pods, one map", pods: func(rv int) []*corev1.Pod {
			return []*corev1.Pod{version(0, web, rv), version(1, web, rv), version(2, web, rv)}
		}, shared: []int{0, 1, 2}},
		{name: "one pod changes its labels", pods: func(rv int) []*corev1.Pod {
			return []*corev1.Pod{version(0, db, rv)}
		}, shared: []int{1, 2}},
		{name: "and back", pods: func(rv int) []*corev1.Pod {
			return []*corev1.Pod{version(0, web, rv)}
		}, shared: []int{0, 1, 2}},
		{name: "more maps than the cache keeps", pods: func(rv int) []*corev1.Pod {
			var out []*corev1.Pod
			for i := 3; i < len(pods); i++ {
				out = append(out, version(i, map[string]string{"app": fmt.Sprint("App-", i%7), "n": fmt.Sprint(i)}, rv))
			}
			return out
		}},
		{name: "the first map again", pods: func(rv int) []*corev1.Pod {
			return []*corev1.Pod{version(1, db, rv), version(2, db, rv)}
		}, shared: []int{1, 2}},
	}
	s := newPodStore()
	for i, st := range steps {
		s.apply(kube.Batch{Upserted: st.pods(2 + i)}, tuitest.Now)
		if len(s.labels.byMap) > labelCacheSize {
			t.Fatalf("%s: the cache holds %d maps, more than %d", st.name, len(s.labels.byMap), labelCacheSize)
		}
		for _, e := range s.pods {
			var fresh podEntry
			fresh.update(e.pod, e.pod.Pod(), tuitest.Now)
			if !slices.Equal(e.labels, fresh.labels) || !slices.Equal(e.labelsLower, fresh.labelsLower) {
				t.Fatalf("%s: %s holds %q/%q, its pod gives %q/%q",
					st.name, e.key.Name, e.labels, e.labelsLower, fresh.labels, fresh.labelsLower)
			}
		}
		for j := 1; j < len(st.shared); j++ {
			a, b := s.pods[kube.KeyOf(pods[st.shared[0]])], s.pods[kube.KeyOf(pods[st.shared[j]])]
			if &a.labels[0] != &b.labels[0] || &a.labelsLower[0] != &b.labelsLower[0] {
				t.Fatalf("%s: %s and %s do not share their pairs", st.name, a.key.Name, b.key.Name)
			}
		}
	}
}

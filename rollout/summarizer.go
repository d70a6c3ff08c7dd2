package rollout

import (
	"cmp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DefaultMovingWindow is how recently a pod must have finished a step for
// its workload to count as moving.
const DefaultMovingWindow = 3 * time.Minute

// Options tune a Summarizer.
type Options struct {
	// MovingWindow: a workload moves when one of its pods finished a step
	// (or turned Ready) within it. Zero means DefaultMovingWindow.
	MovingWindow time.Duration
}

// Summarize is the summary of pods at now, their owners read from owners
// (nil: from the pods alone). For a stream of changes, keep a Summarizer.
func Summarize(pods []*corev1.Pod, owners *Owners, now time.Time, opts Options) Summary {
	s := NewSummarizer(owners, opts)
	for _, p := range pods {
		s.Upsert(p)
	}
	return s.Summary(now)
}

// Summarizer keeps a summary up to date as pods change. It digests each pod
// when it changes (Upsert), and on Summary recomputes only the revisions
// whose pods changed since the last call, so a batch of changes among
// 10,000 pods costs a fraction of a full pass. Owners may change between
// calls (through the same *Owners); pods are then re-placed per owner, not
// per pod. Not safe for concurrent use.
type Summarizer struct {
	owners    *Owners
	window    time.Duration
	pods      map[podKey]*podFacts
	groups    map[immediate]*group
	workloads map[WorkloadRef]*workloadState
	ownersGen uint64
	placed    bool // groups were placed at ownersGen
	idx       *ownerIndex
	idxGen    uint64
}

type podKey struct{ context, namespace, name string }

// group is the pods of one immediate owner: one revision of one workload.
type group struct {
	key   immediate
	place Placement
	pods  map[podKey]*podFacts
	tally tally  // kept as pods change
	dirty bool   // agg is behind tally
	agg   revAgg // tally as of the last summary
}

// workloadState is one workload's groups and its cached signatures.
type workloadState struct {
	ref    WorkloadRef
	groups []*group
	dirty  bool // cached is stale
	// sigsDirty: a pod that fails or failed changed, or groups moved. Most
	// changes of a rollout are pods getting further, which leave the
	// signatures as they were; regrouping every failure of the workload for
	// them was an eighth of a summary after a batch.
	sigsDirty bool
	sigs      []Signature
	// cached is the last assembled Workload, valid while fresh and while
	// its owner object and the owner index are the ones it was built from;
	// only the clock's fields are then recomputed.
	cached Workload
	fresh  bool
	owner  metav1.Object
	idxGen uint64
}

// NewSummarizer returns an empty Summarizer reading owners (may be nil).
func NewSummarizer(owners *Owners, opts Options) *Summarizer {
	if opts.MovingWindow <= 0 {
		opts.MovingWindow = DefaultMovingWindow
	}
	return &Summarizer{
		owners:    owners,
		window:    opts.MovingWindow,
		pods:      make(map[podKey]*podFacts),
		groups:    make(map[immediate]*group),
		workloads: make(map[WorkloadRef]*workloadState),
	}
}

// Upsert records the current version of pod.
func (s *Summarizer) Upsert(pod *corev1.Pod) {
	if pod == nil {
		return
	}
	f := factsOf(pod)
	key := podKey{f.ref.Context, f.ref.Namespace, f.ref.Name}
	if old, ok := s.pods[key]; ok {
		if old.owner == f.owner {
			s.pods[key] = f
			g := s.groups[f.owner]
			g.pods[key] = f
			g.tally.replace(old, f)
			s.touch(g, len(old.failures) > 0 || len(f.failures) > 0)
			return
		}
		s.detach(key, old)
	}
	s.pods[key] = f
	g := s.groups[f.owner]
	if g == nil {
		g = &group{key: f.owner, pods: make(map[podKey]*podFacts)}
		g.place = s.owners.resolve(f.owner)
		s.groups[f.owner] = g
		s.workload(g.place.Workload).add(g)
	}
	g.pods[key] = f
	g.tally.put(f, 1)
	s.touch(g, len(f.failures) > 0)
}

// Remove forgets a pod.
func (s *Summarizer) Remove(context, namespace, name string) {
	key := podKey{context, namespace, name}
	if old, ok := s.pods[key]; ok {
		s.detach(key, old)
		delete(s.pods, key)
	}
}

// Len is the number of pods held.
func (s *Summarizer) Len() int { return len(s.pods) }

func (s *Summarizer) detach(key podKey, f *podFacts) {
	g := s.groups[f.owner]
	if g == nil {
		return
	}
	delete(g.pods, key)
	g.tally.put(f, -1)
	s.touch(g, len(f.failures) > 0)
	if len(g.pods) == 0 {
		delete(s.groups, g.key)
		s.workloads[g.place.Workload].remove(g)
		if len(s.workloads[g.place.Workload].groups) == 0 {
			delete(s.workloads, g.place.Workload)
		}
	}
}

// touch marks g's sums, and its workload, as behind; failures says whether
// the change involved a failing pod, so the signatures are regrouped.
func (s *Summarizer) touch(g *group, failures bool) {
	g.dirty = true
	if w := s.workloads[g.place.Workload]; w != nil {
		w.dirty = true
		w.sigsDirty = w.sigsDirty || failures
	}
}

func (s *Summarizer) workload(ref WorkloadRef) *workloadState {
	w := s.workloads[ref]
	if w == nil {
		w = &workloadState{ref: ref}
		s.workloads[ref] = w
	}
	return w
}

func (w *workloadState) add(g *group) {
	w.groups = append(w.groups, g)
	w.dirty, w.sigsDirty = true, true
}

func (w *workloadState) remove(g *group) {
	if i := slices.Index(w.groups, g); i >= 0 {
		w.groups = slices.Delete(w.groups, i, i+1)
	}
	w.dirty, w.sigsDirty = true, true
}

// replace re-resolves every group when the owners changed: a ReplicaSet
// listed late moves its pods from an inferred Deployment to the real one.
func (s *Summarizer) replace() {
	gen := s.owners.Generation()
	if s.placed && gen == s.ownersGen {
		return
	}
	s.ownersGen, s.placed = gen, true
	for _, g := range s.groups {
		p := s.owners.resolve(g.key)
		if p == g.place {
			continue
		}
		if p.Workload != g.place.Workload {
			if w := s.workloads[g.place.Workload]; w != nil {
				w.remove(g)
				if len(w.groups) == 0 {
					delete(s.workloads, g.place.Workload)
				}
			}
			g.place = p
			s.workload(p.Workload).add(g)
			continue
		}
		g.place = p
		s.workloads[p.Workload].dirty = true
	}
}

// Summary is the summary at now.
func (s *Summarizer) Summary(now time.Time) Summary {
	s.replace()
	idx := s.index()
	out := Summary{Access: s.owners.Access(), Fallback: s.owners.Access().Lines(), Pods: len(s.pods)}
	out.Workloads = make([]Workload, 0, len(s.workloads))
	for _, w := range s.workloads {
		for _, g := range w.groups {
			if g.dirty {
				g.agg = g.tally.finish(g.pods)
				g.dirty = false
			}
		}
		if w.sigsDirty {
			w.sigs = workloadSignatures(w)
			w.sigsDirty = false
		}
		if w.dirty {
			w.dirty, w.fresh = false, false
		}
		out.Workloads = append(out.Workloads, s.assemble(w, idx, now))
	}
	slices.SortFunc(out.Workloads, compareWorkloads)
	return out
}

// workloadSignatures groups the failures of every pod of w.
func workloadSignatures(w *workloadState) []Signature {
	g := newSigGrouper()
	for _, grp := range w.groups {
		if grp.agg.failing == 0 {
			continue
		}
		for _, f := range grp.pods {
			for i := range f.failures {
				g.add(w.ref, f.ref, &f.failures[i])
			}
		}
	}
	return g.result()
}

// compareWorkloads puts first the rollouts that cannot or do not progress,
// then those in progress, then the finished ones with failing pods, then
// the rest, each by name.
func compareWorkloads(a, b Workload) int {
	return cmp.Or(cmp.Compare(rank(&a), rank(&b)), compareRefs(a.Ref, b.Ref))
}

// compareRefs orders as WorkloadRef.String would, without building it.
func compareRefs(a, b WorkloadRef) int {
	return cmp.Or(strings.Compare(a.Context, b.Context), strings.Compare(a.Namespace, b.Namespace),
		strings.Compare(a.Kind, b.Kind), strings.Compare(a.Name, b.Name))
}

func rank(w *Workload) int {
	switch {
	case !w.Done && (w.Failed || w.Stalled || len(w.Signatures) > 0):
		return 0
	case !w.Done:
		return 1
	case len(w.Signatures) > 0:
		return 2
	}
	return 3
}

package rollout

import (
	"cmp"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ownerIndex answers, for one summary, the questions that need a scan of
// the owners: which ReplicaSet is a Deployment's newest, even before it
// has pods.
type ownerIndex struct {
	newestRS map[WorkloadRef]Revision
}

func newOwnerIndex(o *Owners) *ownerIndex {
	idx := &ownerIndex{newestRS: map[WorkloadRef]Revision{}}
	o.Each(KindReplicaSet, func(k OwnerKey, obj metav1.Object) {
		c := controllerOf(obj.GetOwnerReferences())
		if c == nil || c.Kind != KindDeployment {
			return
		}
		w := WorkloadRef{Context: k.Context, Namespace: k.Namespace, Kind: KindDeployment, Name: c.Name}
		r := Revision{Name: k.Name, Number: revisionOf(obj), Created: obj.GetCreationTimestamp().Time}
		if cur, ok := idx.newestRS[w]; !ok || r.Number > cur.Number {
			idx.newestRS[w] = r
		}
	})
	return idx
}

// index returns the cached index, rebuilt when the owners changed.
func (s *Summarizer) index() *ownerIndex {
	if s.idx == nil || s.idxGen != s.owners.Generation() {
		s.idx, s.idxGen = newOwnerIndex(s.owners), s.owners.Generation()
	}
	return s.idx
}

// assemble builds the Workload of w at now from its revisions' cached sums
// and its owner.
func (s *Summarizer) assemble(w *workloadState, idx *ownerIndex, now time.Time) Workload {
	owner, _ := s.owners.Get(OwnerKey{Context: w.ref.Context, Kind: w.ref.Kind, Namespace: w.ref.Namespace, Name: w.ref.Name})
	if w.fresh && w.owner == owner && w.idxGen == s.idxGen {
		out := w.cached
		s.clockFields(&out, now)
		return out
	}
	out := s.build(w, owner, idx)
	w.cached, w.fresh, w.owner, w.idxGen = out, true, owner, s.idxGen
	s.clockFields(&out, now)
	return out
}

// clockFields sets what depends on the clock: how long the rollout has
// run, whether it moves or stalls.
func (s *Summarizer) clockFields(out *Workload, now time.Time) {
	out.Running = 0
	if !out.Done && !out.Started.IsZero() {
		out.Running = max(now.Sub(out.Started), 0)
	}
	out.Moving = !out.LastProgress.IsZero() && now.Sub(out.LastProgress) <= s.window
	out.Stalled = !out.Done && !out.Failed && !out.Moving && out.Running > s.window
}

// build computes the clock-independent part of w's Workload.
func (s *Summarizer) build(w *workloadState, owner metav1.Object, idx *ownerIndex) Workload {
	out := Workload{Ref: w.ref, Signatures: w.sigs, Bottleneck: -1, Slowest: -1}
	if w.ref.Kind != KindNone && owner == nil {
		out.Inferred = true
	}

	revs := make([]Revision, 0, len(w.groups)+1)
	aggs := make([]*revAgg, 0, len(w.groups)+1)
	for _, g := range w.groups {
		a := &g.agg
		r := Revision{Name: g.place.Revision, Number: g.place.Number, Pods: a.pods, Initialized: a.initialized,
			Ready: a.ready, Terminating: a.terminating, Failing: a.failing, Failed: a.failed, Succeeded: a.succeeded, Created: a.oldest}
		if g.place.Inferred {
			out.Inferred = true
		}
		if rs, ok := s.owners.Get(OwnerKey{Context: w.ref.Context, Kind: KindReplicaSet, Namespace: w.ref.Namespace, Name: g.place.Revision}); ok && g.key.kind == KindReplicaSet {
			r.Created = rs.GetCreationTimestamp().Time
		}
		revs = append(revs, r)
		aggs = append(aggs, a)
		out.Pods += a.pods
		out.Restarts += a.restarts
		if a.progressAt.After(out.LastProgress) {
			out.LastProgress = a.progressAt
		}
	}
	newest := s.newestRevision(w, owner, idx, &revs, &aggs)
	if newest >= 0 {
		revs[newest].New = true
	}
	order := make([]int, len(revs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &revs[a], &revs[b]
		if ra.New != rb.New {
			if ra.New {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(rb.Number, ra.Number), rb.Created.Compare(ra.Created), cmp.Compare(ra.Name, rb.Name))
	})
	out.Revisions = make([]Revision, len(revs))
	for i, j := range order {
		out.Revisions[i] = revs[j]
	}

	var nr Revision
	if newest >= 0 {
		nr = revs[newest]
		out.Updated, out.Initialized, out.Ready = nr.Pods, nr.Initialized, nr.Ready
		out.Started = nr.Created
		if a := aggs[newest]; a != nil {
			out.Steps = a.steps
		}
	}
	out.Desired = desiredOf(owner, s.owners, w.ref, nr.Name)
	st := s.statusOf(owner, w.ref, nr, out.Pods-nr.Pods, out.Desired)
	out.Status, out.Done, out.Failed = st.msg, st.done, st.failed
	want := out.Pods
	if out.Desired != nil {
		want = int(*out.Desired)
	}
	switch {
	case want > 0:
		got := out.Ready
		if w.ref.Kind == KindJob || w.ref.Kind == KindCronJob {
			got += nr.Succeeded
		}
		out.Progress = min(float64(got)/float64(want), 1)
	case out.Done:
		out.Progress = 1
	}
	out.Bottleneck, out.Slowest = markSteps(out.Steps)
	return out
}

// newestRevision picks the revision a rollout moves pods to, adding it
// (without pods) when its owner names one no pod has yet. It returns its
// index in revs, -1 when there is none.
func (s *Summarizer) newestRevision(w *workloadState, owner metav1.Object, idx *ownerIndex, revs *[]Revision, aggs *[]*revAgg) int {
	named := ""
	switch o := owner.(type) {
	case *appsv1.Deployment:
		if r, ok := idx.newestRS[w.ref]; ok {
			named = r.Name
			if !slices.ContainsFunc(*revs, func(x Revision) bool { return x.Name == r.Name }) {
				*revs = append(*revs, r)
				*aggs = append(*aggs, nil)
			}
		}
		_ = o
	case *appsv1.StatefulSet:
		if r := o.Status.UpdateRevision; r != "" {
			named = r
			if !slices.ContainsFunc(*revs, func(x Revision) bool { return x.Name == r }) {
				*revs = append(*revs, Revision{Name: r})
				*aggs = append(*aggs, nil)
			}
		}
	}
	if named != "" {
		return slices.IndexFunc(*revs, func(x Revision) bool { return x.Name == named })
	}
	best := -1
	for i, r := range *revs {
		if best < 0 {
			best = i
			continue
		}
		b := (*revs)[best]
		var newer bool
		switch {
		case r.Number != b.Number:
			newer = r.Number > b.Number
		default:
			newer = (*aggs)[i].newest.After((*aggs)[best].newest)
		}
		if newer {
			best = i
		}
	}
	return best
}

// desiredOf reads the replicas the owner asks for.
func desiredOf(owner metav1.Object, owners *Owners, w WorkloadRef, newest string) *int32 {
	if w.Kind == KindCronJob {
		// The CronJob's newest Job (typed or metadata-only, whichever the
		// CronJob came as, it says nothing of completions).
		if job, ok := newestJob(owners, w, newest); ok {
			n := jobCompletions(job)
			return &n
		}
		return nil
	}
	switch o := owner.(type) {
	case *appsv1.Deployment:
		return o.Spec.Replicas
	case *appsv1.StatefulSet:
		return o.Spec.Replicas
	case *appsv1.DaemonSet:
		n := o.Status.DesiredNumberScheduled
		return &n
	case *batchv1.Job:
		n := jobCompletions(o)
		return &n
	}
	return nil
}

// statusOf says how the rollout stands, by kubectl's rules where the owner
// could be read, from the pods otherwise.
func (s *Summarizer) statusOf(owner metav1.Object, w WorkloadRef, newest Revision, old int, desired *int32) rolloutStatus {
	if w.Kind == KindCronJob {
		if job, ok := newestJob(s.owners, w, newest.Name); ok {
			return jobStatus(job)
		}
		return podsStatus(newest, old, desired, fallbackNote(owner, w))
	}
	switch o := owner.(type) {
	case *appsv1.Deployment:
		return deploymentStatus(o)
	case *appsv1.StatefulSet:
		return statefulSetStatus(o)
	case *appsv1.DaemonSet:
		return daemonSetStatus(o)
	case *batchv1.Job:
		return jobStatus(o)
	}
	return podsStatus(newest, old, desired, fallbackNote(owner, w))
}

// noteFromPods ends a status counted from pods because the owner could not
// be read.
const noteFromPods = "owner not read: counted from pods"

// fallbackNote says why a status was counted from pods: the owner could
// not be read. Pods without owner and owners of kinds initwatch does not
// read need no note.
func fallbackNote(owner metav1.Object, w WorkloadRef) string {
	if owner != nil {
		return ""
	}
	switch w.Kind {
	case KindDeployment, KindStatefulSet, KindDaemonSet, KindJob, KindCronJob, KindReplicaSet:
		return noteFromPods
	}
	return ""
}

// markSteps finds the bottleneck (most pods held) and the slowest step
// (largest p95); -1 when no step holds a pod or none has finished a run.
func markSteps(steps []Step) (bottleneck, slowest int) {
	bottleneck, slowest = -1, -1
	for i := range steps {
		if h := steps[i].Held(); h > 0 && (bottleneck < 0 || h > steps[bottleneck].Held()) {
			bottleneck = i
		}
		if d := steps[i].Durations; d.Count > 0 && (slowest < 0 || d.P95 > steps[slowest].Durations.P95) {
			slowest = i
		}
	}
	return bottleneck, slowest
}

// newestJob is the Job of a CronJob's newest revision.
func newestJob(owners *Owners, w WorkloadRef, name string) (*batchv1.Job, bool) {
	obj, ok := owners.Get(OwnerKey{Context: w.Context, Kind: KindJob, Namespace: w.Namespace, Name: name})
	if !ok {
		return nil, false
	}
	job, ok := obj.(*batchv1.Job)
	return job, ok
}

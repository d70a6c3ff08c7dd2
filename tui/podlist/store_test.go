package podlist

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"k8s.io/apimachinery/pkg/types"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// TestBatchesAreIdempotent: a relist delivers every pod again; nothing is
// duplicated, no history entry is added, removals and re-creations work.
func TestBatchesAreIdempotent(t *testing.T) {
	pods := tuitest.ClusterPods(t)
	a := newTestList(t, themes.Dark(), 120, 30, pods)
	before := rowKeys(a)
	counts := a.store.counts
	a = step(a, syncBatch(pods))
	a = step(a, syncBatch(pods))
	if got := rowKeys(a); !slices.Equal(got, before) {
		t.Fatalf("relist changed the rows:\n%v\n%v", before, got)
	}
	if a.store.counts != counts || counts.total != len(pods) {
		t.Fatalf("counts %+v after relist, %+v before, %d pods", a.store.counts, counts, len(pods))
	}
	for _, e := range a.store.pods {
		if e.history.Len() != 1 {
			t.Fatalf("%s has %d transitions after relists", e.name, e.history.Len())
		}
	}
	// Remove two pods, one of them twice.
	gone := []kube.PodKey{{Namespace: "data", Name: "kafka-0"}, {Namespace: "intl", Name: "evil"}, {Namespace: "data", Name: "kafka-0"}}
	a = step(a, batchAt{Batch: kube.Batch{Removed: gone}, At: tuitest.Now})
	if len(a.list.rows) != len(pods)-2 || a.store.counts.total != len(pods)-2 {
		t.Fatalf("%d rows, total %d after removing 2 of %d", len(a.list.rows), a.store.counts.total, len(pods))
	}
	// The same name comes back as a new pod: a fresh history.
	kafka := tuitest.FindPod(t, pods, "kafka-0").DeepCopy()
	kafka.UID = "new-uid"
	a = step(a, batchAt{Batch: kube.Batch{Upserted: []*corev1.Pod{kafka}}, At: tuitest.Now.Add(time.Minute)})
	e := a.store.pods[kube.PodKey{Namespace: "data", Name: "kafka-0"}]
	if e == nil || e.history.Len() != 1 || e.history.Transitions()[0].At != tuitest.Now.Add(time.Minute) {
		t.Fatalf("re-created pod: %+v", e)
	}
}

// TestHistoryOfTheSeedApp replays the seed article's sequence of statuses
// (testdata/pods/seed-*) as watch updates of one pod.
func TestHistoryOfTheSeedApp(t *testing.T) {
	names := []string{"seed-01-pending", "seed-02-init-0-4", "seed-03-init-error", "seed-04-init-crashloopbackoff",
		"seed-05-init-1-4", "seed-06-init-2-4", "seed-07-init-3-4", "seed-08-podinitializing", "seed-09-running"}
	a := newTestList(t, themes.Dark(), 120, 30, nil)
	var want []model.Transition
	for i, n := range names {
		p := tuitest.LoadSeedPod(t, n)
		at := tuitest.Now.Add(time.Duration(i) * time.Second)
		a = step(a, batchAt{Batch: kube.Batch{Upserted: []*corev1.Pod{p}}, At: at})
		// The same update twice records nothing new.
		a = step(a, batchAt{Batch: kube.Batch{Upserted: []*corev1.Pod{p}}, At: at.Add(time.Millisecond)})
		st := model.Print(p, at).Status
		if len(want) == 0 || want[len(want)-1].Status != st {
			want = append(want, model.Transition{Status: st, At: at})
		}
	}
	e := a.store.pods[kube.PodKey{Namespace: "default", Name: "k8s-init-containers-64f984c8d7-tdjrg"}]
	if got := e.history.Transitions(); !slices.Equal(got, want) {
		t.Fatalf("history\n%v\nwant\n%v", got, want)
	}
	var statuses []string
	for _, tr := range want {
		statuses = append(statuses, tr.Status)
	}
	if !slices.Contains(statuses, "Init:CrashLoopBackOff") || statuses[len(statuses)-1] != "Running" {
		t.Fatalf("unexpected sequence %v", statuses)
	}
	if len(a.list.rows) != 1 || a.store.counts.total != 1 || a.store.counts.ready != 1 {
		t.Fatalf("one pod, ready: rows %d counts %+v", len(a.list.rows), a.store.counts)
	}
}

func TestEventsIndexedByPod(t *testing.T) {
	s := newPodStore()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", UID: "u2"}}
	s.apply(kube.Batch{Upserted: []*corev1.Pod{pod}}, tuitest.Now)
	ev := func(name, pod, uid string, at time.Time) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "ns", Name: pod, UID: typesUID(uid)},
			LastTimestamp:  metav1.NewTime(at)}
	}
	res := s.apply(kube.Batch{Events: []*corev1.Event{
		ev("b", "p", "u2", tuitest.Now), ev("a", "p", "u2", tuitest.Now.Add(-time.Minute)),
		ev("old", "p", "u1", tuitest.Now), ev("other", "q", "", tuitest.Now),
		{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "node"}, InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: "n1"}},
	}}, tuitest.Now)
	if !res.eventsOf[kube.PodKey{Namespace: "ns", Name: "p"}] || !res.eventsOf[kube.PodKey{Namespace: "ns", Name: "q"}] {
		t.Fatalf("events changed for %v", res.eventsOf)
	}
	e := s.pods[kube.PodKey{Namespace: "ns", Name: "p"}]
	names := func() []string {
		var out []string
		for _, ev := range s.eventsFor(e) {
			out = append(out, ev.Name)
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("events of p: %v (the earlier pod's event must not show)", got)
	}
	s.apply(kube.Batch{RemovedEvents: []*corev1.Event{ev("a", "p", "u2", tuitest.Now)}}, tuitest.Now)
	if got := names(); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after removal: %v", got)
	}
}

func typesUID(s string) types.UID { return types.UID(s) }

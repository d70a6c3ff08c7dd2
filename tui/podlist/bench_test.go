package podlist

import (
	"runtime"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// BenchmarkEntryHeap reports the live heap the list holds per pod, on top
// of the pods themselves (which the informers' store holds anyway): the
// entries, their display strings and views, and the list's arrays, at
// 50,000 pods.
func BenchmarkEntryHeap(b *testing.B) {
	benchEntryHeap(b, tuitest.SyntheticPods(50_000, 1))
}

// BenchmarkEntryHeapReplicaSets is BenchmarkEntryHeap with the pods in
// ReplicaSets of ten, whose pods share one label map as kube.Transform
// interns them (every synthetic pod has a ReplicaSet, and labels, of its
// own). Pods of one ReplicaSet come together, as a list sorted by name
// brings them.
func BenchmarkEntryHeapReplicaSets(b *testing.B) {
	const replicas = 10
	pods := tuitest.SyntheticPods(50_000, 1)
	for i := range pods {
		if first := pods[i-i%replicas]; first != pods[i] {
			pods[i].Labels = first.Labels
		}
	}
	benchEntryHeap(b, pods)
}

func benchEntryHeap(b *testing.B, pods []*corev1.Pod) {
	n := len(pods)
	var perEntry float64
	for b.Loop() {
		base := liveHeap()
		store, list := newPodStore(), &podList{order: sortOrder{key: defaultSortKey}}
		list.applyChanges(store.apply(kube.Batch{Upserted: pods}, tuitest.Now))
		perEntry = float64(liveHeap()-base) / float64(n)
		runtime.KeepAlive(store)
		runtime.KeepAlive(list)
	}
	b.ReportMetric(perEntry, "heap-B/pod")
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

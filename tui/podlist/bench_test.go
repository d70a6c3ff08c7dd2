package podlist

import (
	"runtime"
	"testing"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// BenchmarkEntryHeap reports the live heap the list holds per pod, on top
// of the pods themselves (which the informers' store holds anyway): the
// entries, their display strings and views, and the list's arrays, at
// 50,000 pods.
func BenchmarkEntryHeap(b *testing.B) {
	const n = 50_000
	pods := tuitest.SyntheticPods(n, 1)
	var perEntry float64
	for b.Loop() {
		base := liveHeap()
		store, list := newPodStore(), &podList{order: sortOrder{key: defaultSortKey}}
		list.applyChanges(store.apply(kube.Batch{Upserted: pods}, tuitest.Now))
		perEntry = float64(liveHeap()-base) / n
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

package podlist

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// TestResortEveryPathMatchesFullSort: resort moves a few changed entries
// by binary search on the keys they were placed with, or merges many in one
// pass; either way the list must be exactly what a full sort of the store
// gives, batch after batch, in every order, with pods changing, leaving,
// arriving, or changing and leaving in the same batch.
func TestResortEveryPathMatchesFullSort(t *testing.T) {
	orders := []sortOrder{
		{key: model.SortDefault}, {key: model.SortDefault, reverse: true},
		{key: model.SortRestarts}, {key: model.SortAge, reverse: true}, {key: model.SortName},
	}
	// Batch sizes: a handful (the binary-search path), more than fewMoves
	// (the merge pass) and more than an eighth of the list (a full sort).
	sizes := []int{1, 3, 16, fewMoves + 10, 120}
	for _, o := range orders {
		t.Run(o.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, 17))
			store, list := newPodStore(), &podList{order: o}
			pods := tuitest.SyntheticPods(600, 5)
			live := map[kube.PodKey]*corev1.Pod{}
			for _, p := range pods {
				live[kube.PodKey{Namespace: p.Namespace, Name: p.Name}] = p
			}
			list.applyChanges(store.apply(kube.Batch{Upserted: pods}, tuitest.Now))
			checkSorted(t, 0, store, list)
			rv, fresh := 1, 0
			for batch := 1; batch <= 60; batch++ {
				var b kube.Batch
				keys := mapKeys(live)
				for range sizes[r.IntN(len(sizes))] {
					k := keys[r.IntN(len(keys))]
					switch x := r.IntN(10); {
					case x < 6: // a new status
						old, ok := live[k]
						if !ok {
							continue // gone earlier in this batch
						}
						rv++
						p := changedPod(old, r, rv)
						live[k] = p
						b.Upserted = append(b.Upserted, p)
					case x < 8: // gone
						if _, ok := live[k]; ok {
							delete(live, k)
							b.Removed = append(b.Removed, k)
						}
					case x < 9: // a new pod
						fresh++
						p := tuitest.SyntheticPod("team-new", "fresh-"+strconv.Itoa(fresh), "fresh-abcdef012", tuitest.Now.Add(-time.Duration(fresh)*time.Second), r.IntN(3), r.IntN(4), int32(r.IntN(5)))
						live[kube.PodKey{Namespace: p.Namespace, Name: p.Name}] = p
						b.Upserted = append(b.Upserted, p)
					default: // changed, then gone, in the same batch
						if p, ok := live[k]; ok {
							rv++
							b.Upserted = append(b.Upserted, changedPod(p, r, rv))
							b.Removed = append(b.Removed, k)
							delete(live, k)
						}
					}
				}
				list.applyChanges(store.apply(b, tuitest.Now))
				checkSorted(t, batch, store, list)
				if len(list.sorted) != len(live) {
					t.Fatalf("batch %d: list holds %d pods, cluster %d", batch, len(list.sorted), len(live))
				}
			}
		})
	}
}

func checkSorted(t *testing.T, batch int, store *podStore, list *podList) {
	t.Helper()
	want := make([]*podEntry, 0, len(store.pods))
	for _, e := range store.pods {
		want = append(want, e)
	}
	slices.SortFunc(want, list.order.compare)
	if !slices.Equal(list.sorted, want) {
		t.Fatalf("batch %d: list order differs from a full sort (%d vs %d entries)", batch, len(list.sorted), len(want))
	}
}

// changedPod is p with a new status (another step, phase or restart count).
func changedPod(p *corev1.Pod, r *rand.Rand, rv int) *corev1.Pod {
	rs := p.OwnerReferences[0].Name
	q := tuitest.SyntheticPod(p.Namespace, p.Name, rs, p.CreationTimestamp.Time, r.IntN(3), r.IntN(4), int32(r.IntN(9)))
	q.ResourceVersion = fmt.Sprint(rv)
	return q
}

func mapKeys(m map[kube.PodKey]*corev1.Pod) []kube.PodKey {
	keys := make([]kube.PodKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b kube.PodKey) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return keys
}

// The key an entry is placed with must order entries exactly as their
// views do, in every order: it is all resort looks at to find them.
func TestSortKeyOrdersAsCompare(t *testing.T) {
	pods := tuitest.SyntheticPods(200, 9)
	views := make([]model.PodView, len(pods))
	for i, p := range pods {
		views[i] = model.NewPodView(p, tuitest.Now)
	}
	for _, key := range model.SortKeys {
		for i := range views {
			for j := range views {
				ki, kj := keyOf(&views[i]), keyOf(&views[j])
				vi, vj := ki.view(), kj.view()
				if got, want := model.Compare(&vi, &vj, key), model.Compare(&views[i], &views[j], key); got != want {
					t.Fatalf("order %s: %s vs %s compares %d by key, %d by view", key, views[i].Name, views[j].Name, got, want)
				}
			}
		}
	}
}

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
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// TestBatchesAgreeWithScratch: a batch is spliced into the order, the
// filter's matches and the rows, and counted into the column widths, pod
// by pod; after every random batch (pods changing, leaving, arriving, with
// a filter, toggles, grouping and orders changing between batches, the
// cursor on a pod) each must be what computing it from every pod gives.
func TestBatchesAgreeWithScratch(t *testing.T) {
	// Views of the list between batches: keys pressed before a batch.
	modes := [][]string{
		nil, {"/", "web", "<enter>"}, {"i"}, {"f"}, {"o"}, {"s"}, {"S"}, {"g"},
		{"/", "app=api", "<enter>"}, {"<esc>"}, {"j", "j", "j"}, {"G"}, {"k"}, {"/", "team-0", "<enter>"},
	}
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			pods := tuitest.SyntheticPods(400+int(seed)*150, seed)
			a := newTestList(t, themes.Dark(), 140, 30, pods)
			live := map[kube.PodKey]*corev1.Pod{}
			for _, p := range pods {
				live[kube.PodKey{Namespace: p.Namespace, Name: p.Name}] = p
			}
			checkScratch(t, a, 0)
			sizes := []int{1, 5, 16, fewMoves + 10, 200}
			rv, fresh := 1, 0
			for batch := 1; batch <= 80; batch++ {
				if r.IntN(4) == 0 {
					a = press(a, modes[r.IntN(len(modes))]...)
					checkScratch(t, a, batch)
				}
				before := a.list.selPod
				var b kube.Batch
				keys := mapKeys(live)
				for range sizes[r.IntN(len(sizes))] {
					k := keys[r.IntN(len(keys))]
					switch x := r.IntN(10); {
					case x < 6:
						old, ok := live[k]
						if !ok {
							continue
						}
						rv++
						p := changedPod(old, r, rv)
						if r.IntN(8) == 0 {
							// A wider name, status or restart count,
							// then back: the widest row comes and goes.
							p.Status.Reason = "Evicted" + strconv.Itoa(rv)
							p.Status.Phase = corev1.PodFailed
						}
						live[k] = p
						b.Upserted = append(b.Upserted, p)
					case x < 8:
						if _, ok := live[k]; ok {
							delete(live, k)
							b.Removed = append(b.Removed, k)
						}
					case x < 9:
						fresh++
						// Names and namespaces of any width, so that the
						// widest row comes and goes.
						ns := "team-new" + strings.Repeat("s", r.IntN(30))
						name := "web-fresh-" + strings.Repeat("x", r.IntN(50)) + strconv.Itoa(fresh)
						p := tuitest.SyntheticPod(ns, name, "web-abcdef012",
							tuitest.Now.Add(-time.Duration(r.IntN(20000))*time.Second), r.IntN(3), r.IntN(4), int32(r.IntN(500)))
						live[kube.PodKey{Namespace: p.Namespace, Name: p.Name}] = p
						b.Upserted = append(b.Upserted, p)
					default:
						if p, ok := live[k]; ok {
							rv++
							b.Upserted = append(b.Upserted, changedPod(p, r, rv))
							b.Removed = append(b.Removed, k)
							delete(live, k)
						}
					}
				}
				if batch%2 == 1 {
					// As a source sends them: packed, each made a row
					// through the store's reused Unpacker.
					for _, p := range b.Upserted {
						b.Packed = append(b.Packed, kube.PackStamped(p))
					}
					b.Upserted = nil
				}
				a = step(a, batchAt{Batch: b, At: tuitest.Now})
				checkScratch(t, a, batch)
				if before != nil && a.list.moved && before.listed && a.list.rows[a.list.cursor].pod != before {
					t.Fatalf("batch %d: the cursor left its pod %s", batch, before.key.Name)
				}
				if len(a.list.sorted) != len(live) {
					t.Fatalf("batch %d: list holds %d pods, cluster %d", batch, len(a.list.sorted), len(live))
				}
			}
		})
	}
}

// checkScratch compares the list with the order, matches, rows and widths
// computed from every pod of the store.
func checkScratch(t *testing.T, a *Model, batch int) {
	t.Helper()
	for _, e := range a.store.pods {
		var f podEntry
		f.update(e.pod, e.pod.Pod(), tuitest.Now)
		if f.status != e.status || f.stepName != e.stepName || f.cells != e.cells || f.view.Category != e.view.Category ||
			f.view.ready != e.view.ready || f.view.restarts != e.view.restarts || !slices.Equal(f.bar, e.bar) {
			t.Fatalf("batch %d: %s shows %q %q %+v, its pod %q %q %+v", batch, e.key.Name,
				e.status, e.view.ready, e.cells, f.status, f.view.ready, f.cells)
		}
	}
	l := &a.list
	want := make([]*podEntry, 0, len(a.store.pods))
	for _, e := range a.store.pods {
		want = append(want, e)
	}
	slices.SortFunc(want, l.order.compare)
	if !slices.Equal(l.sorted, want) {
		t.Fatalf("batch %d: order differs from a full sort", batch)
	}
	var matches []*podEntry
	m := newMatcher(l.query)
	for _, e := range want {
		if l.query == "" || m.entry(e) {
			matches = append(matches, e)
		}
	}
	if !slices.Equal(l.filtered, matches) && len(l.filtered)+len(matches) > 0 {
		t.Fatalf("batch %d: %d matches of %q, a full search finds %d", batch, len(l.filtered), l.query, len(matches))
	}
	var shown []*podEntry
	for _, e := range matches {
		if l.keep(e) {
			shown = append(shown, e)
		}
	}
	var rows []listRow
	if l.grouped {
		rows = groupRows(shown, nil, l.owners)
	} else {
		for _, e := range shown {
			rows = append(rows, listRow{pod: e})
		}
	}
	if len(rows) != len(l.rows) {
		t.Fatalf("batch %d: %d rows, from scratch %d", batch, len(l.rows), len(rows))
	}
	for i := range rows {
		g, w := l.rows[i], rows[i]
		if g.pod != w.pod || (g.group == nil) != (w.group == nil) || (g.group != nil && (g.group.key != w.group.key || g.group.counts != w.group.counts)) {
			t.Fatalf("batch %d: row %d differs from scratch", batch, i)
		}
	}
	listed := 0
	for _, e := range a.store.pods {
		if e.listed {
			listed++
		}
	}
	got, scratch := l.stats, measure(l.rows)
	if !got.oldest.Equal(scratch.oldest) {
		t.Fatalf("batch %d: oldest %v, from scratch %v", batch, got.oldest, scratch.oldest)
	}
	got.oldest, scratch.oldest = time.Time{}, time.Time{}
	if got != scratch || listed != scratch.pods {
		t.Fatalf("batch %d: widths %+v (%d listed), from scratch %+v", batch, got, listed, scratch)
	}
}

// compareKeys must order keys exactly as model.Compare orders the views
// they were taken from, in every order and direction, contexts included.
func TestCompareKeysAgreesWithCompare(t *testing.T) {
	pods := tuitest.SyntheticPods(150, 4)
	for i, p := range pods[:30] {
		// The same namespace/name in two clusters, and the same name in
		// two namespaces.
		q := p.DeepCopy()
		q.Annotations = map[string]string{model.ContextAnnotation: "ctx-" + strconv.Itoa(i%3)}
		q.UID = "other"
		pods = append(pods, q)
	}
	views := make([]model.PodView, len(pods))
	for i, p := range pods {
		views[i] = model.NewPodView(p, tuitest.Now)
	}
	for _, key := range model.SortKeys {
		for _, reverse := range []bool{false, true} {
			o := sortOrder{key: key, reverse: reverse}
			for i := range views {
				for j := range views {
					ki, kj := keyOf(&views[i]), keyOf(&views[j])
					want := model.Compare(&views[i], &views[j], key)
					if reverse {
						want = -want
					}
					if got := o.compareKeys(&ki, &kj); got != want {
						t.Fatalf("order %s: %s vs %s compares %d by key, %d by view", o, views[i].Name, views[j].Name, got, want)
					}
				}
			}
		}
	}
}

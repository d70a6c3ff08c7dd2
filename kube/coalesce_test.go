package kube

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// waitLimit only bounds how long a test waits for something that must
// happen; no test asserts how fast anything is.
const waitLimit = 30 * time.Second

func podV(ns, name, version string) *PackedPod {
	return PackPod(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: name, Labels: map[string]string{"v": version},
	}})
}

func eventV(ns, name, msg string) *corev1.Event {
	return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Message: msg}
}

func recv(t *testing.T, out <-chan Batch) Batch {
	t.Helper()
	select {
	case b := <-out:
		return b
	case <-time.After(waitLimit):
		t.Fatal("no batch arrived")
		return Batch{}
	}
}

func startCoalescer(t *testing.T, c *coalescer) (chan Batch, func()) {
	t.Helper()
	out := make(chan Batch)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.run(ctx, out) })
	stop := func() {
		cancel()
		wg.Wait()
	}
	t.Cleanup(stop)
	return out, stop
}

func keysOf(pods []*PackedPod) []string {
	var keys []string
	for _, p := range pods {
		keys = append(keys, p.Namespace+"/"+p.Name+"@"+p.Labels["v"])
	}
	sort.Strings(keys)
	return keys
}

func removedKeys(keys []PodKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.Namespace+"/"+k.Name)
	}
	sort.Strings(out)
	return out
}

// TestCoalescerFoldsPendingChanges drives the handler side before the
// flusher runs, so exactly one batch must carry the net effect.
func TestCoalescerFoldsPendingChanges(t *testing.T) {
	type op struct {
		kind    string // add, update, delete
		name, v string
	}
	tests := []struct {
		name        string
		ops         []op
		wantUpserts []string
		wantRemoved []string
	}{
		{
			name:        "many updates deliver the latest only",
			ops:         []op{{"update", "a", "1"}, {"update", "a", "2"}, {"update", "a", "3"}},
			wantUpserts: []string{"ns/a@3"},
		},
		{
			name: "add then delete within a window cancels out",
			ops:  []op{{"add", "a", "1"}, {"update", "a", "2"}, {"delete", "a", ""}},
		},
		{
			name:        "update then delete of a known pod is a removal",
			ops:         []op{{"update", "a", "2"}, {"delete", "a", ""}},
			wantRemoved: []string{"ns/a"},
		},
		{
			name:        "delete then re-add under the same name is an upsert",
			ops:         []op{{"delete", "a", ""}, {"add", "a", "new"}},
			wantUpserts: []string{"ns/a@new"},
		},
		{
			name: "delete, re-add, delete again still removes the known pod",
			ops:  []op{{"delete", "a", ""}, {"add", "a", "new"}, {"delete", "a", ""}},
			// The consumer knew the first pod: the removal must survive
			// the cancelled add.
			wantRemoved: []string{"ns/a"},
		},
		{
			name:        "independent keys",
			ops:         []op{{"add", "a", "1"}, {"add", "b", "1"}, {"delete", "c", ""}, {"update", "b", "2"}},
			wantUpserts: []string{"ns/a@1", "ns/b@2"},
			wantRemoved: []string{"ns/c"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCoalescer(time.Millisecond)
			c.setConn(ConnState{Phase: ConnLive})
			for _, o := range tc.ops {
				switch o.kind {
				case "add":
					c.addPod(podV("ns", o.name, o.v), true)
				case "update":
					c.addPod(podV("ns", o.name, o.v), false)
				case "delete":
					c.removePod(PodKey{Namespace: "ns", Name: o.name})
				}
			}
			out, stop := startCoalescer(t, c)
			b := recv(t, out)
			stop()
			if got := keysOf(b.Packed); fmt.Sprint(got) != fmt.Sprint(tc.wantUpserts) {
				t.Errorf("upserted %v, want %v", got, tc.wantUpserts)
			}
			if got := removedKeys(b.Removed); fmt.Sprint(got) != fmt.Sprint(tc.wantRemoved) {
				t.Errorf("removed %v, want %v", got, tc.wantRemoved)
			}
			if b.Conn == nil || b.Conn.Phase != ConnLive {
				t.Errorf("first batch must carry the connection state, got %+v", b.Conn)
			}
		})
	}
}

func TestCoalescerEvents(t *testing.T) {
	c := newCoalescer(time.Millisecond)
	c.addEvent(eventV("ns", "e1", "first"), true)
	c.addEvent(eventV("ns", "e1", "second"), false)
	c.addEvent(eventV("ns", "e2", "gone"), true)
	c.removeEvent(eventV("ns", "e2", "gone"))
	c.removeEvent(eventV("ns", "e3", "old"))
	out, _ := startCoalescer(t, c)
	b := recv(t, out)
	if len(b.Events) != 1 || b.Events[0].Name != "e1" || b.Events[0].Message != "second" {
		t.Errorf("events %+v, want e1 with the latest message", b.Events)
	}
	if len(b.RemovedEvents) != 1 || b.RemovedEvents[0].Name != "e3" {
		t.Errorf("removed events %+v, want e3 only", b.RemovedEvents)
	}
}

// TestCoalescerSlowConsumer: with nobody reading, handlers must neither
// block nor queue batches; once the consumer reads, the pod's history is
// folded into at most two batches (the one being offered, refreshed on each
// interval, and what arrived after its last refresh), the last one current.
func TestCoalescerSlowConsumer(t *testing.T) {
	c := newCoalescer(time.Millisecond)
	out, _ := startCoalescer(t, c)
	const updates = 5000
	for i := range updates {
		c.addPod(podV("ns", "hot", fmt.Sprint(i)), i == 0)
		c.addPod(podV("ns", fmt.Sprintf("cold-%d", i%50), "x"), false)
	}
	last := fmt.Sprint(updates - 1)
	seen := 0
	for {
		b := recv(t, out)
		hot := 0
		for _, p := range b.Packed {
			if p.Name == "hot" {
				hot++
				seen++
				if p.Labels["v"] == last {
					if seen > 2 {
						t.Errorf("pod delivered in %d batches, want at most 2", seen)
					}
					return
				}
			}
		}
		if hot > 1 {
			t.Fatalf("pod appears %d times in one batch", hot)
		}
	}
}

// TestCoalescerSyncedAndConn checks that Synced and Conn are sent even
// without object changes, and Conn only when it changed.
func TestCoalescerSyncedAndConn(t *testing.T) {
	c := newCoalescer(time.Millisecond)
	out, _ := startCoalescer(t, c)

	c.setConn(ConnState{Phase: ConnConnecting})
	b := recv(t, out)
	if b.Synced || b.Conn == nil || b.Conn.Phase != ConnConnecting {
		t.Fatalf("first batch %+v", b)
	}

	c.setSynced()
	b = recv(t, out)
	if !b.Synced || b.Conn != nil {
		t.Fatalf("sync batch %+v: want Synced and no Conn (unchanged)", b)
	}

	c.setConn(ConnState{Phase: ConnConnecting}) // same state again: no news
	c.addPod(podV("ns", "a", "1"), true)
	b = recv(t, out)
	if !b.Synced || b.Conn != nil || len(b.Packed) != 1 {
		t.Fatalf("batch %+v: want Synced, one pod, no Conn", b)
	}

	c.setConn(ConnState{Phase: ConnReconnecting, Err: "boom"})
	b = recv(t, out)
	if b.Conn == nil || b.Conn.Phase != ConnReconnecting || b.Conn.Err != "boom" {
		t.Fatalf("batch %+v: want the new Conn", b)
	}
}

func TestMergeInto(t *testing.T) {
	up := func(v string, fresh bool) change[string] { return change[string]{obj: v, fresh: fresh} }
	rm := change[string]{removed: true}
	tests := []struct {
		name  string
		steps []change[string]
		want  *change[string] // nil: no entry
	}{
		{"add", []change[string]{up("1", true)}, &change[string]{obj: "1", fresh: true}},
		{"add update", []change[string]{up("1", true), up("2", false)}, &change[string]{obj: "2", fresh: true}},
		{"add delete", []change[string]{up("1", true), rm}, nil},
		{"update delete", []change[string]{up("1", false), rm}, &rm},
		{"delete add", []change[string]{rm, up("2", true)}, &change[string]{obj: "2"}},
		{"delete add delete", []change[string]{rm, up("2", true), rm}, &rm},
		{"delete delete", []change[string]{rm, rm}, &rm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]change[string]{}
			for _, s := range tc.steps {
				mergeInto(m, "k", s)
			}
			got, ok := m["k"]
			switch {
			case tc.want == nil && ok:
				t.Errorf("entry %+v, want none", got)
			case tc.want != nil && (!ok || got != *tc.want):
				t.Errorf("entry %+v (present %v), want %+v", got, ok, *tc.want)
			}
		})
	}
}

// BenchmarkCoalesce measures handler-side throughput (ns per watch
// notification) with a consumer draining batches, over 10,000 pods.
func BenchmarkCoalesce(b *testing.B) {
	const keys = 10000
	pods := make([]*PackedPod, keys)
	for i := range pods {
		pods[i] = podV(fmt.Sprintf("ns-%d", i%20), fmt.Sprintf("pod-%d", i), "v")
	}
	c := newCoalescer(DefaultInterval)
	out := make(chan Batch)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.run(ctx, out) })
	batches, delivered := 0, 0
	var drain sync.WaitGroup
	drain.Go(func() {
		for {
			select {
			case bt := <-out:
				batches++
				delivered += len(bt.Packed)
			case <-ctx.Done():
				return
			}
		}
	})
	i := 0
	for b.Loop() {
		c.addPod(pods[i%keys], false)
		i++
	}
	cancel()
	wg.Wait()
	drain.Wait()
	b.ReportMetric(float64(batches), "batches")
	if batches > 0 {
		b.ReportMetric(float64(delivered)/float64(batches), "pods/batch")
	}
}

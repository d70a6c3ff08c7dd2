package kube

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// focusRecorder is a cluster's source that records what it is told to
// focus, and says when it runs.
type focusRecorder struct {
	started chan struct{}
	mu      sync.Mutex
	calls   []PodKey
}

func newFocusRecorder() *focusRecorder { return &focusRecorder{started: make(chan struct{})} }

func (r *focusRecorder) Run(ctx context.Context, _ chan<- Batch) error {
	close(r.started)
	<-ctx.Done()
	return nil
}

func (r *focusRecorder) FocusEvents(key PodKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, key)
}

func (r *focusRecorder) got() []PodKey {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func waitStarted(t *testing.T, name string, r *focusRecorder) {
	t.Helper()
	select {
	case <-r.started:
	case <-time.After(waitLimit):
		t.Fatalf("cluster %s never started", name)
	}
}

func TestMultiSourceFocusEvents(t *testing.T) {
	a1 := PodKey{Context: "a", Namespace: "ns", Name: "p1"}
	a2 := PodKey{Context: "a", Namespace: "ns", Name: "p2"}
	b1 := PodKey{Context: "b", Namespace: "ns", Name: "p1"}
	gone := PodKey{Context: "gone", Namespace: "ns", Name: "p1"}
	none := PodKey{}
	tests := []struct {
		name  string
		focus []PodKey
		wantA []PodKey
		wantB []PodKey
	}{
		{"one cluster", []PodKey{a1}, []PodKey{a1}, nil},
		{"A then B unfocuses A", []PodKey{a1, b1}, []PodKey{a1, none}, []PodKey{b1}},
		{"B then A unfocuses B", []PodKey{b1, a1}, []PodKey{a1}, []PodKey{b1, none}},
		// Within one cluster the source itself drops the previous pod's
		// events: no unfocus call in between.
		{"another pod of the same cluster", []PodKey{a1, a2}, []PodKey{a1, a2}, nil},
		{"closing the detail", []PodKey{b1, none}, nil, []PodKey{b1, none}},
		{"unknown context unfocuses the previous", []PodKey{a1, gone}, []PodKey{a1, none}, nil},
		{"unknown context alone reaches nobody", []PodKey{gone}, nil, nil},
		{"back and forth", []PodKey{a1, b1, a2}, []PodKey{a1, none, a2}, []PodKey{b1, none}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ra, rb := newFocusRecorder(), newFocusRecorder()
			src := NewMultiSource([]Cluster{
				{Context: "a", New: func() (PodSource, error) { return ra, nil }},
				{Context: "b", New: func() (PodSource, error) { return rb, nil }},
			})
			runMulti(t, src)
			waitStarted(t, "a", ra)
			waitStarted(t, "b", rb)
			f, ok := src.(EventFocuser)
			if !ok {
				t.Fatal("the multi-cluster source is not an EventFocuser")
			}
			for _, k := range tt.focus {
				f.FocusEvents(k)
			}
			if got := ra.got(); !slices.Equal(got, tt.wantA) {
				t.Errorf("cluster a told %v, want %v", got, tt.wantA)
			}
			if got := rb.got(); !slices.Equal(got, tt.wantB) {
				t.Errorf("cluster b told %v, want %v", got, tt.wantB)
			}
		})
	}
}

// A cluster down when its pod is focused (the pod kept from before it
// failed) is told the focus once its new source starts.
func TestMultiSourceFocusReachesRetriedCluster(t *testing.T) {
	var healthy atomic.Bool
	rec := newFocusRecorder()
	src := NewMultiSource([]Cluster{{Context: "late", New: func() (PodSource, error) {
		if !healthy.Load() {
			return nil, errors.New("connection refused")
		}
		return rec, nil
	}}}).(*multiSource)
	src.retryMin = 10 * time.Millisecond
	out, _ := runMulti(t, src)
	key := PodKey{Context: "late", Namespace: "ns", Name: "p"}
	src.FocusEvents(key)
	c := newMultiConsumer()
	consumeUntil(t, out, c, "unreachable", func() bool { return c.conns["late"].Phase == ConnUnreachable })
	healthy.Store(true)
	waitStarted(t, "late", rec)
	if got := rec.got(); !slices.Equal(got, []PodKey{key}) {
		t.Errorf("retried cluster told %v, want %v", got, []PodKey{key})
	}
}

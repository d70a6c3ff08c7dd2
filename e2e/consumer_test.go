package e2e

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/kube"
)

// waitBound caps how long a test waits for the cluster or a stream to reach
// a state; reaching it is a failure with the state seen, never a pass.
const waitBound = 90 * time.Second

// recorder applies a PodSource's batches like the TUI's store does, and
// also remembers every removal and connection phase, so a test can tell a
// seamless relist from one that dropped and re-added pods.
type recorder struct {
	mu      sync.Mutex
	pods    map[kube.PodKey]*corev1.Pod
	removed map[kube.PodKey]int
	synced  bool
	phases  []kube.ConnPhase
	batches int
	// replayed counts upserts of a version the recorder already held: a
	// relist passed on as news.
	replayed int
	wake     chan struct{}
}

// runSource runs src until the test ends, its batches on the returned
// channel for the test to read; the source must stop without error.
func runSource(ctx context.Context, t *testing.T, src kube.PodSource) <-chan kube.Batch {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan kube.Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pod source: %v", err)
		}
	})
	return out
}

// record runs a kube informer source on cs until the test ends.
func record(t *testing.T, cs kubernetes.Interface, opts kube.Options) *recorder {
	t.Helper()
	r := &recorder{pods: map[kube.PodKey]*corev1.Pod{}, removed: map[kube.PodKey]int{}, wake: make(chan struct{}, 1)}
	src := kube.NewInformerSource(cs, opts)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan kube.Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out) }()
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-out:
				r.apply(b)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pod source: %v", err)
		}
		<-consumed
	})
	return r
}

func (r *recorder) apply(b kube.Batch) {
	r.mu.Lock()
	r.batches++
	for _, p := range b.Pods() {
		key := kube.PodKey{Namespace: p.Namespace, Name: p.Name}
		if old, ok := r.pods[key]; ok && old.ResourceVersion == p.ResourceVersion {
			r.replayed++
		}
		r.pods[key] = p
	}
	for _, k := range b.Removed {
		delete(r.pods, k)
		r.removed[k]++
	}
	if b.Synced {
		r.synced = true
	}
	if b.Conn != nil {
		r.phases = append(r.phases, b.Conn.Phase)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

type recorderState struct {
	pods     map[kube.PodKey]*corev1.Pod
	removed  map[kube.PodKey]int
	synced   bool
	phases   []kube.ConnPhase
	batches  int
	replayed int
}

func (r *recorder) state() recorderState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return recorderState{
		pods: maps.Clone(r.pods), removed: maps.Clone(r.removed), synced: r.synced,
		phases: slices.Clone(r.phases), batches: r.batches, replayed: r.replayed,
	}
}

// waitFor blocks until cond holds on the recorder's state (re-checked
// after each batch and each second), failing after waitBound.
func (r *recorder) waitFor(t *testing.T, what string, cond func(recorderState) bool) {
	t.Helper()
	deadline := time.NewTimer(waitBound)
	defer deadline.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s := r.state()
		if cond(s) {
			return
		}
		select {
		case <-r.wake:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("gave up waiting for %s: %d pods, synced=%v, phases %v", what, len(s.pods), s.synced, s.phases)
		}
	}
}

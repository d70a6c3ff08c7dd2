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

// consumer is what the TUI does with a PodSource, minus the screen: it
// applies every Batch, in order, to a map by key.
type consumer struct {
	mu     sync.Mutex
	pods   map[kube.PodKey]*corev1.Pod
	synced bool
	phases []kube.ConnPhase // every connection phase reported, in order
	wake   chan struct{}
}

// startSource runs a kube informer source on cs until the test ends.
func startSource(t *testing.T, cs kubernetes.Interface, opts kube.Options) *consumer {
	t.Helper()
	c := &consumer{pods: map[kube.PodKey]*corev1.Pod{}, wake: make(chan struct{}, 1)}
	src := kube.NewInformerSource(cs, opts)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan kube.Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out) }()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-out:
				c.apply(b)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pod source: %v", err)
		}
	})
	return c
}

func (c *consumer) apply(b kube.Batch) {
	c.mu.Lock()
	for _, p := range b.Upserted {
		c.pods[kube.PodKey{Namespace: p.Namespace, Name: p.Name}] = p
	}
	for _, k := range b.Removed {
		delete(c.pods, k)
	}
	if b.Synced {
		c.synced = true
	}
	if b.Conn != nil {
		c.phases = append(c.phases, b.Conn.Phase)
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// snapshot copies the consumer's state.
func (c *consumer) snapshot() (map[kube.PodKey]*corev1.Pod, bool, []kube.ConnPhase) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.pods), c.synced, slices.Clone(c.phases)
}

// waitUntil blocks until cond holds on the consumer's state, re-checking
// after each batch (and each second, for conditions on the cluster).
func (c *consumer) waitUntil(t *testing.T, what string, cond func(pods map[kube.PodKey]*corev1.Pod, synced bool) bool) {
	t.Helper()
	deadline := time.NewTimer(waitBound)
	defer deadline.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		pods, synced, phases := c.snapshot()
		if cond(pods, synced) {
			return
		}
		select {
		case <-c.wake:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("gave up waiting for %s: the source holds %d pods, synced=%v, connection phases %v",
				what, len(pods), synced, phases)
		}
	}
}

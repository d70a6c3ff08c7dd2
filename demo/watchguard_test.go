package demo

import (
	"context"
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// TestSlowWatcherGetsEverything: a watcher that reads slowly makes the
// simulator wait instead of overflowing the fake's fixed buffer (which
// panics), and ends up with the same pods as the clientset.
func TestSlowWatcherGetsEverything(t *testing.T) {
	c := newTestCluster(4)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w, err := c.Client().CoreV1().Pods("").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	seen := map[string]*corev1.Pod{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			time.Sleep(200 * time.Microsecond) // a busy consumer
			p := ev.Object.(*corev1.Pod)
			if ev.Type == watch.Deleted {
				delete(seen, p.Namespace+"/"+p.Name)
			} else {
				seen[p.Namespace+"/"+p.Name] = p
			}
		}
	}()
	step(t, c, 2*time.Minute) // hundreds of writes at once
	want := listPods(t, c)
	w.Stop()
	<-done
	if len(seen) != len(want) {
		t.Fatalf("watcher holds %d pods, clientset %d", len(seen), len(want))
	}
	for _, p := range want {
		if got := seen[p.Namespace+"/"+p.Name]; got == nil || got.ResourceVersion != p.ResourceVersion {
			t.Errorf("watcher missed the last version of %s/%s", p.Namespace, p.Name)
		}
	}
}

// TestStalledWatcherStopsTheSimulation: a watcher nobody reads stops the
// simulation with an error instead of a panic or a hang.
func TestStalledWatcherStopsTheSimulation(t *testing.T) {
	c := newTestCluster(4)
	c.guard.timeout = 100 * time.Millisecond
	w, err := c.Client().CoreV1().Pods("").Watch(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := c.Step(2 * time.Minute); !errors.Is(err, errStalled) {
		t.Fatalf("Step: %v, want %v", err, errStalled)
	}
	if err := c.Step(time.Second); !errors.Is(err, errStalled) {
		t.Fatalf("a stopped simulation moved on: %v", err)
	}
}

// TestRunFollowsTheWallClock: Run moves simulated time at its speed until
// its context ends.
func TestRunFollowsTheWallClock(t *testing.T) {
	c := New(Options{Seed: 1, Speed: 20, Start: testStart})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	wall := time.After(deadline)
	for c.Now().Sub(c.Start()) < 10*time.Second {
		select {
		case <-wall:
			t.Fatalf("after %v of wall time, simulated time is only %v in", deadline, c.Now().Sub(c.Start()))
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if podNamed(t, c, "default", seedPrefix) == nil {
		t.Error("the seed app was not created by 10s")
	}
}

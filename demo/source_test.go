package demo

import (
	"context"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/kube"
)

// collector runs a PodSource and keeps the latest version of every pod and
// event it delivered.
type collector struct {
	pods   map[kube.PodKey]*corev1.Pod
	events map[string]*corev1.Event
	synced bool
}

func (c *collector) apply(b kube.Batch) {
	for _, p := range b.Pods() {
		c.pods[kube.PodKey{Namespace: p.Namespace, Name: p.Name}] = p
	}
	for _, k := range b.Removed {
		delete(c.pods, k)
	}
	for _, e := range b.Events {
		c.events[e.Namespace+"/"+e.Name] = e
	}
	for _, e := range b.RemovedEvents {
		delete(c.events, e.Namespace+"/"+e.Name)
	}
	c.synced = c.synced || b.Synced
}

// TestSourceDeliversSimulation runs the demo through kube's informer
// pipeline and checks that what arrives is what the simulator wrote, while
// simulated time moves much faster than the informers would ever need.
func TestSourceDeliversSimulation(t *testing.T) {
	c := New(Options{Seed: 7, Start: testStart})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan kube.Batch, 16)
	done := make(chan error, 1)
	go func() { done <- c.Source(kube.Options{}).Run(ctx, out) }()

	col := &collector{pods: map[kube.PodKey]*corev1.Pod{}, events: map[string]*corev1.Event{}}
	for !col.synced {
		col.apply(<-out)
	}
	// Step the whole demo in big steps, draining batches concurrently, as
	// the TUI would.
	stepped := make(chan error, 1)
	go func() {
		var err error
		for range 150 {
			if err = c.Step(time.Second); err != nil {
				break
			}
		}
		stepped <- err
	}()
	var stepErr error
	for waiting := true; waiting; {
		select {
		case b := <-out:
			col.apply(b)
		case stepErr = <-stepped:
			waiting = false
		}
	}
	if stepErr != nil {
		t.Fatalf("step: %v", stepErr)
	}
	want := listPods(t, c)
	// Drain until the source has caught up with the clientset.
	deadline := time.After(30 * time.Second)
	for !sameStatuses(col.pods, want, c.Now()) {
		select {
		case b := <-out:
			col.apply(b)
		case <-deadline:
			t.Fatalf("the source never caught up: got %d pods, want %d", len(col.pods), len(want))
		}
	}
	if len(col.events) == 0 {
		t.Error("no events delivered")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("source: %v", err)
	}
}

func sameStatuses(got map[kube.PodKey]*corev1.Pod, want []*corev1.Pod, now time.Time) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		g, ok := got[kube.PodKey{Namespace: w.Namespace, Name: w.Name}]
		if !ok || g.ResourceVersion != w.ResourceVersion || printed(g, now) != printed(w, now) {
			return false
		}
	}
	return true
}

// TestResourceVersionsMatchTheTracker: objects carry the resourceVersion
// the fake tracker counts, so a list's version is its newest object's and a
// reflector re-watching from an object's version resumes where it should.
func TestResourceVersionsMatchTheTracker(t *testing.T) {
	c := newTestCluster(2)
	step(t, c, 90*time.Second)
	list, err := c.Client().CoreV1().Pods("").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	newest := 0
	for _, p := range list.Items {
		rv, err := strconv.Atoi(p.ResourceVersion)
		if err != nil {
			t.Fatalf("pod %s has resourceVersion %q", p.Name, p.ResourceVersion)
		}
		newest = max(newest, rv)
	}
	// Deletes do not move the tracker's counter, so the newest surviving
	// object may be older than the list; never newer.
	listRV, _ := strconv.Atoi(list.ResourceVersion)
	if newest > listRV || listRV != int(c.rv["pods"]) {
		t.Errorf("list at %d, newest pod at %d, simulator at %d", listRV, newest, c.rv["pods"])
	}
}

// TestMemoryStaysBounded: the fake clientset's record of requests is
// emptied as the simulation moves, so a demo left running does not grow.
func TestMemoryStaysBounded(t *testing.T) {
	c := newTestCluster(1)
	for range 10 {
		step(t, c, 15*time.Second)
		if n := len(c.client.Actions()); n != 0 {
			t.Fatalf("the fake holds %d recorded requests", n)
		}
	}
}

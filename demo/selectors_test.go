package demo

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
)

// TestSelectorsNarrowTheDemo: label and field selectors narrow the demo's
// lists and watches as they narrow a real apiserver's, including pods that
// move in and out of the selection (status.phase) and the events informer's
// involvedObject.kind=Pod.
func TestSelectorsNarrowTheDemo(t *testing.T) {
	tests := []struct {
		name  string
		opts  kube.Options
		check func(p *corev1.Pod) bool
	}{
		{"label", kube.Options{LabelSelector: "app=checkout"}, func(p *corev1.Pod) bool { return p.Labels["app"] == "checkout" }},
		{"phase", kube.Options{FieldSelector: "status.phase=Pending"}, func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodPending }},
		{"both", kube.Options{LabelSelector: "tier=backend", FieldSelector: "status.phase=Running"}, func(p *corev1.Pod) bool {
			return p.Labels["tier"] == "backend" && p.Status.Phase == corev1.PodRunning
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCluster(6)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			out := make(chan kube.Batch, 16)
			done := make(chan error, 1)
			go func() { done <- c.Source(tt.opts).Run(ctx, out) }()
			col := &collector{pods: map[kube.PodKey]*corev1.Pod{}, events: map[string]*corev1.Event{}}
			for !col.synced {
				col.apply(<-out)
			}
			// Check at several moments, so pods are seen entering and
			// leaving the selection (Pending ones become Running).
			for _, at := range []time.Duration{20 * time.Second, 45 * time.Second, 2 * time.Minute} {
				stepped := make(chan error, 1)
				go func() { stepped <- c.Step(at - c.Now().Sub(c.Start())) }()
				for waiting := true; waiting; {
					select {
					case b := <-out:
						col.apply(b)
					case err := <-stepped:
						if err != nil {
							t.Fatal(err)
						}
						waiting = false
					}
				}
				var want []*corev1.Pod
				for _, p := range listPods(t, c) {
					if tt.check(p) {
						want = append(want, p)
					}
				}
				timeout := time.After(deadline)
				for !sameStatuses(col.pods, want, c.Now()) {
					select {
					case b := <-out:
						col.apply(b)
					case <-timeout:
						t.Fatalf("at %v: the source holds %d pods, the selection %d", at, len(col.pods), len(want))
					}
				}
			}
			for _, e := range col.events {
				if e.InvolvedObject.Kind != "Pod" {
					t.Errorf("event about a %s reached the source: %s", e.InvolvedObject.Kind, e.Message)
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

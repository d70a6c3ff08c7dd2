package kube

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func eventNames(c *consumer) []string {
	var out []string
	for k := range c.events {
		out = append(out, k.Namespace+"/"+k.Name)
	}
	sort.Strings(out)
	return out
}

func hasEvents(want ...string) func(*consumer) bool {
	return func(c *consumer) bool { return slices.Equal(eventNames(c), want) }
}

// TestFocusedEvents: with FocusedEvents the source delivers no events until
// a pod is focused, then that pod's only, live; focusing another pod or none
// removes them.
func TestFocusedEvents(t *testing.T) {
	client := fake.NewClientset(
		newPod("a", "p0", "1"), newPod("a", "p1", "1"), newPod("b", "p0", "1"),
		newEvent("a", "e0", "p0", "first"), newEvent("a", "e1", "p1", "x"), newEvent("b", "e2", "p0", "y"),
	)
	src := NewInformerSource(client, Options{FocusedEvents: true, WithEvents: true, Interval: time.Millisecond}).(*informerSource)
	src.now = func() time.Time { return fixedNow }
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: make(chan Batch), errc: make(chan error, 1), cons: newConsumer()}
	go func() { r.errc <- src.Run(ctx, r.out) }()
	t.Cleanup(cancel)

	r.until(t, "sync", func(c *consumer) bool { return c.synced && len(c.pods) == 3 })
	if len(r.cons.events) != 0 {
		t.Fatalf("events before any focus: %v", eventNames(r.cons))
	}
	src.FocusEvents(PodKey{Namespace: "a", Name: "p0"})
	r.until(t, "a/p0's events", hasEvents("a/e0"))
	if _, err := client.CoreV1().Events("a").Create(ctx, newEvent("a", "e3", "p0", "new"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Events("a").Create(ctx, newEvent("a", "e4", "p1", "other pod"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r.until(t, "a live event of a/p0", hasEvents("a/e0", "a/e3"))

	src.FocusEvents(PodKey{Namespace: "b", Name: "p0"})
	r.until(t, "b/p0's events in place of a/p0's", hasEvents("b/e2"))
	src.FocusEvents(PodKey{})
	r.until(t, "no events once nothing is focused", hasEvents())

	cancel()
	if err := <-r.errc; err != nil {
		t.Errorf("Run: %v", err)
	}
	var selectors []string
	for _, a := range client.Actions() {
		if a.GetResource().Resource != "events" {
			continue
		}
		switch act := a.(type) {
		case k8stesting.ListActionImpl:
			if f := act.GetListRestrictions().Fields.String(); f != eventFieldSelector { // the start-up probe
				selectors = append(selectors, a.GetNamespace()+" "+f)
			}
		case k8stesting.WatchActionImpl:
			selectors = append(selectors, a.GetNamespace()+" "+act.GetWatchRestrictions().Fields.String())
		case k8stesting.CreateActionImpl: // the test's own
		default:
			t.Fatalf("unexpected %s events", a.GetVerb())
		}
	}
	for _, s := range selectors {
		if s != "a "+PodEventSelector(PodKey{Namespace: "a", Name: "p0"}) && s != "b "+PodEventSelector(PodKey{Namespace: "b", Name: "p0"}) {
			t.Errorf("events read with %q: not one focused pod's", s)
		}
	}
	if len(selectors) == 0 {
		t.Error("no events were read for the focused pods")
	}
}

// TestFocusedEventsForbidden: a pod whose namespace's events may not be
// listed is focused without any events request.
func TestFocusedEventsForbidden(t *testing.T) {
	client := fake.NewClientset(newPod("a", "p0", "1"), newEvent("a", "e0", "p0", "x"))
	client.PrependReactor("list", "events", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "events"}, "", errors.New("no"))
	})
	src := NewInformerSource(client, Options{Namespaces: []string{"a"}, FocusedEvents: true, Interval: time.Millisecond}).(*informerSource)
	src.now = func() time.Time { return fixedNow }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &running{out: make(chan Batch), errc: make(chan error, 1), cons: newConsumer()}
	go func() { r.errc <- src.Run(ctx, r.out) }()
	r.until(t, "events forbidden in a", func(c *consumer) bool {
		return c.synced && slices.Equal(c.conn().EventsForbidden, []string{"a"})
	})
	src.FocusEvents(PodKey{Namespace: "a", Name: "p0"})
	time.Sleep(50 * time.Millisecond)
	for _, a := range client.Actions() {
		if a.GetResource().Resource == "events" && a.GetVerb() == "watch" {
			t.Fatal("watched events in a namespace where they are forbidden")
		}
	}
}

func TestListPodEvents(t *testing.T) {
	normal := newEvent("a", "n0", "p0", "pulled")
	normal.Type = corev1.EventTypeNormal
	client := fake.NewClientset(normal, newEvent("a", "w0", "p0", "back-off"), newEvent("a", "w1", "p1", "other"),
		newEvent("b", "w2", "p0", "other namespace"))
	ctx := context.Background()
	for _, tc := range []struct {
		warnings bool
		want     []string
	}{{false, []string{"n0", "w0"}}, {true, []string{"w0"}}} {
		evs, err := ListPodEvents(ctx, client, PodKey{Namespace: "a", Name: "p0"}, tc.warnings)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, ev := range evs {
			if ev.ManagedFields != nil {
				t.Errorf("%s not trimmed", ev.Name)
			}
			names = append(names, ev.Name)
		}
		sort.Strings(names)
		if !slices.Equal(names, tc.want) {
			t.Errorf("warningsOnly=%v: %v, want %v", tc.warnings, names, tc.want)
		}
	}
	var sel string
	for _, a := range client.Actions() {
		if l, ok := a.(k8stesting.ListActionImpl); ok {
			sel = l.GetListRestrictions().Fields.String()
		}
	}
	if want := PodEventSelector(PodKey{Namespace: "a", Name: "p0"}) + ",type=Warning"; sel != want {
		t.Errorf("listed with %q, want %q", sel, want)
	}
}

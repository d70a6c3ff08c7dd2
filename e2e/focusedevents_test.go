package e2e

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/initwatch/initwatch/kube"
)

// TestFocusedEventsOnApiserver: the source the CLI builds (FocusedEvents)
// delivers no event until a pod is focused, then that pod's only, live,
// through the real apiserver's field selector on the involved object (the
// fake clientset ignores field selectors, so only this test proves the
// selector right); ListPodEvents, wait's one-shot read, agrees.
func TestFocusedEventsOnApiserver(t *testing.T) {
	cp := shared.Get(t)
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	const ns = "focused-events"
	ensureNamespace(ctx, t, admin, ns)
	names := createPods(ctx, t, admin, ns, "fe", 3)
	for _, name := range names {
		podEvent(ctx, t, admin, ns, name, "BackOff", "back-off of "+name)
	}

	src := kube.NewInformerSource(admin, kube.Options{Namespaces: []string{ns}, FocusedEvents: true, Interval: 5 * time.Millisecond})
	focuser, ok := src.(kube.EventFocuser)
	if !ok {
		t.Fatal("the informer source is not an EventFocuser")
	}
	out := runSource(ctx, t, src)
	events := map[string]string{} // event name → message
	synced := false
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(waitBound)
		for !cond() {
			select {
			case b := <-out:
				for _, ev := range b.Events {
					events[ev.Name] = ev.Message
				}
				for _, ev := range b.RemovedEvents {
					delete(events, ev.Name)
				}
				synced = synced || b.Synced
			case <-deadline:
				t.Fatalf("gave up waiting for %s: events %v", what, events)
			}
		}
	}
	messages := func() []string {
		var m []string
		for _, msg := range events {
			m = append(m, msg)
		}
		sort.Strings(m)
		return m
	}
	until("sync", func() bool { return synced })
	// Any event delivered by now would come from a watch of every event.
	time.Sleep(200 * time.Millisecond)
	until("nothing yet", func() bool { return len(events) == 0 })

	focuser.FocusEvents(kube.PodKey{Namespace: ns, Name: names[1]})
	until("the focused pod's event", func() bool { return slices.Equal(messages(), []string{"back-off of " + names[1]}) })
	podEvent(ctx, t, admin, ns, names[1], "Pulled", "live for "+names[1])
	podEvent(ctx, t, admin, ns, names[2], "Pulled", "live for "+names[2])
	until("the focused pod's new event, live", func() bool {
		return slices.Equal(messages(), []string{"back-off of " + names[1], "live for " + names[1]})
	})
	focuser.FocusEvents(kube.PodKey{Namespace: ns, Name: names[2]})
	until("the next pod's events in place", func() bool {
		return slices.Equal(messages(), []string{"back-off of " + names[2], "live for " + names[2]})
	})
	focuser.FocusEvents(kube.PodKey{})
	until("none once nothing is focused", func() bool { return len(events) == 0 })

	warnings, err := kube.ListPodEvents(ctx, admin, kube.PodKey{Namespace: ns, Name: names[1]}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 2 || warnings[0].InvolvedObject.Name != names[1] {
		// podEvent writes Warnings: both of names[1]'s.
		t.Errorf("ListPodEvents(%s, warnings): %d events", names[1], len(warnings))
	}
}

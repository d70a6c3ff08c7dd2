package e2e

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/initwatch/initwatch/kube"
)

// TestMultiClusterFocusedEvents: over two real apiservers, the merged
// source the multi-cluster TUI uses delivers the events of the focused pod
// from its own cluster only, though a pod of the same name lives in both,
// and moving the focus to the other cluster removes the first one's.
func TestMultiClusterFocusedEvents(t *testing.T) {
	tc := startTwoClusters(t, "east", "west")
	ctx := context.Background()
	const ns = "multi-focus"
	var pod string
	for _, name := range tc.contexts {
		ensureNamespace(ctx, t, tc.admins[name], ns)
		pod = createPods(ctx, t, tc.admins[name], ns, "mf", 1)[0]
		podEvent(ctx, t, tc.admins[name], ns, pod, "BackOff", "back-off in "+name)
	}
	clusters := make([]kube.Cluster, 0, len(tc.contexts))
	for _, name := range tc.contexts {
		admin := tc.admins[name]
		clusters = append(clusters, kube.Cluster{Context: name, New: func() (kube.PodSource, error) {
			return kube.NewInformerSource(admin, kube.Options{Namespaces: []string{ns}, FocusedEvents: true,
				Context: name, Interval: 5 * time.Millisecond}), nil
		}})
	}
	src := kube.NewMultiSource(clusters)
	focuser, ok := src.(kube.EventFocuser)
	if !ok {
		t.Fatal("the multi-cluster source is not an EventFocuser")
	}
	out := runSource(ctx, t, src)
	events := map[string]string{} // context/event name → message
	synced := map[string]bool{}
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(waitBound)
		for !cond() {
			select {
			case b := <-out:
				for _, ev := range b.Events {
					events[kube.EventContext(ev)+"/"+ev.Name] = ev.Message
				}
				for _, ev := range b.RemovedEvents {
					delete(events, kube.EventContext(ev)+"/"+ev.Name)
				}
				synced[b.Context] = synced[b.Context] || b.Synced
			case <-deadline:
				t.Fatalf("gave up waiting for %s: events %v", what, events)
			}
		}
	}
	// Each message is listed with the cluster its event is stamped with,
	// which the TUI matches to the pod's.
	messages := func() []string {
		var m []string
		for key, msg := range events {
			ctxName, _, _ := strings.Cut(key, "/")
			m = append(m, ctxName+": "+msg)
		}
		sort.Strings(m)
		return m
	}
	until("both clusters synced", func() bool { return synced["east"] && synced["west"] })
	until("no event before a focus", func() bool { return len(events) == 0 })

	focuser.FocusEvents(kube.PodKey{Context: "east", Namespace: ns, Name: pod})
	until("east's event", func() bool { return slices.Equal(messages(), []string{"east: back-off in east"}) })
	focuser.FocusEvents(kube.PodKey{Context: "west", Namespace: ns, Name: pod})
	until("west's event in place of east's", func() bool { return slices.Equal(messages(), []string{"west: back-off in west"}) })
	podEvent(ctx, t, tc.admins["east"], ns, pod, "Pulled", "late in east")
	podEvent(ctx, t, tc.admins["west"], ns, pod, "Pulled", "live in west")
	until("west's new event, live", func() bool {
		return slices.Equal(messages(), []string{"west: back-off in west", "west: live in west"})
	})
	focuser.FocusEvents(kube.PodKey{})
	until("none once nothing is focused", func() bool { return len(events) == 0 })
}

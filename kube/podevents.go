package kube

import (
	"context"
	"fmt"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Events of one pod at a time.
//
// A cluster-wide Events informer keeps every event of the scope in memory
// (at 10,000 pods with six events each, some 75 MB more resident set than
// the pods alone; bench/tuiscale) and carries the whole cluster's event
// write rate, while only the pod detail shows events, of one pod. With
// Options.FocusedEvents the source watches nothing of events until told
// which pod is open (FocusEvents), then that pod's events only, through a
// field selector on the involved object; leaving the pod forgets them.

// EventFocuser is implemented by a PodSource that watches the events of one
// pod at a time (Options.FocusedEvents). The TUI calls it as the pod detail
// opens and closes.
type EventFocuser interface {
	// FocusEvents makes the source deliver the events of pod key, and
	// remove those of the pod focused before; the zero PodKey focuses
	// none. It never blocks: the latest call wins.
	FocusEvents(key PodKey)
}

// PodEventSelector is the field selector of the events about one pod.
func PodEventSelector(key PodKey) string {
	// Written out rather than from a fields.Set, whose map order would
	// change the string from call to call.
	return "involvedObject.kind=Pod,involvedObject.name=" + fields.EscapeValue(key.Name) +
		",involvedObject.namespace=" + fields.EscapeValue(key.Namespace)
}

// ListPodEvents lists the events about one pod (only its Warnings when
// warningsOnly) in the server's order, trimmed as the informers trim them:
// what a one-shot diagnosis (initwatch wait) reads without watching any
// events. model.PodEvents orders and prints them as the Events pane does.
func ListPodEvents(ctx context.Context, client kubernetes.Interface, key PodKey, warningsOnly bool) ([]*corev1.Event, error) {
	sel := PodEventSelector(key)
	if warningsOnly {
		sel += ",type=" + corev1.EventTypeWarning
	}
	list, err := client.CoreV1().Events(key.Namespace).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("list events of pod %s/%s: %w", key.Namespace, key.Name, err)
	}
	out := make([]*corev1.Event, 0, len(list.Items))
	for i := range list.Items {
		ev := &list.Items[i]
		// Servers (and the fake clientset) that ignore a field selector
		// must not put another pod's events in the answer.
		if !about(ev, key) || warningsOnly && ev.Type != corev1.EventTypeWarning {
			continue
		}
		out = append(out, StripEvent(ev))
	}
	return out, nil
}

func about(ev *corev1.Event, key PodKey) bool {
	o := &ev.InvolvedObject
	ns := o.Namespace
	if ns == "" {
		ns = ev.Namespace
	}
	return o.Kind == "Pod" && o.Name == key.Name && ns == key.Namespace
}

// FocusEvents implements EventFocuser.
func (s *informerSource) FocusEvents(key PodKey) {
	s.focusMu.Lock()
	s.focus = key
	s.focusMu.Unlock()
	select {
	case s.focusChanged <- struct{}{}:
	default: // a change is already pending; it reads the latest key
	}
}

func (s *informerSource) focused() PodKey {
	s.focusMu.Lock()
	defer s.focusMu.Unlock()
	return s.focus
}

// followFocus runs until ctx ends, keeping one informer on the events of
// the focused pod (none when no pod is focused or its namespace's events
// may not be listed).
func (s *informerSource) followFocus(ctx context.Context, allowed []string, co *coalescer, tracker *connTracker) {
	var cur PodKey
	var stop func()
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.focusChanged:
		}
		want := s.focused()
		if want == cur {
			continue
		}
		if stop != nil {
			stop()
			stop = nil
		}
		cur = want
		if want.Name == "" || !slices.Contains(allowed, "") && !slices.Contains(allowed, want.Namespace) {
			continue
		}
		stop = s.watchPodEvents(ctx, want, co, tracker)
	}
}

// watchPodEvents starts an informer on the events of pod key and returns
// its stop, which waits for it and removes the events it delivered.
func (s *informerSource) watchPodEvents(ctx context.Context, key PodKey, co *coalescer, tracker *connTracker) func() {
	id := scopeID{resource: resourceEvents, namespace: key.Namespace}
	sel := PodEventSelector(key)
	events := s.client.CoreV1().Events(key.Namespace)
	lw := observedListWatch(id, tracker, func(o *metav1.ListOptions) { o.FieldSelector = sel },
		func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return events.List(ctx, o) },
		func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return events.Watch(ctx, o) })
	inf := cache.NewSharedIndexInformerWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, s.client),
		&corev1.Event{}, cache.SharedIndexInformerOptions{})
	ictx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop := func() {
		cancel()
		wg.Wait()
		tracker.forget(id)
		for _, obj := range inf.GetStore().List() {
			if ev, ok := obj.(*corev1.Event); ok {
				co.removeEvent(ev)
			}
		}
	}
	if err := inf.SetTransform(ContextTransform(s.opts.Context)); err != nil {
		tracker.observe(ctx, id, err)
		return stop
	}
	if _, err := register(inf, focusedEventHandler{eventHandler{co}, key}, id, tracker); err != nil {
		tracker.observe(ctx, id, err)
		return stop
	}
	wg.Go(func() { inf.RunWithContext(ictx) })
	return stop
}

// focusedEventHandler passes on the events about one pod only: a server
// that ignores the field selector (the fake clientset does) must not fill
// the pane with its neighbours' events.
type focusedEventHandler struct {
	eventHandler
	key PodKey
}

func (h focusedEventHandler) OnAdd(obj any, initial bool) {
	if ev, ok := obj.(*corev1.Event); ok && about(ev, h.key) {
		h.eventHandler.OnAdd(obj, initial)
	}
}

func (h focusedEventHandler) OnUpdate(oldObj, newObj any) {
	if ev, ok := newObj.(*corev1.Event); ok && about(ev, h.key) {
		h.eventHandler.OnUpdate(oldObj, newObj)
	}
}

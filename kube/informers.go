package kube

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
)

// eventFieldSelector keeps the Events informer to events about pods, the
// only ones initwatch shows.
const eventFieldSelector = "involvedObject.kind=Pod"

// probeParallelism bounds the concurrent start-up probes when falling back
// to one informer per namespace.
const probeParallelism = 8

// informerSource is the PodSource backed by client-go shared informers.
type informerSource struct {
	client kubernetes.Interface
	opts   Options
	now    func() time.Time

	// The pod whose events are watched (Options.FocusedEvents).
	focusMu      sync.Mutex
	focus        PodKey
	focusChanged chan struct{}
}

// NewInformerSource returns a PodSource that watches opts' scope through
// shared informers: one cluster-wide informer for all namespaces, else one
// per namespace. It only ever lists and watches.
//
// Least privilege: when pods may not be listed cluster-wide, it lists the
// namespaces and watches those where pods may be listed; when namespaces may
// not be listed either, it tries opts.FallbackNamespaces. Refused scopes are
// reported once in ConnState.Forbidden and not retried; Run fails with a
// *ForbiddenError when no scope at all is allowed.
func NewInformerSource(client kubernetes.Interface, opts Options) PodSource {
	if opts.FocusedEvents {
		opts.WithEvents = false
	}
	return &informerSource{client: client, opts: opts, now: time.Now, focusChanged: make(chan struct{}, 1)}
}

// Run implements PodSource. It returns nil once ctx is cancelled, or an
// error before any informer starts (bad selector, unreachable server,
// rejected credentials, nothing allowed).
func (s *informerSource) Run(ctx context.Context, out chan<- Batch) error {
	label, field, err := parseSelectors(s.opts.LabelSelector, s.opts.FieldSelector)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	co := newCoalescer(s.opts.Interval)
	co.context = s.opts.Context
	tracker := newConnTracker(s.now, co.setConn)
	var flusher sync.WaitGroup
	flusher.Go(func() { co.run(ctx, out) })
	stop := func() {
		cancel()
		flusher.Wait()
	}

	p, err := s.plan(ctx, label, field)
	if err != nil {
		cancelled := ctx.Err() != nil // before stop, which cancels ctx
		stop()
		if cancelled {
			return nil // cancelled while probing: not a failure
		}
		return err
	}
	tracker.setRefused(p.forbidden, p.eventsForbidden)

	factories, synced, err := s.startInformers(ctx, p, label, field, co, tracker)
	var metaFactories []metadatainformer.SharedInformerFactory
	defer func() {
		stop()
		// Shutdown waits for every informer goroutine; ctx is already
		// cancelled, which is what stops them.
		for _, f := range factories {
			f.Shutdown()
		}
		for _, f := range metaFactories {
			f.Shutdown()
		}
	}()
	if err != nil {
		return err
	}
	if s.opts.FocusedEvents {
		var focus sync.WaitGroup
		defer func() {
			cancel() // ends followFocus, on an error return too
			focus.Wait()
		}()
		focus.Go(func() { s.followFocus(ctx, p.events, co, tracker) })
	}
	if s.opts.WithOwners {
		// After the pods' informers have started, so owners never delay
		// the first pods on screen.
		var more []cache.InformerSynced
		metaFactories, more, err = s.watchOwners(ctx, p.pods, factories, co)
		if err != nil {
			return err
		}
		synced = append(synced, more...)
	}
	if cache.WaitForCacheSync(ctx.Done(), synced...) {
		co.setSynced()
		tracker.setSynced()
	}
	<-ctx.Done()
	return nil
}

// startInformers builds and starts one factory per watched scope.
func (s *informerSource) startInformers(ctx context.Context, p plan, label, field string,
	co *coalescer, tracker *connTracker) ([]informers.SharedInformerFactory, []cache.InformerSynced, error) {
	withEvents := make(map[string]bool, len(p.events))
	for _, ns := range p.events {
		// Focused events are watched per pod (podevents.go).
		withEvents[ns] = s.opts.WithEvents
	}
	var factories []informers.SharedInformerFactory
	var synced []cache.InformerSynced
	for _, ns := range p.pods {
		transform := ContextTransform(s.opts.Context)
		f := informers.NewSharedInformerFactoryWithOptions(s.client, 0,
			informers.WithNamespace(ns), informers.WithTransform(transform))
		factories = append(factories, f)

		podID := scopeID{resource: resourcePods, namespace: ns}
		pods := f.InformerFor(&corev1.Pod{}, podInformerFunc(ns, label, field, tracker, transform))
		// Pods are transformed by their list and watch (podInformerFunc),
		// not by the informer, where the factory's transform put it.
		if err := pods.SetTransform(nil); err != nil {
			return factories, nil, fmt.Errorf("watch pods in %s: %w", scopeName(ns), err)
		}
		reg, err := register(pods, podHandler{co: co, context: s.opts.Context}, podID, tracker)
		if err != nil {
			return factories, nil, err
		}
		synced = append(synced, reg.HasSynced)

		if withEvents[ns] {
			eventID := scopeID{resource: resourceEvents, namespace: ns}
			events := f.InformerFor(&corev1.Event{}, eventInformerFunc(ns, tracker))
			reg, err := register(events, eventHandler{co}, eventID, tracker)
			if err != nil {
				return factories, nil, err
			}
			synced = append(synced, reg.HasSynced)
		}
		f.Start(ctx.Done())
	}
	return factories, synced, nil
}

func register(inf cache.SharedIndexInformer, h cache.ResourceEventHandler, id scopeID,
	tracker *connTracker) (cache.ResourceEventHandlerRegistration, error) {
	// Replacing the default handler also keeps client-go from logging
	// every failed watch to stderr under the TUI.
	err := inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, _ *cache.Reflector, err error) {
		tracker.observe(ctx, id, err)
	})
	if err != nil {
		return nil, fmt.Errorf("watch %s in %s: %w", id.resource, scopeName(id.namespace), err)
	}
	reg, err := inf.AddEventHandler(h)
	if err != nil {
		return nil, fmt.Errorf("watch %s in %s: %w", id.resource, scopeName(id.namespace), err)
	}
	return reg, nil
}

// podInformerFunc builds the pods' informer. Their transform runs on what
// the list and the watch return, not in the informer: client-go applies an
// informer's transform twice to every pod of a streaming initial list (once
// into the reflector's temporary store, again when that store's contents
// replace the queue's), so at the end of the list two stripped copies of
// every pod were live at once (see transformedWatch).
func podInformerFunc(ns, label, field string, tracker *connTracker,
	transform cache.TransformFunc) func(kubernetes.Interface, time.Duration) cache.SharedIndexInformer {
	id := scopeID{resource: resourcePods, namespace: ns}
	tweak := func(o *metav1.ListOptions) {
		o.LabelSelector = label
		o.FieldSelector = field
	}
	return func(client kubernetes.Interface, resync time.Duration) cache.SharedIndexInformer {
		pods := client.CoreV1().Pods(ns)
		if s, ok := client.(interface {
			podStream() corev1client.PodInterface
		}); ok && ns == metav1.NamespaceAll {
			pods = s.podStream() // its own connection (podStreamConfig)
		}
		lw := observedListWatch(id, tracker, tweak,
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return pods.List(ctx, o) },
			func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return pods.Watch(ctx, o) })
		return cache.NewSharedIndexInformerWithOptions(
			cache.ToListWatcherWithWatchListSemantics(transformedListWatch(lw, transform), client),
			&PackedPod{}, cache.SharedIndexInformerOptions{ResyncPeriod: resync})
	}
}

func eventInformerFunc(ns string, tracker *connTracker) func(kubernetes.Interface, time.Duration) cache.SharedIndexInformer {
	id := scopeID{resource: resourceEvents, namespace: ns}
	tweak := func(o *metav1.ListOptions) { o.FieldSelector = eventFieldSelector }
	return func(client kubernetes.Interface, resync time.Duration) cache.SharedIndexInformer {
		events := client.CoreV1().Events(ns)
		lw := observedListWatch(id, tracker, tweak,
			func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return events.List(ctx, o) },
			func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return events.Watch(ctx, o) })
		return cache.NewSharedIndexInformerWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, client),
			&corev1.Event{}, cache.SharedIndexInformerOptions{ResyncPeriod: resync})
	}
}

// observedListWatch reports the outcome of every call to the tracker.
func observedListWatch(id scopeID, tracker *connTracker, tweak func(*metav1.ListOptions),
	list func(context.Context, metav1.ListOptions) (runtime.Object, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error)) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			tweak(&o)
			obj, err := list(ctx, o)
			tracker.observe(ctx, id, err)
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			tweak(&o)
			w, err := watchFn(ctx, o)
			tracker.observe(ctx, id, err)
			return w, err
		},
	}
}

func scopeName(ns string) string {
	if ns == "" {
		return "all namespaces"
	}
	return fmt.Sprintf("namespace %q", ns)
}

// podHandler feeds pod notifications to the coalescer; context completes
// the keys of deletions known only by namespace/name.
type podHandler struct {
	co      *coalescer
	context string
}

func (h podHandler) OnAdd(obj any, _ bool) {
	if pod, ok := obj.(*PackedPod); ok {
		h.co.addPod(pod, true)
	}
}

func (h podHandler) OnUpdate(oldObj, newObj any) {
	pod, ok := newObj.(*PackedPod)
	if !ok {
		return
	}
	// A relist replays every object as an update; unchanged ones (same
	// resourceVersion) are not news and would make a 10k-pod batch.
	if old, ok := oldObj.(*PackedPod); ok && pod.ResourceVersion != "" && old.ResourceVersion == pod.ResourceVersion {
		return
	}
	h.co.addPod(pod, false)
}

func (h podHandler) OnDelete(obj any) {
	switch o := obj.(type) {
	case *PackedPod:
		h.co.removePod(PodKey{Context: h.context, Namespace: o.Namespace, Name: o.Name})
	case cache.DeletedFinalStateUnknown:
		// Missed while disconnected and found gone on relist; the key is
		// authoritative even when the last known object is not.
		if ns, name, err := cache.SplitMetaNamespaceKey(o.Key); err == nil {
			h.co.removePod(PodKey{Context: h.context, Namespace: ns, Name: name})
		}
	}
}

// eventHandler feeds event notifications to the coalescer.
type eventHandler struct{ co *coalescer }

func (h eventHandler) OnAdd(obj any, _ bool) {
	if ev, ok := obj.(*corev1.Event); ok {
		h.co.addEvent(ev, true)
	}
}

func (h eventHandler) OnUpdate(oldObj, newObj any) {
	ev, ok := newObj.(*corev1.Event)
	if !ok {
		return
	}
	if old, ok := oldObj.(*corev1.Event); ok && ev.ResourceVersion != "" && old.ResourceVersion == ev.ResourceVersion {
		return
	}
	h.co.addEvent(ev, false)
}

func (h eventHandler) OnDelete(obj any) {
	switch o := obj.(type) {
	case *corev1.Event:
		h.co.removeEvent(o)
	case cache.DeletedFinalStateUnknown:
		ns, name, err := cache.SplitMetaNamespaceKey(o.Key)
		if err != nil {
			return
		}
		ev, ok := o.Obj.(*corev1.Event)
		if !ok || ev.Namespace != ns || ev.Name != name {
			ev = &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		}
		h.co.removeEvent(ev)
	}
}

// transformedListWatch is lw with transform applied to the objects its
// lists and watches return, bookmarks aside.
func transformedListWatch(lw *cache.ListWatch, transform cache.TransformFunc) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			obj, err := lw.ListWithContextFunc(ctx, o)
			if err != nil {
				return obj, err
			}
			return transformList(obj, transform)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			w, err := lw.WatchFuncWithContext(ctx, o)
			if err != nil {
				return w, err
			}
			return newTransformedWatch(w, transform), nil
		},
	}
}

// transformList packs a pod list: the reflector gets a packedPodList. It
// copies each item out of the list (meta.ExtractListWithAlloc), so the
// list's array does not outlive it.
func transformList(obj runtime.Object, transform cache.TransformFunc) (runtime.Object, error) {
	list, ok := obj.(*corev1.PodList)
	if !ok {
		return obj, nil // an error Status, say: the reflector reports it
	}
	out := &packedPodList{TypeMeta: list.TypeMeta, ListMeta: list.ListMeta, Items: make([]PackedPod, len(list.Items))}
	for i := range list.Items {
		obj, err := transform(&list.Items[i])
		if err != nil {
			return nil, fmt.Errorf("transform pod %s/%s: %w", list.Items[i].Namespace, list.Items[i].Name, err)
		}
		pod, ok := obj.(*PackedPod)
		if !ok || pod == nil {
			return nil, fmt.Errorf("transform pod %s/%s: got %T", list.Items[i].Namespace, list.Items[i].Name, obj)
		}
		out.Items[i] = *pod
		list.Items[i] = corev1.Pod{} // the decoded pod is garbage now
	}
	return out, nil
}

// transformedWatch hands on a watch's events, each object transformed once
// as it arrives, which an informer's own transform does not guarantee: on a
// streaming initial list (WatchList) client-go runs it on every object
// going into the reflector's temporary store and again on all of them when
// that store replaces the queue's contents, so the end of the list held two
// stripped copies of every pod (bench/tuiheap's profile at 50,000 pods:
// StripPod allocated for 100,000). Bookmarks become packed pods with their
// resource version and annotations, as they came: the reflector checks
// every event's object against the informer's type (PackedPod), and reads
// the end of the initial events from a bookmark's annotations, which the
// transform drops.
type transformedWatch struct {
	in        watch.Interface
	out       chan watch.Event
	done      chan struct{}
	stopOnce  sync.Once
	transform cache.TransformFunc
}

// newTransformedWatch starts the goroutine that relays in's events; it ends
// when in's channel closes or Stop is called.
func newTransformedWatch(in watch.Interface, transform cache.TransformFunc) *transformedWatch {
	w := &transformedWatch{in: in, out: make(chan watch.Event), done: make(chan struct{}), transform: transform}
	go w.relay()
	return w
}

func (w *transformedWatch) ResultChan() <-chan watch.Event { return w.out }

// Stop stops the watch it wraps and the relay; safe to call more than once.
func (w *transformedWatch) Stop() {
	w.stopOnce.Do(func() {
		close(w.done)
		w.in.Stop()
	})
}

func (w *transformedWatch) relay() {
	defer close(w.out)
	in := w.in.ResultChan()
	for {
		var ev watch.Event
		var ok bool
		select {
		case ev, ok = <-in:
			if !ok {
				return
			}
		case <-w.done:
			return
		}
		switch ev.Type {
		case watch.Added, watch.Modified, watch.Deleted:
			obj, err := w.transform(ev.Object)
			if err != nil {
				// The reflector ends this watch on an error and starts anew.
				ev = watch.Event{Type: watch.Error, Object: &apierrors.NewInternalError(
					fmt.Errorf("transform %T: %w", ev.Object, err)).ErrStatus}
			} else if o, ok := obj.(runtime.Object); ok {
				ev.Object = o
			}
		case watch.Bookmark:
			// The reflector checks every event's type, bookmarks too,
			// against the informer's (PackedPod), and reads the end of
			// the initial events from the bookmark's annotations.
			if pod, ok := ev.Object.(*corev1.Pod); ok {
				ev.Object = &PackedPod{TypeMeta: pod.TypeMeta, ObjectMeta: metav1.ObjectMeta{
					ResourceVersion: pod.ResourceVersion, Annotations: pod.Annotations}}
			}
		}
		select {
		case w.out <- ev:
		case <-w.done:
			return
		}
	}
}

package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

var (
	fixedNow = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	podsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
)

func newPod(ns, name, version string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name),
			// The fake tracker keeps objects' resource versions as given;
			// one per version lets the source tell changed from replayed.
			ResourceVersion: version,
			Labels:          map[string]string{"app": "web", "v": version},
			ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "test"}},
		},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox", Env: []corev1.EnvVar{{Name: "A", Value: "b"}}}},
			Containers:     []corev1.Container{{Name: "app", Image: "nginx"}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodPending},
	}
}

func newEvent(ns, name, pod, msg string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: name, ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "test"}}},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod},
		Reason:         "BackOff", Message: msg, Type: corev1.EventTypeWarning,
	}
}

// consumer applies batches as the TUI does: a map by key, so upserts are
// idempotent.
type consumer struct {
	pods        map[PodKey]*corev1.Pod
	upserts     map[PodKey]int
	events      map[eventKey]*corev1.Event
	conns       []ConnState
	synced      bool
	podsAtSync  int
	batches     int
	dupInBatch  []string
	syncedFlips int
}

func newConsumer() *consumer {
	return &consumer{pods: map[PodKey]*corev1.Pod{}, upserts: map[PodKey]int{}, events: map[eventKey]*corev1.Event{}}
}

func (c *consumer) apply(b Batch) {
	c.batches++
	seen := map[PodKey]bool{}
	for _, p := range b.Pods() {
		k := PodKey{Namespace: p.Namespace, Name: p.Name}
		if seen[k] {
			c.dupInBatch = append(c.dupInBatch, k.Namespace+"/"+k.Name)
		}
		seen[k] = true
		c.pods[k] = p
		c.upserts[k]++
	}
	for _, k := range b.Removed {
		if seen[k] {
			c.dupInBatch = append(c.dupInBatch, k.Namespace+"/"+k.Name)
		}
		seen[k] = true
		delete(c.pods, k)
	}
	for _, e := range b.Events {
		c.events[eventKey{e.Namespace, e.Name}] = e
	}
	for _, e := range b.RemovedEvents {
		delete(c.events, eventKey{e.Namespace, e.Name})
	}
	if b.Conn != nil {
		c.conns = append(c.conns, *b.Conn)
	}
	if b.Synced && !c.synced {
		c.synced = true
		c.podsAtSync = len(c.pods)
	}
	if !b.Synced && c.synced {
		c.syncedFlips++
	}
}

func (c *consumer) conn() ConnState {
	if len(c.conns) == 0 {
		return ConnState{}
	}
	return c.conns[len(c.conns)-1]
}

func (c *consumer) podKeys() []string {
	var keys []string
	for k, p := range c.pods {
		keys = append(keys, k.Namespace+"/"+k.Name+"@"+p.Labels["v"])
	}
	sort.Strings(keys)
	return keys
}

type running struct {
	out  chan Batch
	errc chan error
	stop func()
	cons *consumer
}

func runSource(t *testing.T, client *fake.Clientset, opts Options) *running {
	t.Helper()
	src := NewInformerSource(client, opts).(*informerSource)
	src.now = func() time.Time { return fixedNow }
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: make(chan Batch), errc: make(chan error, 1), cons: newConsumer()}
	go func() { r.errc <- src.Run(ctx, r.out) }()
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-r.errc:
				if err != nil {
					t.Errorf("Run returned %v after cancel, want nil", err)
				}
			case <-time.After(waitLimit):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(r.stop)
	return r
}

// until applies batches until cond holds; it fails the test if Run ends or
// nothing satisfying arrives within the wait limit.
func (r *running) until(t *testing.T, what string, cond func(*consumer) bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for !cond(r.cons) {
		select {
		case b := <-r.out:
			r.cons.apply(b)
		case err := <-r.errc:
			t.Fatalf("waiting for %s: Run returned %v", what, err)
		case <-deadline:
			t.Fatalf("waiting for %s: gave up; state: pods %v conn %+v synced %v",
				what, r.cons.podKeys(), r.cons.conn(), r.cons.synced)
		}
	}
	if len(r.cons.dupInBatch) > 0 {
		t.Fatalf("keys repeated within one batch: %v", r.cons.dupInBatch)
	}
	if r.cons.syncedFlips > 0 {
		t.Fatal("Synced went back to false")
	}
}

func fakeKeys(t *testing.T, client *fake.Clientset, namespaces ...string) []string {
	t.Helper()
	var keys []string
	for _, ns := range namespaces {
		list, err := client.Tracker().List(podsGVR, schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, ns)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list.(*corev1.PodList).Items {
			keys = append(keys, p.Namespace+"/"+p.Name+"@"+p.Labels["v"])
		}
	}
	sort.Strings(keys)
	return keys
}

func sameKeys(want []string) func(*consumer) bool {
	return func(c *consumer) bool { return slices.Equal(c.podKeys(), want) }
}

func TestInformerSourceSyncAndChanges(t *testing.T) {
	var objs []runtime.Object
	for _, ns := range []string{"a", "b", "c"} {
		for i := range 10 {
			objs = append(objs, newPod(ns, fmt.Sprintf("p%d", i), "1"))
		}
	}
	objs = append(objs, newEvent("a", "ev1", "p0", "first"))
	client := fake.NewClientset(objs...)
	r := runSource(t, client, Options{WithEvents: true, Interval: time.Millisecond})

	r.until(t, "initial sync", func(c *consumer) bool { return c.synced })
	if r.cons.podsAtSync != 30 {
		t.Fatalf("first Synced batch left the consumer with %d pods, want all 30", r.cons.podsAtSync)
	}
	if first := r.cons.conns[0]; first.Phase != ConnConnecting || !first.Since.Equal(fixedNow) {
		t.Errorf("first conn state %+v, want connecting since the fixed clock", first)
	}
	r.until(t, "live", func(c *consumer) bool { return c.conn().Phase == ConnLive })
	r.until(t, "the event", func(c *consumer) bool { return len(c.events) == 1 })
	for _, p := range r.cons.pods {
		if p.ManagedFields != nil || p.Spec.InitContainers[0].Env != nil {
			t.Fatalf("pod %s delivered untransformed", p.Name)
		}
	}
	if ev := r.cons.events[eventKey{"a", "ev1"}]; ev == nil || ev.ManagedFields != nil {
		t.Fatalf("event missing or untransformed: %+v", ev)
	}

	ctx := context.Background()
	pods := client.CoreV1().Pods("b")
	if _, err := pods.Create(ctx, newPod("b", "new", "1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for v := 2; v <= 20; v++ {
		if _, err := pods.Update(ctx, newPod("b", "p3", fmt.Sprint(v)), metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pods.Delete(ctx, "p4", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r.until(t, "changes to arrive", sameKeys(fakeKeys(t, client, "a", "b", "c")))

	events := client.CoreV1().Events("a")
	if _, err := events.Update(ctx, newEvent("a", "ev1", "p0", "second"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	r.until(t, "event update", func(c *consumer) bool {
		ev := c.events[eventKey{"a", "ev1"}]
		return ev != nil && ev.Message == "second"
	})
	if err := events.Delete(ctx, "ev1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	r.until(t, "event removal", func(c *consumer) bool { return len(c.events) == 0 })
}

func TestInformerSourceSelectors(t *testing.T) {
	client := fake.NewClientset(newPod("a", "p", "1"))
	r := runSource(t, client, Options{
		LabelSelector: "app=web,tier!=cache",
		FieldSelector: "spec.nodeName=node-1",
		WithEvents:    true,
		Interval:      time.Millisecond,
	})
	r.until(t, "sync", func(c *consumer) bool { return c.synced })
	r.stop()

	var podCalls, eventCalls int
	for _, a := range client.Actions() {
		var label, field string
		switch act := a.(type) {
		case k8stesting.ListActionImpl:
			r := act.GetListRestrictions()
			label, field = r.Labels.String(), r.Fields.String()
		case k8stesting.WatchActionImpl:
			r := act.GetWatchRestrictions()
			label, field = r.Labels.String(), r.Fields.String()
		default:
			t.Fatalf("unexpected %s %s: the source may only list and watch", a.GetVerb(), a.GetResource().Resource)
		}
		switch a.GetResource().Resource {
		case "pods":
			podCalls++
			if label != "app=web,tier!=cache" || field != "spec.nodeName=node-1" {
				t.Errorf("%s pods with label %q field %q", a.GetVerb(), label, field)
			}
		case "events":
			eventCalls++
			if field != eventFieldSelector || label != "" {
				t.Errorf("%s events with label %q field %q", a.GetVerb(), label, field)
			}
		}
	}
	// probe + list + watch each.
	if podCalls < 3 || eventCalls < 3 {
		t.Errorf("pods calls %d, events calls %d; want probe, list and watch of each", podCalls, eventCalls)
	}
}

func TestInformerSourceBadSelector(t *testing.T) {
	tests := []Options{
		{LabelSelector: "app in (web"},
		{FieldSelector: "spec.nodeName"},
	}
	for _, opts := range tests {
		client := fake.NewClientset()
		err := NewInformerSource(client, opts).Run(context.Background(), make(chan Batch))
		var selErr *SelectorError
		if !errors.As(err, &selErr) {
			t.Fatalf("%+v: err %v, want a *SelectorError", opts, err)
		}
		if msg := Explain(err); strings.Contains(msg, "\n") || !strings.Contains(msg, "invalid") {
			t.Errorf("Explain = %q", msg)
		}
		if n := len(client.Actions()); n != 0 {
			t.Errorf("%d requests made before the selector was validated", n)
		}
	}
}

// forbid makes the fake refuse verb on resource in the given namespaces
// ("" is the cluster scope), as RBAC would.
func forbid(client *fake.Clientset, verb, resource string, namespaces ...string) {
	refused := func(ns string) error {
		where := "in the namespace \"" + ns + "\""
		if ns == "" {
			where = "at the cluster scope"
		}
		return apierrors.NewForbidden(schema.GroupResource{Resource: resource}, "",
			fmt.Errorf("User \"alice\" cannot %s resource %q in API group \"\" %s", verb, resource, where))
	}
	if verb == "watch" {
		client.PrependWatchReactor(resource, func(a k8stesting.Action) (bool, watch.Interface, error) {
			if slices.Contains(namespaces, a.GetNamespace()) {
				return true, nil, refused(a.GetNamespace())
			}
			return false, nil, nil
		})
		return
	}
	client.PrependReactor(verb, resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		if slices.Contains(namespaces, a.GetNamespace()) {
			return true, nil, refused(a.GetNamespace())
		}
		return false, nil, nil
	})
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func TestInformerSourceLeastPrivilege(t *testing.T) {
	seed := func() []runtime.Object {
		objs := []runtime.Object{namespace("a"), namespace("b"), namespace("c")}
		for _, ns := range []string{"a", "b", "c"} {
			objs = append(objs, newPod(ns, "p", "1"), newEvent(ns, "e", "p", "m"))
		}
		return objs
	}
	tests := []struct {
		name      string
		opts      Options
		refuse    map[string][]string // resource → scopes refused for list and watch
		wantPods  []string
		wantConn  ConnState
		wantCalls map[string]int // list calls per refused "resource/ns": probed once only
	}{
		{
			name:     "cluster scope refused, namespaces listed, one namespace refused",
			refuse:   map[string][]string{"pods": {"", "b"}},
			wantPods: []string{"a/p@1", "c/p@1"},
			wantConn: ConnState{Phase: ConnForbidden, Forbidden: []string{"", "b"}},
			wantCalls: map[string]int{
				"pods/": 1, "pods/b": 1,
			},
		},
		{
			name:      "namespaces cannot be listed: the context's namespace",
			opts:      Options{FallbackNamespaces: []string{"c"}},
			refuse:    map[string][]string{"pods": {""}, "namespaces": {""}},
			wantPods:  []string{"c/p@1"},
			wantConn:  ConnState{Phase: ConnForbidden, Forbidden: []string{""}},
			wantCalls: map[string]int{"pods/": 1, "namespaces/": 1},
		},
		{
			name:      "namespaces cannot be listed: every context namespace tried",
			opts:      Options{FallbackNamespaces: []string{"b", "c"}},
			refuse:    map[string][]string{"pods": {"", "b"}, "namespaces": {""}},
			wantPods:  []string{"c/p@1"},
			wantConn:  ConnState{Phase: ConnForbidden, Forbidden: []string{"", "b"}},
			wantCalls: map[string]int{"pods/": 1, "pods/b": 1, "namespaces/": 1},
		},
		{
			name:      "explicit namespaces, one refused",
			opts:      Options{Namespaces: []string{"a", "b", "a"}},
			refuse:    map[string][]string{"pods": {"b"}},
			wantPods:  []string{"a/p@1"},
			wantConn:  ConnState{Phase: ConnForbidden, Forbidden: []string{"b"}},
			wantCalls: map[string]int{"pods/b": 1},
		},
		{
			name:     "events refused where pods are allowed",
			opts:     Options{Namespaces: []string{"a", "c"}},
			refuse:   map[string][]string{"events": {"a"}},
			wantPods: []string{"a/p@1", "c/p@1"},
			wantConn: ConnState{Phase: ConnLive, EventsForbidden: []string{"a"}},
			wantCalls: map[string]int{
				"events/a": 1,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset(seed()...)
			for resource, scopes := range tc.refuse {
				forbid(client, "list", resource, scopes...)
				forbid(client, "watch", resource, scopes...)
			}
			tc.opts.WithEvents = true
			tc.opts.Interval = time.Millisecond
			r := runSource(t, client, tc.opts)
			r.until(t, "sync", func(c *consumer) bool { return c.synced })
			want := tc.wantConn
			want.Since = fixedNow
			r.until(t, "final state", func(c *consumer) bool { return sameConn(c.conn(), want) })
			if got := r.cons.podKeys(); !slices.Equal(got, tc.wantPods) {
				t.Errorf("pods %v, want %v", got, tc.wantPods)
			}
			r.stop()

			calls := map[string]int{}
			for _, a := range client.Actions() {
				switch a.GetVerb() {
				case "list", "watch":
				default:
					t.Fatalf("the source sent a %s: it must never write", a.GetVerb())
				}
				key := a.GetResource().Resource + "/" + a.GetNamespace()
				if slices.Contains(tc.refuse[a.GetResource().Resource], a.GetNamespace()) {
					calls[key]++
				}
			}
			for key, n := range tc.wantCalls {
				if calls[key] != n {
					t.Errorf("%d calls to refused %s, want %d (no retrying a refusal)", calls[key], key, n)
				}
			}
		})
	}
}

func TestInformerSourceNothingAllowed(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		refuse     map[string][]string
		wantScopes []string
	}{
		{
			name:       "no pods anywhere, no namespaces, context namespace refused",
			opts:       Options{FallbackNamespaces: []string{"a"}},
			refuse:     map[string][]string{"pods": {"", "a"}, "namespaces": {""}},
			wantScopes: []string{"", "a"},
		},
		{
			name:       "no fallback namespace",
			refuse:     map[string][]string{"pods": {""}, "namespaces": {""}},
			wantScopes: []string{""},
		},
		{
			name:       "every listed namespace refused",
			refuse:     map[string][]string{"pods": {"", "a", "b"}},
			wantScopes: []string{"", "a", "b"},
		},
		{
			name:       "explicit namespaces all refused",
			opts:       Options{Namespaces: []string{"a", "b"}},
			refuse:     map[string][]string{"pods": {"a", "b"}},
			wantScopes: []string{"a", "b"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset(namespace("a"), namespace("b"), newPod("a", "p", "1"))
			for resource, scopes := range tc.refuse {
				forbid(client, "list", resource, scopes...)
			}
			err := NewInformerSource(client, tc.opts).Run(context.Background(), make(chan Batch))
			var fe *ForbiddenError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *ForbiddenError", err)
			}
			if !slices.Equal(fe.Scopes, tc.wantScopes) {
				t.Errorf("scopes %q, want %q", fe.Scopes, tc.wantScopes)
			}
			if !IsForbidden(err) {
				t.Error("IsForbidden = false")
			}
			msg := Explain(err)
			if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "forbidden: ") || !strings.Contains(msg, "cannot list") {
				t.Errorf("Explain = %q, want one line naming the refusal", msg)
			}
			for _, a := range client.Actions() {
				if a.GetVerb() != "list" {
					t.Errorf("unexpected %s", a.GetVerb())
				}
			}
		})
	}
}

// watchControl replaces the fake's watches with watchers the test drives,
// and can make every list and watch fail as if the server were down.
type watchControl struct {
	mu       sync.Mutex
	down     bool
	watchers chan *watch.FakeWatcher
}

func controlWatches(client *fake.Clientset, resource string) *watchControl {
	wc := &watchControl{watchers: make(chan *watch.FakeWatcher, 64)}
	refused := func() error {
		return &url.Error{Op: "Get", URL: "https://10.0.0.1:6443/api/v1/pods",
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	}
	client.PrependWatchReactor(resource, func(k8stesting.Action) (bool, watch.Interface, error) {
		if wc.isDown() {
			return true, nil, refused()
		}
		w := watch.NewFakeWithChanSize(16, false)
		wc.watchers <- w
		return true, w, nil
	})
	client.PrependReactor("list", resource, func(k8stesting.Action) (bool, runtime.Object, error) {
		if wc.isDown() {
			return true, nil, refused()
		}
		return false, nil, nil
	})
	return wc
}

func (wc *watchControl) isDown() bool {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	return wc.down
}

func (wc *watchControl) setDown(down bool) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	wc.down = down
}

func (wc *watchControl) next(t *testing.T) *watch.FakeWatcher {
	t.Helper()
	select {
	case w := <-wc.watchers:
		return w
	case <-time.After(waitLimit):
		t.Fatal("the informer did not start a watch")
		return nil
	}
}

// TestInformerSourceOutage: the server goes away and comes back with
// pods created and deleted meanwhile (no watch event ever told us): the
// header goes reconnecting with a one-line reason, then live, and the
// relist brings exactly the server's pods, none lost or duplicated.
func TestInformerSourceOutage(t *testing.T) {
	client := fake.NewClientset(newPod("a", "stays", "1"), newPod("a", "goes", "1"))
	wc := controlWatches(client, "pods")
	r := runSource(t, client, Options{Interval: time.Millisecond})
	w := wc.next(t)
	r.until(t, "live", func(c *consumer) bool { return c.conn().Phase == ConnLive })

	wc.setDown(true)
	w.Stop() // the connection drops
	r.until(t, "reconnecting", func(c *consumer) bool { return c.conn().Phase == ConnReconnecting })
	if msg := r.cons.conn().Err; !strings.Contains(msg, "connection refused") || strings.Contains(msg, "\n") {
		t.Errorf("Err = %q, want one line saying the connection was refused", msg)
	}
	if len(r.cons.pods) != 2 {
		t.Errorf("pods dropped while disconnected: %v", r.cons.podKeys())
	}

	tracker := client.Tracker()
	if err := tracker.Delete(podsGVR, "a", "goes"); err != nil {
		t.Fatal(err)
	}
	if err := tracker.Add(newPod("a", "arrived", "1")); err != nil {
		t.Fatal(err)
	}
	if err := tracker.Update(podsGVR, newPod("a", "stays", "2"), "a"); err != nil {
		t.Fatal(err)
	}
	wc.setDown(false)
	r.until(t, "live again", func(c *consumer) bool { return c.conn().Phase == ConnLive })
	r.until(t, "relisted pods", sameKeys([]string{"a/arrived@1", "a/stays@2"}))
	wc.next(t) // watching again

	var phases []ConnPhase
	for _, c := range r.cons.conns {
		phases = append(phases, c.Phase)
	}
	want := []ConnPhase{ConnConnecting, ConnLive, ConnReconnecting, ConnLive}
	if !slices.Equal(phases, want) {
		t.Errorf("phases %v, want %v", phases, want)
	}
}

// TestInformerSourceExpiredWatch: a 410 (resource version too old) makes
// the informer relist; deletions missed meanwhile arrive as removals, and
// the header never shows reconnecting.
func TestInformerSourceExpiredWatch(t *testing.T) {
	client := fake.NewClientset(newPod("a", "p1", "1"), newPod("a", "p2", "1"), newPod("b", "p3", "1"))
	wc := controlWatches(client, "pods")
	r := runSource(t, client, Options{Interval: time.Millisecond})
	w := wc.next(t)
	r.until(t, "live", func(c *consumer) bool { return c.conn().Phase == ConnLive })

	// Changes the informer is not told about: only a relist reveals them.
	tracker := client.Tracker()
	if err := tracker.Delete(podsGVR, "a", "p2"); err != nil {
		t.Fatal(err)
	}
	if err := tracker.Update(podsGVR, newPod("b", "p3", "2"), "b"); err != nil {
		t.Fatal(err)
	}
	expired := apierrors.NewResourceExpired("too old resource version: 1 (5)").ErrStatus
	w.Error(&expired)
	r.until(t, "relist", sameKeys([]string{"a/p1@1", "b/p3@2"}))
	wc.next(t)
	if n := r.cons.upserts[PodKey{Namespace: "a", Name: "p1"}]; n != 1 {
		t.Errorf("unchanged pod sent %d times; a relist must not resend it", n)
	}

	for _, c := range r.cons.conns {
		if c.Phase != ConnConnecting && c.Phase != ConnLive {
			t.Errorf("conn went %s (%s) on a 410", c.Phase, c.Err)
		}
	}
}

// TestInformerSourceRevokedAtRuntime: RBAC taken away mid-session shows as
// forbidden for that scope, not as a reconnect loop.
func TestInformerSourceRevokedAtRuntime(t *testing.T) {
	client := fake.NewClientset(newPod("a", "p", "1"), newPod("b", "p", "1"))
	wc := controlWatches(client, "pods")
	r := runSource(t, client, Options{Namespaces: []string{"a", "b"}, Interval: time.Millisecond})
	first, second := wc.next(t), wc.next(t)
	r.until(t, "live", func(c *consumer) bool { return c.conn().Phase == ConnLive })

	forbid(client, "list", "pods", "b")
	forbid(client, "watch", "pods", "b")
	// Drop both watches; only b's list will be refused on the way back.
	first.Stop()
	second.Stop()
	r.until(t, "forbidden in b", func(c *consumer) bool {
		s := c.conn()
		return s.Phase == ConnForbidden && slices.Equal(s.Forbidden, []string{"b"})
	})
	if got := r.cons.podKeys(); !slices.Equal(got, []string{"a/p@1", "b/p@1"}) {
		t.Errorf("pods %v: the last known state must stay", got)
	}
}

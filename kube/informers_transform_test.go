package kube

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
)

// watchListClient hides the fake clientset's statement that it cannot
// stream initial lists, so the reflector asks its watch for one.
type watchListClient struct{ kubernetes.Interface }

// TestPodInformerTransformsOnce: on a streaming initial list (WatchList),
// each pod is transformed once, as it arrives, and the cache holds what the
// transform returned; a later change too. An informer's own transform runs
// twice on every pod of such a list, which held two copies of every pod at
// the end of it.
func TestPodInformerTransformsOnce(t *testing.T) {
	const pods = 50
	initial := watch.NewFakeWithChanSize(pods+1, false)
	for i := range pods {
		initial.Add(newPod("a", fmt.Sprintf("p%d", i), "1"))
	}
	initial.Action(watch.Bookmark, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		ResourceVersion: "1",
		Annotations:     map[string]string{metav1.InitialEventsAnnotationKey: "true"},
	}})

	client := fake.NewClientset()
	var watches, lists atomic.Int32
	client.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
		watches.Add(1)
		return true, initial, nil
	})
	client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
		lists.Add(1)
		return false, nil, nil
	})

	var calls atomic.Int32
	transform := func(obj any) (any, error) {
		calls.Add(1)
		return ContextTransform("west")(obj)
	}
	tracker := newConnTracker(time.Now, func(ConnState) {})
	inf := podInformerFunc("a", "", "", tracker, transform)(watchListClient{client}, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		inf.RunWithContext(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("informer never synced")
	}
	if lists.Load() != 0 || watches.Load() != 1 {
		t.Fatalf("%d lists and %d watches: want the initial list streamed by one watch", lists.Load(), watches.Load())
	}
	if got := calls.Load(); got != pods {
		t.Fatalf("transform ran %d times over %d pods: want once each", got, pods)
	}
	checkCached := func(name string) {
		t.Helper()
		obj, ok, err := inf.GetStore().GetByKey("a/" + name)
		if err != nil || !ok {
			t.Fatalf("pod %s not cached (%v)", name, err)
		}
		p := obj.(*PackedPod).Pod()
		if p.ManagedFields != nil || p.Spec.InitContainers[0].Env != nil || EventContext(&corev1.Event{ObjectMeta: p.ObjectMeta}) != "west" {
			t.Fatalf("pod %s cached untransformed: %+v", name, p.ObjectMeta)
		}
	}
	for i := range pods {
		checkCached(fmt.Sprintf("p%d", i))
	}

	initial.Modify(newPod("a", "p7", "2"))
	for calls.Load() != pods+1 {
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
	for {
		obj, _, _ := inf.GetStore().GetByKey("a/p7")
		if obj.(*PackedPod).ResourceVersion == "2" {
			break
		}
		time.Sleep(time.Millisecond)
	}
	checkCached("p7")
	if got := calls.Load(); got != pods+1 {
		t.Fatalf("transform ran %d times for %d pods and one change", got, pods)
	}
}

// TestTransformedWatch: objects are transformed, bookmarks are packed with
// their resource version and annotations, errors pass as they came, and Stop ends the relay (its channel closes) even while
// nobody reads.
func TestTransformedWatch(t *testing.T) {
	in := watch.NewFakeWithChanSize(4, false)
	bookmark := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
		ResourceVersion: "9", Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}}
	status := &metav1.Status{Status: metav1.StatusFailure, Reason: metav1.StatusReasonExpired}
	in.Add(newPod("a", "p", "1"))
	in.Action(watch.Bookmark, bookmark)
	in.Error(status)
	in.Delete(newPod("a", "p", "2"))
	w := newTransformedWatch(in, Transform)

	for i, want := range []watch.EventType{watch.Added, watch.Bookmark, watch.Error, watch.Deleted} {
		ev := <-w.ResultChan()
		if ev.Type != want {
			t.Fatalf("event %d is %s, want %s", i, ev.Type, want)
		}
		switch want {
		case watch.Added, watch.Deleted:
			if p := ev.Object.(*PackedPod).Pod(); p.ManagedFields != nil || p.Spec.InitContainers[0].Env != nil {
				t.Fatalf("event %d: pod untransformed", i)
			}
		case watch.Bookmark:
			p, ok := ev.Object.(*PackedPod)
			if !ok || p.ResourceVersion != "9" || p.Annotations[metav1.InitialEventsAnnotationKey] != "true" {
				t.Fatalf("the bookmark was handed on as %#v", ev.Object)
			}
		case watch.Error:
			if ev.Object != status {
				t.Fatal("the error was not handed on as it came")
			}
		}
	}

	in.Add(newPod("a", "q", "3")) // the relay blocks handing it on
	w.Stop()
	w.Stop()
	for range w.ResultChan() {
	}
	if !in.IsStopped() {
		t.Fatal("Stop did not stop the watch it wraps")
	}
}

// BenchmarkPodInformerWatchList: an informer's streaming initial list of
// 10,000 pods (as decoded, e2e-like: four init containers), through to a
// synced cache; B/op and allocs/op are the list's, the pods' decoding
// aside.
func BenchmarkPodInformerWatchList(b *testing.B) {
	const pods = 10000
	base := loadPod(b, "pod-webapp.yaml")
	in := make([]*corev1.Pod, pods)
	for i := range in {
		p := base.DeepCopy()
		p.Name = fmt.Sprintf("webapp-%d", i)
		in[i] = p
	}
	for b.Loop() {
		resetInterning()
		w := watch.NewFakeWithChanSize(pods+1, false)
		for _, p := range in {
			w.Add(p)
		}
		w.Action(watch.Bookmark, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			ResourceVersion: "1", Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}})
		client := fake.NewClientset()
		client.PrependWatchReactor("pods", func(k8stesting.Action) (bool, watch.Interface, error) {
			return true, w, nil
		})
		tracker := newConnTracker(time.Now, func(ConnState) {})
		inf := podInformerFunc("", "", "", tracker, Transform)(watchListClient{client}, 0)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			inf.RunWithContext(ctx)
		}()
		if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
			b.Fatal("never synced")
		}
		cancel()
		<-done
	}
}

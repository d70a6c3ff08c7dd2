package main

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/pager"

	"github.com/initwatch/initwatch/kube"
)

// start serves n pods in format f and returns a client that speaks it as
// initwatch does (protobuf first) or JSON only.
func start(t *testing.T, n int, f format) (*server, *emitter, kubernetes.Interface) {
	t.Helper()
	base := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	set, err := newPodSet(filepath.Join("..", "..", "testdata", "e2e", "templates"), n, 4, 3, f, base)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(set, f, base)
	srv, err := startTLS(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := writeKubeconfig(srv, path); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	if f == protobufFormat {
		cfg.ContentType = runtime.ContentTypeProtobuf
		cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, newEmitter(s, nil), cs
}

func formats() []format { return []format{protobufFormat, jsonFormat} }

func TestListPagesAndPlaceholders(t *testing.T) {
	for _, f := range formats() {
		t.Run(f.String(), func(t *testing.T) {
			s, _, cs := start(t, 25, f)
			ctx := context.Background()
			p := pager.New(func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return cs.CoreV1().Pods("").List(ctx, o)
			})
			p.PageSize = 7
			obj, _, err := p.List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			items, err := meta.ExtractList(obj)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 25 {
				t.Fatalf("paged list: %d pods, want 25", len(items))
			}
			if got := s.snapshot().Lists; got != 4 {
				t.Errorf("%d list requests, want 4 pages of 7", got)
			}
			for i, o := range items {
				pod := o.(*corev1.Pod)
				if pod.Name != s.set.names[i] || pod.Namespace != s.set.ns[i] {
					t.Fatalf("item %d is %s/%s, want %s/%s", i, pod.Namespace, pod.Name, s.set.ns[i], s.set.names[i])
				}
				if pod.ResourceVersion != strconv.FormatInt(firstRV, 10) || pod.Annotations[SentAnnotation] != "0000000000000000000" {
					t.Fatalf("%s: resourceVersion %q sent %q: placeholders not filled", pod.Name, pod.ResourceVersion, pod.Annotations[SentAnnotation])
				}
				if len(pod.Spec.InitContainers) != 4 || len(pod.ManagedFields) != 2 {
					t.Fatalf("%s: %d init containers, %d managed fields entries", pod.Name, len(pod.Spec.InitContainers), len(pod.ManagedFields))
				}
			}
			sel, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: TargetLabel + "=" + TargetValue})
			if err != nil || len(sel.Items) != 3 {
				t.Fatalf("label selector: %v, %d pods, want the 3 targets", err, len(sel.Items))
			}
		})
	}
}

func TestWatchFromResourceVersion(t *testing.T) {
	for _, f := range formats() {
		t.Run(f.String(), func(t *testing.T) {
			s, e, cs := start(t, 10, f)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			list, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// One change before the watch starts: the ring replays it.
			before := s.emit(0, s.set.enc[0], false)
			w, err := cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			if err := e.probe(); err != nil {
				t.Fatal(err)
			}
			want := []int64{before.rv, before.rv + 1}
			for k, rv := range want {
				ev := <-w.ResultChan()
				pod, ok := ev.Object.(*corev1.Pod)
				if ev.Type != watch.Modified || !ok {
					t.Fatalf("event %d: %s %T", k, ev.Type, ev.Object)
				}
				if pod.ResourceVersion != strconv.FormatInt(rv, 10) {
					t.Fatalf("event %d: resourceVersion %s, want %d", k, pod.ResourceVersion, rv)
				}
				sent, err := strconv.ParseInt(pod.Annotations[SentAnnotation], 10, 64)
				if err != nil || time.Since(time.Unix(0, sent)) > time.Minute {
					t.Fatalf("event %d: sent stamp %q", k, pod.Annotations[SentAnnotation])
				}
				if k == 1 && pod.Status.InitContainerStatuses[0].RestartCount != 1001 {
					t.Fatalf("probe: restart count %d, want 1001", pod.Status.InitContainerStatuses[0].RestartCount)
				}
			}
		})
	}
}

// TestInitwatchSourceSyncsAndFollows runs initwatch's own informer source
// (streaming list, events on) against the replay: every pod arrives, then
// the changes emitted at a rate, then a probe.
func TestInitwatchSourceSyncsAndFollows(t *testing.T) {
	for _, f := range formats() {
		t.Run(f.String(), func(t *testing.T) {
			s, e, cs := start(t, 40, f)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out := make(chan kube.Batch, 64)
			done := make(chan error, 1)
			src := kube.NewInformerSource(cs, kube.Options{WithEvents: true})
			go func() { done <- src.Run(ctx, out) }()
			pods := map[string]string{}
			events := 0
			synced := false
			for !synced {
				select {
				case b := <-out:
					for _, p := range b.Pods() {
						pods[p.Name] = p.ResourceVersion
					}
					events += len(b.Events)
					synced = b.Synced
				case err := <-done:
					t.Fatalf("source stopped: %v", err)
				case <-ctx.Done():
					t.Fatal("no sync")
				}
			}
			if len(pods) != 40 {
				t.Fatalf("synced with %d pods, want 40", len(pods))
			}
			if events != 0 && events != 40*eventsPerPod {
				t.Fatalf("synced with %d events, want none yet or %d", events, 40*eventsPerPod)
			}
			stop := make(chan struct{})
			go func() { _ = e.run(stop) }()
			defer close(stop)
			// A rate a client under the race detector keeps up with: the
			// replay closes a watcher 200 changes behind, as the apiserver does.
			e.set(500, 20*time.Millisecond)
			var probe *corev1.Pod
			for probe == nil {
				select {
				case b := <-out:
					for _, p := range b.Pods() {
						if len(p.Status.InitContainerStatuses) > 0 && p.Status.InitContainerStatuses[0].RestartCount > 1000 {
							probe = p
						}
					}
				case <-ctx.Done():
					t.Fatalf("no probe arrived; replay stats %+v", s.snapshot())
				}
			}
			if p := probe.Labels[TargetLabel]; p != TargetValue {
				t.Errorf("probe went to %s, not a target", probe.Name)
			}
			t.Logf("replay stats: %+v", s.snapshot())
			if st := s.snapshot(); st.Sent == 0 || st.Delivered == 0 || st.SlowClosed != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestEventsBySelector(t *testing.T) {
	for _, f := range formats() {
		t.Run(f.String(), func(t *testing.T) {
			s, _, cs := start(t, 12, f)
			ctx := context.Background()
			name, ns := s.set.names[5], s.set.ns[5]
			list, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
				FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + name + ",involvedObject.namespace=" + ns})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Items) != eventsPerPod {
				t.Fatalf("%d events of %s, want %d", len(list.Items), name, eventsPerPod)
			}
			warn := 0
			for _, ev := range list.Items {
				if ev.InvolvedObject.Name != name || ev.Namespace != ns {
					t.Fatalf("event %s is about %s/%s", ev.Name, ev.Namespace, ev.InvolvedObject.Name)
				}
				if ev.Type == corev1.EventTypeWarning {
					warn++
				}
			}
			if warn != 1 {
				t.Errorf("%d Warning events, want 1", warn)
			}
			all, err := cs.CoreV1().Events("").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.kind=Pod"})
			if err != nil || len(all.Items) != 12*eventsPerPod {
				t.Fatalf("all events: %v, %d", err, len(all.Items))
			}
			if _, err := cs.CoreV1().Events("").List(ctx, metav1.ListOptions{FieldSelector: "reason=BackOff"}); err == nil {
				t.Error("an unknown field selector was accepted")
			}
		})
	}
}

func TestWireShapes(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 1 << 20} {
		if got, want := fieldHeaderLen(n), 1+len(appendUvarint(nil, n)); got != want {
			t.Errorf("fieldHeaderLen(%d) = %d, want %d", n, got, want)
		}
	}
	var b [rvWidth]byte
	putDigits(b[:], 42)
	if string(b[:]) != "000000000042" {
		t.Errorf("putDigits: %q", b[:])
	}
}

// TestSlowWatcherClosed: a watcher whose queue is full is closed once the
// dispatch budget is spent, as the apiserver's cacher closes a watcher too
// slow for it; with budget left, a watcher that takes the change in time
// stays open.
func TestSlowWatcherClosed(t *testing.T) {
	s, _, _ := start(t, 4, protobufFormat)
	stuck := &watcher{sel: labels.Everything(), ch: make(chan change, watchQueue)}
	s.mu.Lock()
	s.watchers[stuck] = struct{}{}
	s.mu.Unlock()
	for range watchQueue {
		s.emit(0, s.set.enc[0], false)
	}
	if st := s.snapshot(); st.SlowClosed != 0 || st.Backlog != watchQueue {
		t.Fatalf("a full queue is not yet too slow: %+v", st)
	}
	s.emit(0, s.set.enc[0], false) // no budget yet: closed at once
	if st := s.snapshot(); st.SlowClosed != 1 || !stuck.slow.Load() {
		t.Fatalf("a watcher past its queue stayed open: %+v", st)
	}
	for range watchQueue {
		<-stuck.ch
	}
	if _, open := <-stuck.ch; open {
		t.Fatal("the slow watcher's queue was not closed")
	}

	reader := &watcher{sel: labels.Everything(), ch: make(chan change, watchQueue)}
	s.mu.Lock()
	s.watchers[reader] = struct{}{}
	// A budget no scheduling delay exhausts: what is tested is that emit
	// waits while there is one.
	s.maxBudget, s.budget = time.Hour, time.Hour
	s.mu.Unlock()
	for range watchQueue {
		s.emit(1, s.set.enc[1], false)
	}
	go func() { <-reader.ch }()
	s.emit(1, s.set.enc[1], false) // waits for the reader, within budget
	if st := s.snapshot(); st.SlowClosed != 1 || reader.slow.Load() {
		t.Fatalf("a watcher that took the change within the budget was closed: %+v", st)
	}
}

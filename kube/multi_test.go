package kube

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// multiConsumer applies batches of several clusters the way the TUI does.
type multiConsumer struct {
	pods   map[PodKey]*corev1.Pod
	events map[string]*corev1.Event // context/ns/name
	conns  map[string]ConnState
	synced map[string]bool
}

func newMultiConsumer() *multiConsumer {
	return &multiConsumer{pods: map[PodKey]*corev1.Pod{}, events: map[string]*corev1.Event{},
		conns: map[string]ConnState{}, synced: map[string]bool{}}
}

func (c *multiConsumer) apply(t *testing.T, b Batch) {
	t.Helper()
	for _, p := range b.Pods() {
		k := KeyOf(p)
		if k.Context != b.Context {
			t.Fatalf("pod %s/%s stamped %q in a batch of %q", p.Namespace, p.Name, k.Context, b.Context)
		}
		c.pods[k] = p
	}
	for _, k := range b.Removed {
		if k.Context != b.Context {
			t.Fatalf("removal %+v in a batch of %q", k, b.Context)
		}
		delete(c.pods, k)
	}
	for _, e := range b.Events {
		c.events[EventContext(e)+"/"+e.Namespace+"/"+e.Name] = e
	}
	if b.Conn != nil {
		c.conns[b.Context] = *b.Conn
	}
	if b.Synced {
		c.synced[b.Context] = true
	}
}

func (c *multiConsumer) keys() []string {
	var out []string
	for k := range c.pods {
		out = append(out, k.Context+":"+k.Namespace+"/"+k.Name)
	}
	sort.Strings(out)
	return out
}

func runMulti(t *testing.T, src PodSource) (out chan Batch, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = make(chan Batch)
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, out) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			for {
				select {
				case <-out:
				case err := <-errc:
					if err != nil {
						t.Errorf("Run returned %v after cancel", err)
					}
					return
				case <-time.After(waitLimit):
					t.Error("Run did not return after cancel")
					return
				}
			}
		})
	}
	t.Cleanup(stop)
	return out, stop
}

func consumeUntil(t *testing.T, out chan Batch, c *multiConsumer, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(waitLimit)
	for !cond() {
		select {
		case b := <-out:
			c.apply(t, b)
		case <-deadline:
			t.Fatalf("waiting for %s: pods %v conns %+v synced %v", what, c.keys(), c.conns, c.synced)
		}
	}
}

func informerCluster(name string, client *fake.Clientset) Cluster {
	return Cluster{Context: name, New: func() (PodSource, error) {
		return NewInformerSource(client, Options{Context: name, WithEvents: true}), nil
	}}
}

func TestMultiSourceKeepsClustersApart(t *testing.T) {
	eu := fake.NewClientset(newPod("shop", "web-1", "1"), newPod("shop", "eu-only", "1"), newEvent("shop", "ev1", "web-1", "eu"))
	us := fake.NewClientset(newPod("shop", "web-1", "1"), newEvent("shop", "ev1", "web-1", "us"))
	out, _ := runMulti(t, NewMultiSource([]Cluster{informerCluster("eu-1", eu), informerCluster("us-1", us)}))
	c := newMultiConsumer()
	consumeUntil(t, out, c, "both lists", func() bool {
		return c.synced["eu-1"] && c.synced["us-1"] && len(c.events) == 2
	})
	want := []string{"eu-1:shop/eu-only", "eu-1:shop/web-1", "us-1:shop/web-1"}
	if got := c.keys(); !slices.Equal(got, want) {
		t.Fatalf("pods = %v, want %v (the same namespace/name in two clusters is two pods)", got, want)
	}
	if ev := c.events["us-1/shop/ev1"]; ev == nil || ev.Message != "us" {
		t.Errorf("us-1's event = %+v, want its own message", ev)
	}
	// A deletion in one cluster removes that cluster's pod only.
	if err := us.CoreV1().Pods("shop").Delete(context.Background(), "web-1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	consumeUntil(t, out, c, "the deletion", func() bool { return len(c.pods) == 2 })
	want = []string{"eu-1:shop/eu-only", "eu-1:shop/web-1"}
	if got := c.keys(); !slices.Equal(got, want) {
		t.Fatalf("after deleting us-1's web-1: %v, want %v", got, want)
	}
	// Nothing was written to either cluster: the stamp is in memory only.
	stored, err := eu.CoreV1().Pods("shop").Get(context.Background(), "web-1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := stored.Annotations[model.ContextAnnotation]; ok {
		t.Error("the context annotation reached the cluster's object")
	}
}

// blockingSource never answers, like a server that accepts connections and
// says nothing.
type blockingSource struct{}

func (blockingSource) Run(ctx context.Context, _ chan<- Batch) error {
	<-ctx.Done()
	return nil
}

func TestMultiSourceSilentClusterDelaysNothing(t *testing.T) {
	up := fake.NewClientset(newPod("a", "p1", "1"))
	silent := Cluster{Context: "silent", New: func() (PodSource, error) { return blockingSource{}, nil }}
	out, _ := runMulti(t, NewMultiSource([]Cluster{silent, informerCluster("up", up)}))
	c := newMultiConsumer()
	consumeUntil(t, out, c, "the answering cluster", func() bool { return c.synced["up"] })
	if got := c.keys(); !slices.Equal(got, []string{"up:a/p1"}) {
		t.Errorf("pods = %v", got)
	}
}

func TestMultiSourceRetriesFailedCluster(t *testing.T) {
	client := fake.NewClientset(newPod("a", "p1", "1"))
	var calls atomic.Int32
	var healthy atomic.Bool
	down := Cluster{Context: "down", New: func() (PodSource, error) {
		calls.Add(1)
		if !healthy.Load() {
			return nil, errors.New(`Get "https://10.0.0.1:6443/api": dial tcp 10.0.0.1:6443: connect: connection refused`)
		}
		return NewInformerSource(client, Options{Context: "down"}), nil
	}}
	src := NewMultiSource([]Cluster{down}).(*multiSource)
	src.retryMin = 10 * time.Millisecond
	var tick atomic.Int64
	src.now = func() time.Time { return fixedNow.Add(time.Duration(tick.Add(1)) * time.Second) }
	out, _ := runMulti(t, src)
	c := newMultiConsumer()
	consumeUntil(t, out, c, "unreachable", func() bool { return c.conns["down"].Phase == ConnUnreachable })
	first := c.conns["down"]
	if first.Err == "" {
		t.Error("unreachable without a reason")
	}
	consumeUntil(t, out, c, "retries", func() bool { return calls.Load() >= 3 })
	if since := c.conns["down"].Since; !since.Equal(first.Since) {
		t.Errorf("Since moved from %v to %v across retries; it must date the first failure", first.Since, since)
	}
	healthy.Store(true)
	consumeUntil(t, out, c, "the cluster back", func() bool { return c.synced["down"] && c.conns["down"].Phase == ConnLive })
	if got := c.keys(); !slices.Equal(got, []string{"down:a/p1"}) {
		t.Errorf("pods = %v", got)
	}
}

func TestMultiSourceForbiddenCluster(t *testing.T) {
	denied := Cluster{Context: "denied", New: func() (PodSource, error) {
		return nil, &ForbiddenError{Scopes: []string{""}, Err: errors.New("pods is forbidden")}
	}}
	out, _ := runMulti(t, NewMultiSource([]Cluster{denied}))
	c := newMultiConsumer()
	consumeUntil(t, out, c, "forbidden", func() bool { return c.conns["denied"].Phase == ConnForbidden })
	if f := c.conns["denied"].Forbidden; !slices.Equal(f, []string{""}) {
		t.Errorf("Forbidden = %q", f)
	}
}

type recordingLogs struct{ got []LogRequest }

func (r *recordingLogs) Stream(_ context.Context, req LogRequest) (<-chan []LogLine, <-chan error, error) {
	r.got = append(r.got, req)
	lines := make(chan []LogLine)
	close(lines)
	return lines, make(chan error), nil
}

func TestContextLogsRoutesByContext(t *testing.T) {
	eu, us := &recordingLogs{}, &recordingLogs{}
	logs := ContextLogs{"eu-1": eu, "us-1": us}
	if _, _, err := logs.Stream(context.Background(), LogRequest{Context: "us-1", Namespace: "shop", Pod: "web-1"}); err != nil {
		t.Fatal(err)
	}
	if len(us.got) != 1 || len(eu.got) != 0 {
		t.Errorf("eu got %d, us got %d requests; want the pod's own cluster only", len(eu.got), len(us.got))
	}
	if _, _, err := logs.Stream(context.Background(), LogRequest{Context: "ap-1", Namespace: "shop", Pod: "web-1"}); err == nil {
		t.Error("a context without a connection streamed")
	}
}

func TestContextTransform(t *testing.T) {
	in := newPod("a", "p", "1")
	in.Annotations = map[string]string{defaultContainerAnnotation: "app", "other": "x"}
	out, err := ContextTransform("eu-1")(in)
	if err != nil {
		t.Fatal(err)
	}
	pod := out.(*PackedPod).Pod()
	if model.ContextOf(pod) != "eu-1" || pod.Annotations[defaultContainerAnnotation] != "app" {
		t.Errorf("annotations = %v", pod.Annotations)
	}
	if _, ok := in.Annotations[model.ContextAnnotation]; ok {
		t.Error("the transform edited its input")
	}
	plain := newPod("a", "q", "1")
	p1, _ := ContextTransform("eu-1")(plain)
	if model.ContextOf(p1.(*PackedPod).Pod()) != "eu-1" {
		t.Error("a pod without annotations was not stamped")
	}
	ev := newEvent("a", "e", "p", "m")
	outEv, _ := ContextTransform("eu-1")(ev)
	if EventContext(outEv.(*corev1.Event)) != "eu-1" || EventContext(ev) != "" {
		t.Error("event stamp wrong, or written into the input")
	}
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web",
		Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}}}
	outDep, _ := ContextTransform("eu-1")(dep)
	if a := outDep.(*appsv1.Deployment).Annotations; a[model.ContextAnnotation] != "eu-1" || len(dep.Annotations) != 1 {
		t.Errorf("owner annotations = %v (input %v): want the context stamped on the copy only", a, dep.Annotations)
	}
	if key, ok := rollout.KeyOf(outDep.(*appsv1.Deployment)); !ok || key.Context != "eu-1" {
		t.Errorf("owner key = %+v, want context eu-1 (the same workload name in two clusters is two workloads)", key)
	}
	if got, _ := ContextTransform("")(plain); model.ContextOf(got.(*PackedPod).Pod()) != "" {
		t.Error("one cluster must not be stamped")
	}
}

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// initPod is a pod with two init containers, bound to a node no kubelet
// runs, so its status is whatever the test writes.
func initPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "rel"}},
		Spec: corev1.PodSpec{
			NodeName: "node-1",
			InitContainers: []corev1.Container{
				{Name: "migrate", Image: "busybox"},
				{Name: "warm-cache", Image: "busybox"},
			},
			Containers: []corev1.Container{{Name: "app", Image: "busybox"}},
		},
	}
}

// deleteNow removes a pod at once: with no kubelet to confirm a graceful
// deletion, a pod bound to a node would otherwise stay Terminating.
var deleteNow = metav1.DeleteOptions{GracePeriodSeconds: new(int64(0))}

// ensureNamespace creates ns unless it exists, and empties it of pods and
// events when the test ends: on the shared control plane, other tests list
// all namespaces. (The namespace itself stays: without a controller-manager
// a deleted namespace would stay Terminating.)
func ensureNamespace(ctx context.Context, t testing.TB, cs kubernetes.Interface, ns string) {
	t.Helper()
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if err := cs.CoreV1().Pods(ns).DeleteCollection(ctx, deleteNow, metav1.ListOptions{}); err != nil {
			t.Logf("empty namespace %s of pods: %v", ns, err)
		}
		if err := cs.CoreV1().Events(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
			t.Logf("empty namespace %s of events: %v", ns, err)
		}
	})
}

// createPods creates n initPods called prefix-0..n-1 in ns.
func createPods(ctx context.Context, t testing.TB, cs kubernetes.Interface, ns, prefix string, n int) []string {
	t.Helper()
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%d", prefix, i)
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, initPod(ns, names[i]), metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s/%s: %v", ns, names[i], err)
		}
	}
	return names
}

// setInitRunning writes the status a kubelet reports while the first
// done init containers have completed and the next one runs.
func setInitRunning(ctx context.Context, t testing.TB, cs kubernetes.Interface, ns, name string, done int) {
	t.Helper()
	if err := writeInitRunning(ctx, cs, ns, name, done); err != nil {
		t.Fatal(err)
	}
}

// writeInitRunning is setInitRunning for goroutines other than the test's.
func writeInitRunning(ctx context.Context, cs kubernetes.Interface, ns, name string, done int) error {
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get %s/%s: %w", ns, name, err)
	}
	start := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	pod.Status.Phase = corev1.PodPending
	pod.Status.InitContainerStatuses = nil
	for i, c := range pod.Spec.InitContainers {
		st := corev1.ContainerStatus{Name: c.Name, Image: c.Image}
		switch {
		case i < done:
			st.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: start, FinishedAt: start}
		case i == done:
			st.State.Running = &corev1.ContainerStateRunning{StartedAt: start}
			st.Started = new(true)
		default:
			st.State.Waiting = &corev1.ContainerStateWaiting{Reason: "PodInitializing"}
		}
		pod.Status.InitContainerStatuses = append(pod.Status.InitContainerStatuses, st)
	}
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{{
		Name: "app", Image: "busybox", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}},
	}}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status of %s/%s: %w", ns, name, err)
	}
	return nil
}

// podEvent records a Warning event about a pod, as the kubelet would.
func podEvent(ctx context.Context, t testing.TB, cs kubernetes.Interface, ns, pod, reason, msg string) {
	t.Helper()
	p, err := cs.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: pod + ".", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: pod, UID: p.UID},
		Reason:         reason, Message: msg, Type: corev1.EventTypeWarning, Count: 1,
		FirstTimestamp: now, LastTimestamp: now, Source: corev1.EventSource{Component: "kubelet"},
	}
	if _, err := cs.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create event for %s/%s: %v", ns, pod, err)
	}
}

// eventually polls cond every 250 ms until it returns "" or waitBound
// passes, then fails with its last answer.
func eventually(t *testing.T, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s: %s", what, msg)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// watchProxy stands between a client and the apiserver like a load balancer
// that ends long requests: cut finishes every response in flight cleanly,
// as a proxy's idle or maximum-duration timeout does. client-go then
// re-watches from the resourceVersion it last saw (an error would make it
// relist instead). The client speaks plain HTTP to the proxy; the proxy
// authenticates upstream with the user's own credentials.
type watchProxy struct {
	upstream *url.URL
	rt       http.RoundTripper
	srv      *httptest.Server

	mu    sync.Mutex
	cutCh chan struct{}
}

func newWatchProxy(t *testing.T, user *rest.Config) *watchProxy {
	t.Helper()
	rt, err := rest.TransportFor(user)
	if err != nil {
		t.Fatal(err)
	}
	up, err := url.Parse(user.Host)
	if err != nil {
		t.Fatal(err)
	}
	p := &watchProxy{upstream: up, rt: rt, cutCh: make(chan struct{})}
	p.srv = httptest.NewServer(p)
	t.Cleanup(func() {
		p.cut()
		p.srv.Close()
	})
	return p
}

func (p *watchProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	cut := p.cutCh
	p.mu.Unlock()
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host = p.upstream.Scheme, p.upstream.Host
	out.Host, out.RequestURI = "", ""
	resp, err := p.rt.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	flusher, _ := w.(http.Flusher)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-cut:
			resp.Body.Close() // unblocks the copy below; the response then ends cleanly
		case <-stop:
		}
	}()
	buf := make([]byte, 32*1024)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// cut ends every response in flight.
func (p *watchProxy) cut() {
	p.mu.Lock()
	close(p.cutCh)
	p.cutCh = make(chan struct{})
	p.mu.Unlock()
}

// client is a clientset that goes through the proxy.
func (p *watchProxy) client(t testing.TB) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: p.srv.URL, QPS: 100, Burst: 200})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// lockedBuffer is a bytes.Buffer a command writes to while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package kube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// TestPodStreamHasItsOwnHTTP1Connection: the list and watch of every pod
// in the cluster go over HTTP/1.1 (podStreamConfig), everything else,
// namespaced pods included, over the shared HTTP/2 connection.
func TestPodStreamHasItsOwnHTTP1Connection(t *testing.T) {
	var mu sync.Mutex
	var seen []string // "path proto", in order
	srv := httptest.NewUnstartedServer(apiserver(func(r *http.Request) *apierrors.StatusError {
		mu.Lock()
		seen = append(seen, r.URL.Path+" "+r.Proto)
		mu.Unlock()
		return nil
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	f := kubeconfigFor(t, srv.URL, serverCA(srv), nil)
	cs, err := f.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	stream, ok := cs.(interface {
		podStream() corev1client.PodInterface
	})
	if !ok {
		t.Fatalf("the clientset (%T) has no pod stream", cs)
	}
	ctx := context.Background()
	if _, err := stream.podStream().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Pods("a").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"/api/v1/pods HTTP/1.1", "/api/v1/namespaces/a/pods HTTP/2.0", "/api/v1/pods HTTP/2.0"}
	if len(seen) != len(want) {
		t.Fatalf("requests %q, want %q", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("request %d: %q, want %q", i, seen[i], want[i])
		}
	}
}

package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// fakeKubelet serves container logs the way a kubelet does, so that
// `kubectl logs` and initwatch's logs pane reach it through the real
// apiserver (which proxies /pods/log to the node's kubelet port, over TLS it
// does not verify). The test decides every byte of every line.
type fakeKubelet struct {
	srv      *httptest.Server
	port     int32
	lines    func(ns, pod, container string, previous bool) []string
	requests atomic.Int64
}

// logStamp is the kubelet timestamp every served line carries.
var logStamp = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func startFakeKubelet(t *testing.T, lines func(ns, pod, container string, previous bool) []string) *fakeKubelet {
	t.Helper()
	k := &fakeKubelet{lines: lines}
	k.srv = httptest.NewTLSServer(http.HandlerFunc(k.serve))
	t.Cleanup(k.srv.Close)
	_, port, err := net.SplitHostPort(k.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	k.port = int32(p)
	return k
}

func (k *fakeKubelet) serve(w http.ResponseWriter, r *http.Request) {
	k.requests.Add(1)
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/containerLogs/"), "/")
	if len(parts) != 3 || !strings.HasPrefix(r.URL.Path, "/containerLogs/") {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	w.Header().Set("Content-Type", "text/plain")
	stamps := q.Get("timestamps") == "true"
	for i, l := range k.lines(parts[0], parts[1], parts[2], q.Get("previous") == "true") {
		if stamps {
			fmt.Fprintf(w, "%s ", logStamp.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano))
		}
		fmt.Fprintf(w, "%s\n", l)
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if q.Get("follow") == "true" {
		// A follow never ends by itself; the client cancels it.
		<-r.Context().Done()
	}
}

// registerNode creates a Node whose kubelet is k: the apiserver sends log
// requests for pods bound to it to k.
func (k *fakeKubelet) registerNode(ctx context.Context, t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	node, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create node %s: %v", name, err)
	}
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = k.port
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(), Reason: "KubeletReady"}}
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update node %s status: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

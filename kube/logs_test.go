package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// fakeAPIServer answers GET pods/log like the apiserver relaying a kubelet.
type fakeAPIServer struct {
	*httptest.Server
	mu       sync.Mutex
	queries  []url.Values
	paths    []string
	handler  func(w http.ResponseWriter, r *http.Request)
	finished chan struct{} // one value per handler that returned
}

func newFakeAPIServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) (*fakeAPIServer, *ClientLogSource) {
	t.Helper()
	f := &fakeAPIServer{handler: handler, finished: make(chan struct{}, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { f.finished <- struct{}{} }()
		f.mu.Lock()
		f.queries = append(f.queries, r.URL.Query())
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		f.handler(w, r)
	}))
	t.Cleanup(f.Close)
	client, err := kubernetes.NewForConfig(&rest.Config{Host: f.URL})
	if err != nil {
		t.Fatal(err)
	}
	return f, NewLogSource(client, LogStreamOptions{Interval: time.Millisecond})
}

func writeStatus(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"kind": "Status", "apiVersion": "v1", "status": "Failure",
		"message": msg, "reason": reason, "code": code,
	})
}

func int64p(n int64) *int64 { return &n }

func TestClientLogSourceRequest(t *testing.T) {
	since := time.Date(2026, 1, 1, 0, 0, 7, 500000000, time.UTC)
	tests := []struct {
		name string
		req  LogRequest
		want url.Values
	}{
		{
			name: "follow with tail",
			req:  LogRequest{Namespace: "ns", Pod: "p", Container: "init-db", Follow: true, TailLines: int64p(200)},
			want: url.Values{"container": {"init-db"}, "follow": {"true"}, "tailLines": {"200"}, "timestamps": {"true"}},
		},
		{
			name: "previous run",
			req:  LogRequest{Namespace: "ns", Pod: "p", Container: "init-db", Previous: true, TailLines: int64p(50)},
			want: url.Values{"container": {"init-db"}, "previous": {"true"}, "tailLines": {"50"}, "timestamps": {"true"}},
		},
		{
			name: "resume (the API keeps whole seconds)",
			req:  LogRequest{Namespace: "ns", Pod: "p", Container: "app", Follow: true, SinceTime: &since},
			want: url.Values{"container": {"app"}, "follow": {"true"}, "sinceTime": {"2026-01-01T00:00:07Z"}, "timestamps": {"true"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, src := newFakeAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "2026-01-01T00:00:08.25Z hello\n")
			})
			lines, errs, err := src.Stream(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			batches, err := collect(t, lines, errs)
			if err != nil {
				t.Fatal(err)
			}
			got := flatten(batches)
			if len(got) != 1 || got[0].Text != "hello" || !got[0].Time.Equal(time.Date(2026, 1, 1, 0, 0, 8, 250000000, time.UTC)) {
				t.Errorf("lines = %+v", got)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.paths[0] != "/api/v1/namespaces/ns/pods/p/log" {
				t.Errorf("path = %s", f.paths[0])
			}
			if got, want := f.queries[0].Encode(), tt.want.Encode(); got != want {
				t.Errorf("query = %s\nwant    %s", got, want)
			}
		})
	}
}

func TestClientLogSourceErrors(t *testing.T) {
	tests := []struct {
		name        string
		code        int
		reason      string
		message     string
		notStarted  bool
		wantReason  string
		wantContain string
	}{
		{"init container not started", 400, "BadRequest", `container "init-db" in pod "web-0" is waiting to start: PodInitializing`, true, "PodInitializing", ""},
		{"image pull", 400, "BadRequest", `container "init-db" in pod "web-0" is waiting to start: image can't be pulled`, true, "image can't be pulled", ""},
		{"unknown state", 400, "BadRequest", `container "init-db" in pod "web-0" is waiting to start - no logs yet`, true, "no logs yet", ""},
		{"no previous run", 400, "BadRequest", `previous terminated container "init-db" in pod "web-0" not found`, true, "no previous run", ""},
		{"pod gone", 404, "NotFound", `pods "web-0" not found`, false, "", `logs of ns/web-0 container "init-db"`},
		{"forbidden", 403, "Forbidden", `pods "web-0" is forbidden: User "u" cannot get resource "pods/log"`, false, "", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, src := newFakeAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
				writeStatus(w, tt.code, tt.reason, tt.message)
			})
			_, _, err := src.Stream(context.Background(), LogRequest{Namespace: "ns", Pod: "web-0", Container: "init-db", Follow: true})
			if err == nil {
				t.Fatal("no error")
			}
			ns, ok := IsNotStarted(err)
			if ok != tt.notStarted {
				t.Fatalf("IsNotStarted(%v) = %v, want %v", err, ok, tt.notStarted)
			}
			if ok && ns.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", ns.Reason, tt.wantReason)
			}
			if !strings.Contains(err.Error(), tt.wantContain) {
				t.Errorf("error %q does not contain %q", err, tt.wantContain)
			}
		})
	}
}

// eventuallyGoroutines waits until at most want goroutines run. It bounds
// the wait only to turn a leak into a failure instead of a hang.
func eventuallyGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines still running, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestClientLogSourceCancelLeavesNothing(t *testing.T) {
	f, src := newFakeAPIServer(t, func(w http.ResponseWriter, r *http.Request) {
		// A follow that never ends by itself, like the kubelet's.
		fmt.Fprint(w, "2026-01-01T00:00:00Z first\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	// Warm up the client's transport so its idle connection is counted in
	// the baseline, then measure.
	warm, cancelWarm := context.WithCancel(context.Background())
	lines, errs, err := src.Stream(warm, LogRequest{Namespace: "ns", Pod: "p", Container: "c", Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	<-lines
	cancelWarm()
	_, _ = collect(t, lines, errs)
	<-f.finished
	f.CloseClientConnections()
	eventuallyGoroutines(t, runtime.NumGoroutine())
	base := runtime.NumGoroutine()

	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		lines, errs, err := src.Stream(ctx, LogRequest{Namespace: "ns", Pod: "p", Container: "c", Follow: true})
		if err != nil {
			t.Fatal(err)
		}
		if b := <-lines; len(b) != 1 || b[0].Text != "first" {
			t.Fatalf("first batch = %+v", b)
		}
		cancel()
		if _, err := collect(t, lines, errs); err != nil {
			t.Errorf("cancel reported %v", err)
		}
		<-f.finished // the server saw the request end: the connection is closed
	}
	f.CloseClientConnections()
	// The server's own goroutines count too; they end with the connections.
	eventuallyGoroutines(t, base)
}

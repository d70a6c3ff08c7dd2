package logs

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
)

// logsRuntime runs commands the way Bubble Tea does (each in a goroutine)
// and queues their messages, so a test sees every goroutine the pane
// starts through its commands.
type logsRuntime struct {
	msgs chan tea.Msg
	wg   sync.WaitGroup
}

func (r *logsRuntime) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if msg := cmd(); msg != nil {
			r.msgs <- msg
		}
	}()
}

// logsWaitGoroutines polls until at most want goroutines run; the bound
// turns a leak into a failure with every stack instead of a hang.
func logsWaitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), want, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLogsLeaveNothingBehind drives the pane with the real kube source,
// over HTTP, against a server that, like the kubelet, never ends a follow:
// after Blur (or a container switch, or the pod going away) every
// connection is closed and every goroutine has returned.
func TestLogsLeaveNothingBehind(t *testing.T) {
	var open atomic.Int64
	ended := make(chan string, 100)
	stop := make(chan struct{}) // frees handlers when the test fails
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		open.Add(1)
		defer func() {
			open.Add(-1)
			ended <- r.URL.Query().Get("container")
		}()
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "%s %s line %d\n", logsAt(i).Format(time.RFC3339Nano), r.URL.Query().Get("container"), i)
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	client, err := kubernetes.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	src := kube.NewLogSource(client, kube.LogStreamOptions{Interval: time.Millisecond})
	base := runtime.NumGoroutine()

	rt := &logsRuntime{msgs: make(chan tea.Msg, 1000)}
	m := New(src, themes.Mono(), keymap.Default(), Options{Now: func() time.Time { return logsT0 }}).SetSize(80, 20)
	// untilLines feeds messages to the pane until it shows n lines.
	until := func(done func() bool) {
		t.Helper()
		for !done() {
			var cmd tea.Cmd
			m, cmd = m.Update(<-rt.msgs)
			rt.run(cmd)
		}
	}
	untilLines := func(n int) { until(func() bool { return m.buf.Len() >= n }) }
	streaming := func() bool { return m.phase == logPhaseStreaming }
	// closedOnServer waits for the server to see the stream of container
	// end; the bound turns a stream left open into a failure, not a hang.
	closedOnServer := func(container string) {
		t.Helper()
		select {
		case got := <-ended:
			if got != container {
				t.Fatalf("the server saw the stream of %q end, want %q", got, container)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("the stream of %q is still open on the server", container)
		}
	}
	// settle hands the pane whatever the ended commands return, and checks
	// that none of it starts anything new.
	settle := func() {
		t.Helper()
		done := make(chan struct{})
		go func() { rt.wg.Wait(); close(done) }()
		for {
			select {
			case msg := <-rt.msgs:
				var cmd tea.Cmd
				m, cmd = m.Update(msg)
				if cmd != nil {
					t.Fatalf("a message of a closed stream (%T) started more work", msg)
				}
			case <-done:
				return
			}
		}
	}

	pod := logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil))
	var cmd tea.Cmd
	m, cmd = m.SetPod(pod)
	rt.run(cmd)
	m, cmd = m.Focus()
	rt.run(cmd)
	untilLines(3)
	if open.Load() != 1 {
		t.Fatalf("%d streams open, want 1", open.Load())
	}

	// Leaving the pane.
	m = m.Blur()
	closedOnServer("check-services")
	settle()

	// Coming back resumes; initialization moving on switches the stream.
	m, cmd = m.Focus()
	rt.run(cmd)
	until(streaming)
	pod = logsWithStatus(pod, logsTerminated("check-services", 0, 0))
	pod = logsWithStatus(pod, logsRunning("migrate-db", 0, nil))
	m, cmd = m.SetPod(pod)
	rt.run(cmd)
	closedOnServer("check-services")
	untilLines(3)

	// The pod goes away.
	m, cmd = m.SetPod(nil)
	rt.run(cmd)
	closedOnServer("migrate-db")
	settle()
	if n := open.Load(); n != 0 {
		t.Fatalf("%d streams still open on the server", n)
	}
	logsWaitGoroutines(t, base)
}

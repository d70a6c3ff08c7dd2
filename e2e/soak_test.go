//go:build soak

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui"
)

// Churn parameters (issue 8): 1,000 pods created and deleted in a loop for
// two minutes.
const (
	soakPods     = 1000
	soakDuration = 2 * time.Minute
	soakWorkers  = 16
)

// appSender is the terminal UI without a terminal: it takes the messages
// tui.Feed sends, folds them into a real tui.App (its store, list, sort
// and filter), draws a frame now and then, and also hands every batch to a
// recorder so the source's view can be compared with the apiserver's.
type appSender struct {
	mu    sync.Mutex
	app   tea.Model
	rec   *recorder
	sends int
}

func (s *appSender) Send(msg tea.Msg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app, _ = s.app.Update(msg)
	if b, ok := msg.(tui.BatchMsg); ok {
		s.rec.apply(b.Batch)
	}
	s.sends++
	if s.sends%10 == 0 {
		_ = s.app.View()
	}
}

func (s *appSender) view() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.Strip(s.app.View())
}

var totalCount = regexp.MustCompile(`(\d+) total`)

// TestSoakChurn (make soak) runs the informer source and the TUI's model
// in this process while 1,000 pods are created and deleted over and over
// for two minutes, then checks: the header's count and the source's map
// equal the apiserver's list (and kubectl's), the goroutine count is back
// where it started, and the heap after the churn is no bigger than after
// the first round with the same pods.
func TestSoakChurn(t *testing.T) {
	cp := controlplane.StartForTest(t)
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	const ns = "soak"
	ensureNamespace(ctx, t, admin, ns)

	baseGoroutines := settledGoroutines()
	sender := &appSender{
		app: tui.NewApp(tui.Options{Now: time.Now, Scope: ns}),
		rec: &recorder{pods: map[kube.PodKey]*corev1.Pod{}, removed: map[kube.PodKey]int{}, wake: make(chan struct{}, 1)},
	}
	sender.Send(tea.WindowSizeMsg{Width: 160, Height: 50})
	src := kube.NewInformerSource(admin, kube.Options{Namespaces: []string{ns}, WithEvents: true})
	feedCtx, stopFeed := context.WithCancel(ctx)
	fed := make(chan error, 1)
	go func() { fed <- tui.Feed(feedCtx, src, sender, time.Now) }()
	sender.rec.waitFor(t, "the initial (empty) list", func(s recorderState) bool { return s.synced })

	kubectl := kubectlBinary(t)
	kc := adminKubeconfig(t, cp)
	settle := func(what string) {
		t.Helper()
		sender.rec.waitFor(t, what, func(s recorderState) bool { return sameAsServer(ctx, admin, s.pods) == "" })
		eventually(t, what+" in the header", func() string {
			want := kubectlCount(t, kubectl, kc, ns)
			m := totalCount.FindStringSubmatch(sender.view())
			if m == nil || m[1] != strconv.Itoa(want) {
				return fmt.Sprintf("header %v, kubectl %d", m, want)
			}
			return ""
		})
	}

	// Round one, the reference: 1,000 pods, half of them in their second
	// init container.
	churnRound(ctx, t, admin, ns)
	settle("the first round")
	firstHeap := settledHeap()
	firstGoroutines := settledGoroutines()

	rounds := 1
	for end := time.Now().Add(soakDuration); time.Now().Before(end); rounds++ {
		deleteAll(ctx, t, admin, ns)
		churnRound(ctx, t, admin, ns)
	}
	settle("the end of the churn")
	lastHeap := settledHeap()
	lastGoroutines := settledGoroutines()

	stopFeed()
	if err := <-fed; err != nil {
		t.Fatalf("feed: %v", err)
	}
	goroutines := settledGoroutines()
	t.Logf("%d rounds of %d pods; heap after round one %d KiB, after the churn %d KiB; goroutines: %d before the source, %d after round one, %d after the churn, %d once the source stopped",
		rounds, soakPods, firstHeap>>10, lastHeap>>10, baseGoroutines, firstGoroutines, lastGoroutines, goroutines)

	// Client-go keeps a few connection goroutines per host alive between
	// requests; anything beyond that is a leak.
	if lastGoroutines > firstGoroutines+5 {
		t.Errorf("goroutines grew with the churn: %d after round one, %d after %d rounds", firstGoroutines, lastGoroutines, rounds)
	}
	if goroutines > baseGoroutines+5 {
		t.Errorf("goroutines: %d before the source started, %d after it stopped", baseGoroutines, goroutines)
	}
	// The same 1,000 pods are held after round one and after the last
	// round: a heap that grew by more than a quarter (and 16 MiB) kept
	// something of every deleted pod.
	if lastHeap > firstHeap+firstHeap/4 && lastHeap > firstHeap+16<<20 {
		t.Errorf("heap grew from %d KiB after round one to %d KiB after %d rounds with the same pods", firstHeap>>10, lastHeap>>10, rounds)
	}
}

// churnRound creates soakPods pods and moves half of them to their second
// init container.
func churnRound(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	parallel(t, soakPods, func(i int) error {
		name := fmt.Sprintf("churn-%d", i)
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, initPod(ns, name), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		if i%2 == 0 {
			return writeInitRunning(ctx, cs, ns, name, 1)
		}
		return nil
	})
}

func deleteAll(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	parallel(t, soakPods, func(i int) error {
		return cs.CoreV1().Pods(ns).Delete(ctx, fmt.Sprintf("churn-%d", i), deleteNow)
	})
}

// parallel runs fn for 0..n-1 on soakWorkers goroutines.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range soakWorkers {
		wg.Go(func() {
			for i := range work {
				if err := fn(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func kubectlCount(t *testing.T, kubectl, kc, ns string) int {
	t.Helper()
	out, err := exec.Command(kubectl, "--kubeconfig", kc, "-n", ns, "get", "pods", "--no-headers", "-o", "name").Output()
	if err != nil {
		t.Fatalf("kubectl get pods: %v", err)
	}
	s := strings.TrimSpace(string(out))
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// settledHeap is the live heap after two collections.
func settledHeap() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// settledGoroutines counts goroutines once idle ones have had time to end
// (client-go closes idle connections after 90 s; the count is taken after
// a short wait and the caller allows for a few).
func settledGoroutines() int {
	time.Sleep(2 * time.Second)
	runtime.GC()
	return runtime.NumGoroutine()
}

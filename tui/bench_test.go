package tui

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// BenchmarkRender draws one frame of the list at 120×30. The cost must not
// depend on how many pods there are: only the rows on screen are drawn. The
// 10,000-pod list is the 100-pod one plus 9,900 ready pods, which the triage
// order puts below: both frames show the same rows, so any difference is
// the cost of the pods off screen.
func BenchmarkRender(b *testing.B) {
	base := tuitest.SyntheticPods(100, 1)
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("pods=%d", n), func(b *testing.B) {
			tuitest.WithProfile(b, themes.Dark())
			pods := append([]*corev1.Pod(nil), base...)
			for i := len(pods); i < n; i++ {
				ns := fmt.Sprintf("team-%02d", i%20)
				pods = append(pods, tuitest.SyntheticPod(ns, fmt.Sprintf("ready-5f00abcde-%05d", i), "ready-5f00abcde",
					tuitest.Now.Add(-time.Hour), 2, 0, 0))
			}
			a := newTestApp(b, themes.Dark(), 120, 30, pods)
			if got := a.list.Status().Matches; got != n {
				b.Fatalf("%d rows, want %d", got, n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer measureCPU(b)()
			defer measureCPU(b)()
			for i := 0; i < b.N; i++ {
				if len(a.View()) == 0 {
					b.Fatal("empty frame")
				}
			}
		})
	}
}

// filterSession is a user typing a filter on the list: open it, type a
// query one character at a time, correct it, clear it.
var filterSession = tuitest.Keys("/", "team07api", "<backspace>", "<backspace>", "<backspace>", "web", "<esc>")

// BenchmarkFilterKeystroke measures one keystroke of filterSession on
// 10,000 pods: Update (re-filter, incrementally when the query grows) plus
// the frame it produces. ns/op is the mean keystroke; max-ms/keystroke is
// the slowest one (the first character, which searches every pod).
func BenchmarkFilterKeystroke(b *testing.B) {
	tuitest.WithProfile(b, themes.Dark())
	a := newTestApp(b, themes.Dark(), 120, 30, tuitest.SyntheticPods(10_000, 1))
	var slowest time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	defer measureCPU(b)()
	for i := 0; i < b.N; i++ {
		msg := filterSession[i%len(filterSession)]
		start := time.Now()
		m, _ := a.Update(msg)
		a = m.(App)
		_ = a.View()
		slowest = max(slowest, time.Since(start))
	}
	b.ReportMetric(float64(slowest.Microseconds())/1000, "max-ms/keystroke")
}

// BenchmarkScroll moves the cursor through 10,000 pods a key at a time (j,
// with a page down now and then) and draws each frame.
func BenchmarkScroll(b *testing.B) {
	tuitest.WithProfile(b, themes.Dark())
	a := newTestApp(b, themes.Dark(), 120, 30, tuitest.SyntheticPods(10_000, 1))
	script := tuitest.Keys("jjjjjjjjj", "<pgdown>")
	b.ReportAllocs()
	b.ResetTimer()
	defer measureCPU(b)()
	for i := 0; i < b.N; i++ {
		m, _ := a.Update(script[i%len(script)])
		a = m.(App)
		_ = a.View()
	}
}

// BenchmarkBatch folds a batch of changed pods into the list and draws the
// frame: 16 changes (a frame under 1,000 status writes a second) and 500
// (a frame under 5,000 a second, at 10 frames a second), into 10,000 and
// 50,000 pods, with every pod listed or with a label filter that keeps 16
// (as the replay benchmark runs initwatch: its targets on screen while
// every pod changes). What a batch costs must follow the batch, not the
// list: the same batch costs the same at 10,000 and at 50,000 pods.
//
// A change either moves its pod (it fails, or recovers: another place in
// the triage order, other counts) or resends it as it was with a new
// resourceVersion, as the replay benchmark does.
func BenchmarkBatch(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		pods, moves, resends := batchBenchPods(n)
		for _, filter := range []bool{false, true} {
			for _, size := range []int{16, 500} {
				for _, kind := range []string{"move", "resend"} {
					// Every level named, so that -bench picks one alone.
					f := "none"
					if filter {
						f = fmt.Sprint(batchTargets)
					}
					versions := moves
					if kind == "resend" {
						versions = resends
					}
					name := fmt.Sprintf("pods=%d/changes=%d/filter=%s/kind=%s", n, size, f, kind)
					b.Run(name, func(b *testing.B) { benchBatch(b, pods, versions, size, filter) })
				}
			}
		}
	}
}

// The pods BenchmarkBatch changes, and the label that picks its targets.
const (
	batchWindow  = 2_000 // a multiple of every batch size, and of batchTargets
	batchTargets = 16
	batchQuery   = "probe=target"
)

// batchBenchPods returns n synthetic pods, batchTargets of them labelled
// probe=target, and two pairs of new versions of batchWindow pods spread
// over the list (the targets among them): failed (evicted) and as they
// were, so that a change moves the pod in the triage order and changes the
// counts; and twice as they were. Applying a pair's versions in turn
// makes every upsert a change.
func batchBenchPods(n int) (pods []*corev1.Pod, moves, resends [2][]*corev1.Pod) {
	pods = tuitest.SyntheticPods(n, 1)
	for i := 0; i < batchTargets; i++ {
		pods[i*(n/batchTargets)].Labels["probe"] = "target"
	}
	version := func(p *corev1.Pod, rv string) *corev1.Pod {
		q := p.DeepCopy()
		q.ResourceVersion = rv
		return q
	}
	for i := 0; i < batchWindow; i++ {
		p := pods[i*(n/batchWindow)]
		failed := version(p, "3")
		failed.Status.Phase = corev1.PodFailed
		failed.Status.Reason = "Evicted"
		moves[0] = append(moves[0], failed)
		moves[1] = append(moves[1], version(p, "2"))
		resends[0] = append(resends[0], version(p, "4"))
		resends[1] = append(resends[1], version(p, "5"))
	}
	return pods, moves, resends
}

func benchBatch(b *testing.B, pods []*corev1.Pod, versions [2][]*corev1.Pod, size int, filter bool) {
	tuitest.WithProfile(b, themes.Dark())
	a := newTestApp(b, themes.Dark(), 120, 30, pods)
	want := len(pods)
	if filter {
		a = press(a, "/", batchQuery, "<enter>")
		want = batchTargets
	}
	if got := a.list.Status().Matches; got != want {
		b.Fatalf("%d rows, want %d", got, want)
	}
	round := 0
	// The setup's garbage is not the batches' to collect.
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	defer measureCPU(b)()
	for b.Loop() {
		from := round * size % batchWindow
		batch := versions[(round*size/batchWindow)%2][from : from+size]
		round++
		m, _ := a.Update(BatchMsg{Batch: kube.Batch{Upserted: batch}, At: tuitest.Now})
		a = m.(App)
		if len(a.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}

var _ tea.Model = App{}

// processCPU is the CPU time this process has used (all threads, the
// garbage collector's included).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU reports CPU time per op next to ns/op: on a shared machine the
// wall clock counts the time other processes held the cores, CPU time only
// the work done.
func measureCPU(b *testing.B) func() {
	start := processCPU(b)
	return func() {
		b.StopTimer()
		b.ReportMetric(float64((processCPU(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

package tui

import (
	"fmt"
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

// BenchmarkBatch folds a batch of 16 changed pods (one frame under 1,000
// status writes a second) into a list of 10,000 and draws the frame.
func BenchmarkBatch(b *testing.B) {
	tuitest.WithProfile(b, themes.Dark())
	pods := tuitest.SyntheticPods(10_000, 1)
	a := newTestApp(b, themes.Dark(), 120, 30, pods)
	b.ReportAllocs()
	b.ResetTimer()
	defer measureCPU(b)()
	for i := 0; i < b.N; i++ {
		batch := make([]*corev1.Pod, 0, 16)
		for j := 0; j < 16; j++ {
			k := (i*16 + j) % len(pods)
			p := pods[k].DeepCopy()
			p.ResourceVersion = fmt.Sprint(i + 2)
			batch = append(batch, p)
		}
		m, _ := a.Update(BatchMsg{Batch: kube.Batch{Upserted: batch}, At: tuitest.Now})
		a = m.(App)
		_ = a.View()
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

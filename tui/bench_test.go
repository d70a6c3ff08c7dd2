package tui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
)

// BenchmarkRender draws one frame of the list at 120×30. The cost must not
// depend on how many pods there are: only the rows on screen are drawn.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("pods=%d", n), func(b *testing.B) {
			withProfile(b, themes.Dark())
			a := newTestApp(b, themes.Dark(), 120, 30, syntheticPods(n, 1))
			b.ReportAllocs()
			b.ResetTimer()
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
var filterSession = keys("/", "team07api", "<backspace>", "<backspace>", "<backspace>", "web", "<esc>")

// BenchmarkFilterKeystroke measures one keystroke of filterSession on
// 10,000 pods: Update (re-filter, incrementally when the query grows) plus
// the frame it produces. ns/op is the mean keystroke; max-ms/keystroke is
// the slowest one (the first character, which searches every pod).
func BenchmarkFilterKeystroke(b *testing.B) {
	withProfile(b, themes.Dark())
	a := newTestApp(b, themes.Dark(), 120, 30, syntheticPods(10_000, 1))
	var slowest time.Duration
	b.ReportAllocs()
	b.ResetTimer()
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

// BenchmarkBatch folds a batch of 16 changed pods (one frame under 1,000
// status writes a second) into a list of 10,000 and draws the frame.
func BenchmarkBatch(b *testing.B) {
	withProfile(b, themes.Dark())
	pods := syntheticPods(10_000, 1)
	a := newTestApp(b, themes.Dark(), 120, 30, pods)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch := make([]*corev1.Pod, 0, 16)
		for j := 0; j < 16; j++ {
			k := (i*16 + j) % len(pods)
			p := pods[k].DeepCopy()
			p.ResourceVersion = fmt.Sprint(i + 2)
			batch = append(batch, p)
		}
		m, _ := a.Update(BatchMsg{Batch: kube.Batch{Upserted: batch}, At: testNow})
		a = m.(App)
		_ = a.View()
	}
}

var _ tea.Model = App{}

package tui

import (
	"fmt"
	"testing"

	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// BenchmarkRolloutsView draws one frame of the rollouts view at 120×30 for
// 100 and 10,000 pods (160 workloads at 10,000). The summary is computed
// when pods change, not per frame, so the frame's cost follows the rows on
// screen, not the pods: compare the two ns/op.
func BenchmarkRolloutsView(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("pods=%d", n), func(b *testing.B) {
			tuitest.WithProfile(b, themes.Dark())
			a := newTestApp(b, themes.Dark(), 120, 30, tuitest.SyntheticPods(n, 1))
			a = press(a, "r", "j")
			if a.active != viewRollouts {
				b.Fatal("rollouts view not open")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if len(a.View()) == 0 {
					b.Fatal("empty frame")
				}
			}
			b.ReportMetric(float64(a.rollouts.RowCount()), "rows")
		})
	}
}

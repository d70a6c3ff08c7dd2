package rollouts

import (
	"testing"

	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// BenchmarkPanel measures the selected workload's panel: drawing a frame
// with it (View, which only joins the lines computed before) and
// computing it again, as a cursor move or a new summary does (clamp).
func BenchmarkPanel(b *testing.B) {
	th := themes.Dark()
	tuitest.WithProfile(b, th)
	sum := loadSummary(b)
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		m := newView(b, &th, sum, sz[0], sz[1])
		b.Run("View/"+sizeName(sz), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m.View() == "" {
					b.Fatal("empty frame")
				}
			}
		})
		b.Run("compute/"+sizeName(sz), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.clamp()
			}
		})
	}
}

func sizeName(sz [2]int) string {
	return map[[2]int]string{{80, 24}: "80x24", {160, 48}: "160x48"}[sz]
}

package model

import "testing"

// BenchmarkNewPodView measures the per-pod cost of recomputing a row, which
// the TUI pays for every changed pod (and for all of them on an age tick).
func BenchmarkNewPodView(b *testing.B) {
	pods := []string{"seed-04-init-crashloopbackoff", "seed-09-running", "sidecar-crashloop"}
	for _, name := range pods {
		pod := loadPod(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = NewPodView(pod, testNow)
			}
		})
	}
}

func BenchmarkPrint(b *testing.B) {
	pod := loadPod(b, "seed-04-init-crashloopbackoff")
	b.ReportAllocs()
	for b.Loop() {
		_ = Print(pod, testNow)
	}
}

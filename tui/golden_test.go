package tui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// TestGoldenScreens drives the real program (teatest) through each scenario
// on the fixture cluster, at several sizes and in two themes, and compares
// the final screen with testdata/golden.
func TestGoldenScreens(t *testing.T) {
	scenarios := []struct {
		name   string
		script []string
	}{
		{"list", nil},
		{"filter-typing", []string{"/", "kaf"}},
		{"filter-kept", []string{"/", "api", "<enter>", "j"}},
		{"label-filter", []string{"/", "tier=back", "<enter>"}},
		{"only-initializing", []string{"i"}},
		{"only-failing", []string{"f"}},
		{"grouped", []string{"o"}},
		{"sort-name", []string{"s"}},
		{"sort-age", []string{"s", "s", "s"}},
		{"sort-reversed", []string{"S"}},
		{"scrolled", []string{"G"}},
		{"help", []string{"?"}},
	}
	sizes := []struct{ w, h int }{{120, 30}, {80, 24}, {40, 10}}
	for _, th := range []themes.Theme{themes.Dark(), themes.Mono()} {
		for _, sc := range scenarios {
			for _, sz := range sizes {
				name := fmt.Sprintf("%s/%s-%dx%d", sc.name, th.Name, sz.w, sz.h)
				t.Run(name, func(t *testing.T) {
					tuitest.WithProfile(t, th)
					msgs := []tea.Msg{syncBatch(tuitest.ClusterPods(t))}
					msgs = append(msgs, tuitest.Keys(sc.script...)...)
					final := runProgram(t, NewApp(testOptions(th)), sz.w, sz.h, msgs...)
					got := final.View()
					tuitest.AssertFits(t, got, sz.w, sz.h)
					requireGolden(t, "TestGoldenScreens/"+name, got)
				})
			}
		}
	}
}

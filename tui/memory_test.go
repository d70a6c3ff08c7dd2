package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// The collector is tuned once, by the first batch that completes the
// initial lists, and only in a program Run started; the command is not run
// here (it changes the test process's collector).
func TestSettleMemoryOnceAfterSync(t *testing.T) {
	pods := tuitest.SyntheticPods(20, 1)
	tests := []struct {
		name   string
		settle bool
		synced []bool // one batch each
		want   []bool // a command returned
	}{
		{"run: on the first synced batch only", true, []bool{false, true, true}, []bool{false, true, false}},
		{"synced from the start", true, []bool{true, true}, []bool{true, false}},
		{"tests and embedders: never", false, []bool{false, true, true}, []bool{false, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewApp(testOptions(themes.Dark()))
			a.settleMemory = tc.settle
			var m tea.Model = a
			m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
			for i, synced := range tc.synced {
				var cmd tea.Cmd
				m, cmd = m.Update(BatchMsg{Batch: kube.Batch{Upserted: pods[i : i+1], Synced: synced}, At: tuitest.Now})
				if got := cmd != nil; got != tc.want[i] {
					t.Errorf("batch %d (synced %v): command returned %v, want %v", i, synced, got, tc.want[i])
				}
			}
		})
	}
}

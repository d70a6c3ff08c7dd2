package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// arrivalBatches are tuitest.ArrivalBatches as the program receives them.
func arrivalBatches() []tea.Msg {
	var out []tea.Msg
	for _, b := range tuitest.ArrivalBatches() {
		out = append(out, BatchMsg{Batch: b, At: tuitest.Now})
	}
	return out
}

// TestFirstScreenShowsTheWorstPods: in a short terminal (60×14, ten rows)
// the first screen shows the failing and initializing pods however late
// they arrive, the cursor stays on the most urgent one, and Enter opens it.
func TestFirstScreenShowsTheWorstPods(t *testing.T) {
	tuitest.WithProfile(t, themes.Mono())
	const w, h = 60, 14

	final := runProgram(t, NewApp(testOptions(themes.Mono())), w, h, arrivalBatches()...)
	screen := ansi.Strip(final.View())
	// 2 header lines, the titles, 10 rows, the footer; the cursor on the
	// first row, a failing pod.
	lines := strings.Split(screen, "\n")
	if len(lines) != h || strings.TrimSpace(lines[h-2]) == "" {
		t.Fatalf("not 10 rows at %dx%d:\n%s", w, h, screen)
	}
	if sel := selected(final); !strings.HasPrefix(sel, "shop/auth-") || !strings.Contains(lines[3], strings.TrimPrefix(sel, "shop/")) {
		t.Fatalf("cursor on %q, want the failing pod on the first row:\n%s", sel, screen)
	}
	for _, want := range []string{"auth-5d8f7c6b9-00", "auth-5d8f7c6b9-02", "api-5d8f7c6b9-00", "api-5d8f7c6b9-03", "4 initializing", "3 failing"} {
		if !strings.Contains(screen, want) {
			t.Errorf("first screen lacks %q:\n%s", want, screen)
		}
	}

	// Enter opens the most urgent pod, not the first to arrive.
	tm := teatest.NewTestModel(t, NewApp(testOptions(themes.Mono())), teatest.WithInitialTermSize(w, h))
	for _, m := range arrivalBatches() {
		tm.Send(m)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), "3 failing")
	}, teatest.WithDuration(programBound))
	tm.Send(tuitest.Keys("<enter>")[0])
	tm.Send(tea.QuitMsg{})
	opened := tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).(App)
	if !opened.detailOpen() || !strings.HasPrefix(opened.detailKey.Name, "auth-") {
		t.Fatalf("enter opened %v (open=%v), want a failing auth pod", opened.detailKey, opened.detailOpen())
	}
}

package podlist

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// TestCursorStaysOnTopUntilMoved: filters, toggles, sort orders and new
// pods keep an untouched cursor on the first row; once the user moved it
// (or opened a pod), it follows its pod; g goes back to the first row.
func TestCursorStaysOnTopUntilMoved(t *testing.T) {
	late := batchAt{Batch: kube.Batch{Upserted: tuitest.ArrivalPods("pay", 2, 0)}, At: tuitest.Now}
	keysThen := func(script ...string) func(*Model) *Model {
		return func(a *Model) *Model { return press(a, script...) }
	}
	newPods := func(a *Model) *Model { return step(a, late) }
	cases := []struct {
		name string
		// user is what the user does first (nil: nothing); change then
		// changes the rows.
		user, change func(*Model) *Model
		// follow: the cursor stays on the pod the user left it on;
		// otherwise it is on the first row with the view at the top.
		follow bool
	}{
		{name: "new pods sort above", change: newPods},
		{name: "only initializing", change: keysThen("i")},
		{name: "only failing, then new pods", change: func(a *Model) *Model { return newPods(press(a, "f")) }},
		{name: "group by owner", change: keysThen("o")},
		{name: "filter", change: keysThen("/", "web", "<enter>")},
		{name: "sort order", change: func(a *Model) *Model { return newPods(press(a, "s")) }},
		{name: "moved, then new pods", user: keysThen("jjj"), change: newPods, follow: true},
		{name: "moved, then only initializing", user: keysThen("jjjjj"), change: keysThen("i"), follow: true},
		{name: "moved, then filter", user: keysThen("jjjjjjjjjjjj"), change: keysThen("/", "web", "<enter>"), follow: true},
		{name: "wheel, then new pods", user: func(a *Model) *Model {
			return step(a, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
		}, change: newPods, follow: true},
		{name: "back to the top", user: keysThen("jjjjj", "g"), change: newPods},
		{name: "back from the detail view", user: func(a *Model) *Model {
			// Enter opens the pod under the cursor: the root model asks
			// the list which one it is.
			if _, ok := a.Choose(); !ok {
				t.Fatal("no pod to open")
			}
			return a
		}, change: func(a *Model) *Model {
			return press(newPods(a), "<esc>")
		}, follow: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newTestList(t, themes.Dark(), 60, 14, nil)
			for _, b := range tuitest.ArrivalBatches() {
				a = step(a, batchAt{Batch: b, At: tuitest.Now})
			}
			if c.user != nil {
				a = c.user(a)
			}
			picked := selected(a)
			a = c.change(a)
			if len(a.list.rows) == 0 {
				t.Fatal("no rows")
			}
			if !c.follow {
				if a.list.cursor != 0 || a.list.offset != 0 {
					t.Fatalf("cursor %d offset %d, want the first row at the top", a.list.cursor, a.list.offset)
				}
				return
			}
			if got := selected(a); got != picked {
				t.Fatalf("cursor on %q, want %q, which the user picked (rows %v)", got, picked, rowKeys(a))
			}
		})
	}
}

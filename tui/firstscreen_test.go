package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// arrivalPods builds n pods of one kind (phase as in syntheticPod: 0
// crash-looping, 1 initializing, 2 running) named prefix-00, prefix-01, ...
func arrivalPods(prefix string, n, phase int) []*corev1.Pod {
	pods := make([]*corev1.Pod, n)
	for i := range pods {
		name := fmt.Sprintf("%s-5d8f7c6b9-%02d", prefix, i)
		created := tuitest.Now.Add(-time.Duration(10*(n-i)) * time.Minute)
		pods[i] = tuitest.SyntheticPod("shop", name, prefix+"-5d8f7c6b9", created, phase, i%len(tuitest.StepNames), int32(i))
	}
	return pods
}

// arrivalBatches are the pods of a start-up as the informers deliver them:
// the healthy pods first, then initializing, then failing ones, each batch
// sorting above the ones before it in the triage order.
func arrivalBatches() []tea.Msg {
	c := live
	return []tea.Msg{
		BatchMsg{Batch: kube.Batch{Upserted: arrivalPods("web", 15, 2), Conn: &c}, At: tuitest.Now},
		BatchMsg{Batch: kube.Batch{Upserted: arrivalPods("api", 4, 1), Synced: true}, At: tuitest.Now},
		BatchMsg{Batch: kube.Batch{Upserted: arrivalPods("auth", 3, 0)}, At: tuitest.Now},
	}
}

// TestFirstScreenShowsTheWorstPods: in a short terminal (60×14, ten rows)
// the first screen shows the failing and initializing pods however late
// they arrive, the cursor stays on the most urgent one, and Enter opens it.
func TestFirstScreenShowsTheWorstPods(t *testing.T) {
	tuitest.WithProfile(t, themes.Mono())
	const w, h = 60, 14

	final := runProgram(t, NewApp(testOptions(themes.Mono())), w, h, arrivalBatches()...)
	if final.list.height != 10 {
		t.Fatalf("%d list rows at %dx%d, want 10", final.list.height, w, h)
	}
	if final.list.cursor != 0 || final.list.offset != 0 {
		t.Fatalf("cursor %d offset %d, want the first row at the top", final.list.cursor, final.list.offset)
	}
	if e := final.list.selPod; e == nil || e.view.Category != model.CategoryFailing {
		t.Fatalf("cursor on %v, want a failing pod", e)
	}
	screen := ansi.Strip(final.View())
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

// TestCursorStaysOnTopUntilMoved: filters, toggles, sort orders and new
// pods keep an untouched cursor on the first row; once the user moved it
// (or opened a pod), it follows its pod; g goes back to the first row.
func TestCursorStaysOnTopUntilMoved(t *testing.T) {
	late := BatchMsg{Batch: kube.Batch{Upserted: arrivalPods("pay", 2, 0)}, At: tuitest.Now}
	keysThen := func(script ...string) func(App) App {
		return func(a App) App { return press(a, script...) }
	}
	newPods := func(a App) App { return step(a, late) }
	cases := []struct {
		name string
		// user is what the user does first (nil: nothing); change then
		// changes the rows.
		user, change func(App) App
		// follow: the cursor stays on the pod the user left it on;
		// otherwise it is on the first row with the view at the top.
		follow bool
	}{
		{name: "new pods sort above", change: newPods},
		{name: "only initializing", change: keysThen("i")},
		{name: "only failing, then new pods", change: func(a App) App { return newPods(press(a, "f")) }},
		{name: "group by owner", change: keysThen("o")},
		{name: "filter", change: keysThen("/", "web", "<enter>")},
		{name: "sort order", change: func(a App) App { return newPods(press(a, "s")) }},
		{name: "moved, then new pods", user: keysThen("jjj"), change: newPods, follow: true},
		{name: "moved, then only initializing", user: keysThen("jjjjj"), change: keysThen("i"), follow: true},
		{name: "moved, then filter", user: keysThen("jjjjjjjjjjjj"), change: keysThen("/", "web", "<enter>"), follow: true},
		{name: "wheel, then new pods", user: func(a App) App {
			return step(a, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
		}, change: newPods, follow: true},
		{name: "back to the top", user: keysThen("jjjjj", "g"), change: newPods},
		{name: "back from the detail view", user: keysThen("<enter>"), change: func(a App) App {
			return press(newPods(a), "<esc>")
		}, follow: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newTestApp(t, themes.Dark(), 60, 14, nil)
			for _, m := range arrivalBatches() {
				a = step(a, m)
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

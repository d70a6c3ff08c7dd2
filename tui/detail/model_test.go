package detail

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/themes"
)

func detailKey(s string) tea.KeyMsg {
	switch s {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func detailPress(d Model, keys ...string) Model {
	for _, k := range keys {
		d, _ = d.Update(detailKey(k))
	}
	return d
}

// TestDetailPaneKeys checks pane switching: tab and shift+tab cycle, the
// number keys jump, l and p open the logs.
func TestDetailPaneKeys(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	tests := []struct {
		keys []string
		want Pane
	}{
		{nil, PaneInit},
		{[]string{"tab"}, PaneConditions},
		{[]string{"tab", "tab"}, PaneEvents},
		{[]string{"tab", "tab", "tab", "tab", "tab"}, PaneLogs},
		{[]string{"tab", "tab", "tab", "tab", "tab", "tab"}, PaneInit},
		{[]string{"shift+tab"}, PaneLogs},
		{[]string{"shift+tab", "shift+tab"}, PaneResources},
		{[]string{"tab", "shift+tab"}, PaneInit},
		{[]string{"2"}, PaneConditions},
		{[]string{"3"}, PaneEvents},
		{[]string{"4"}, PaneHistory},
		{[]string{"5"}, PaneResources},
		{[]string{"6"}, PaneLogs},
		{[]string{"5", "1"}, PaneInit},
		{[]string{"l"}, PaneLogs},
		{[]string{"p"}, PaneLogs},
		{[]string{"3", "x", "?"}, PaneEvents}, // unbound keys change nothing
	}
	for _, tt := range tests {
		d := newTestDetail(t, "seed-crashloop", themes.Dark(), 80, 24)
		d = detailPress(d, tt.keys...)
		if got := d.ActivePane(); got != tt.want {
			t.Errorf("keys %v: pane %v, want %v", tt.keys, got, tt.want)
		}
		tabs := strings.Split(d.View(), "\n")[1]
		if !strings.Contains(tabs, "["+d.tabs[tt.want].key+" ") {
			t.Errorf("keys %v: the tab line does not mark %v: %q", tt.keys, tt.want, tabs)
		}
	}
}

// TestDetailPreviousLogs checks that l (and 6, its other key) and p choose
// the run the Logs pane shows, p on the pane toggles, and other panes keep
// the choice.
func TestDetailPreviousLogs(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	d := newTestDetail(t, "seed-crashloop", themes.Dark(), 120, 30)
	steps := []struct {
		key      string
		previous bool
	}{{"p", true}, {"p", false}, {"p", true}, {"l", false}, {"1", false}, {"p", true}, {"1", true}, {"6", false}}
	for i, s := range steps {
		d = detailPress(d, s.key)
		got := detailPlain(d, PaneLogs)
		if strings.Contains(got, "-c init-check-services -p") != s.previous || strings.Contains(got, "previous run") != s.previous {
			t.Errorf("step %d (%s): previous should be %v:\n%s", i, s.key, s.previous, got)
		}
		if tabs := ansi.Strip(d.tabLine()); strings.Contains(tabs, "Logs (previous)") != s.previous {
			t.Errorf("step %d (%s): tab line %q, previous should be %v", i, s.key, tabs, s.previous)
		}
	}
}

// TestDetailScroll checks the Nav keys on a pane longer than the window:
// bounds at both ends, page steps, separate positions per pane, and that
// View shows the lines at the position.
func TestDetailScroll(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	const w, h = 80, 24
	body := h - detailChrome
	d := newTestDetail(t, "seed-crashloop", themes.Dark(), w, h)
	n := len(d.content[PaneInit])
	if n <= body+detailWheelLines {
		t.Fatalf("fixture too short to scroll: %d lines", n)
	}
	last := n - body
	tests := []struct {
		keys []string
		want int
	}{
		{nil, 0},
		{[]string{"k"}, 0},
		{[]string{"j"}, 1},
		{[]string{"j", "j", "k"}, 1},
		{[]string{"G"}, last},
		{[]string{"G", "j"}, last},
		{[]string{"G", "pgdown"}, last},
		{[]string{"G", "k"}, last - 1},
		{[]string{"G", "g"}, 0},
		{[]string{"pgdown"}, min(body, last)},
		{[]string{"pgdown", "pgup"}, 0},
		{[]string{"pgup"}, 0},
	}
	for _, tt := range tests {
		got := detailPress(d, tt.keys...)
		if off := got.offsets[PaneInit]; off != tt.want {
			t.Errorf("keys %v: offset %d, want %d", tt.keys, off, tt.want)
		}
		view := strings.Split(got.View(), "\n")
		if view[detailChrome] != got.content[PaneInit][tt.want] {
			t.Errorf("keys %v: first body line %q, want %q", tt.keys, view[detailChrome], got.content[PaneInit][tt.want])
		}
		wantPos := fmt.Sprintf("%d-%d/%d", tt.want+1, tt.want+body, n)
		if !strings.HasSuffix(view[1], wantPos) {
			t.Errorf("keys %v: tab line %q does not end with %q", tt.keys, view[1], wantPos)
		}
	}

	// Each pane keeps its own position.
	d = detailPress(d, "j", "j", "3", "j", "1")
	if d.offsets[PaneInit] != 2 || d.offsets[PaneEvents] != 1 {
		t.Errorf("offsets init %d events %d, want 2 and 1", d.offsets[PaneInit], d.offsets[PaneEvents])
	}

	// The mouse wheel scrolls three lines.
	d, _ = d.Update(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if d.offsets[PaneInit] != 2+detailWheelLines {
		t.Errorf("wheel down: offset %d, want %d", d.offsets[PaneInit], 2+detailWheelLines)
	}
	d, _ = d.Update(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	d, _ = d.Update(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if d.offsets[PaneInit] != 0 {
		t.Errorf("wheel up twice: offset %d, want 0", d.offsets[PaneInit])
	}

	// A pane that fits does not scroll.
	d = detailPress(d, "4", "j", "G")
	if d.offsets[PaneHistory] != 0 {
		t.Errorf("history fits in %d lines but scrolled to %d", body, d.offsets[PaneHistory])
	}

	// Growing the window clamps the position; shrinking keeps it.
	d = detailPress(d, "1", "G")
	d = d.SetSize(w, n+detailChrome+5)
	if d.offsets[PaneInit] != 0 {
		t.Errorf("after growing: offset %d, want 0", d.offsets[PaneInit])
	}
}

// TestDetailSetPod checks updates of the shown pod: same pod keeps pane and
// position and shows new events at once; another pod (or the same name
// recreated) starts over; a vanished pod stays, marked deleted.
func TestDetailSetPod(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	pod, events, history := loadDetailScenario(t, "seed-crashloop")
	d := New(themes.Dark(), keymap.Default(), detailClockFixed).SetSize(120, 8).SetPod(pod, events, history)
	if ns, name := d.Pod(); ns != "default" || name != "k8s-init-containers-64f984c8d7-tdjrg" {
		t.Fatalf("Pod() = %q, %q", ns, name)
	}
	d = detailPress(d, "3", "j")
	if !strings.Contains(d.View(), "[3 Events (4)]") {
		t.Fatalf("tab line lacks the event count:\n%s", d.View())
	}

	// A new event arrives: same pod, same pane and position, one more row.
	fresh := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "fresh", Namespace: "default"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: pod.Name, UID: pod.UID},
		Type:           "Warning", Reason: "FailedMount", Message: "a new event", Count: 1,
		FirstTimestamp: metav1.NewTime(detailNow.Add(-2 * time.Second)),
		LastTimestamp:  metav1.NewTime(detailNow.Add(-2 * time.Second)),
	}
	d = d.SetPod(pod.DeepCopy(), append(append([]*corev1.Event(nil), events...), fresh), history)
	if d.ActivePane() != PaneEvents || d.offsets[PaneEvents] != 1 {
		t.Errorf("same pod: pane %v offset %d, want Events 1", d.ActivePane(), d.offsets[PaneEvents])
	}
	if got := detailPlain(d, PaneEvents); !strings.Contains(got, "Warning  FailedMount  2s") || !strings.Contains(d.View(), "[3 Events (5)]") {
		t.Errorf("new event not shown first:\n%s\n%s", got, d.View())
	}

	// The pod changes status: the title follows.
	next := pod.DeepCopy()
	next.Status.InitContainerStatuses[1].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(detailNow.Add(-time.Second))}}
	d = d.SetPod(next, events, history)
	if !strings.Contains(d.title, "Init:1/4") {
		t.Errorf("title did not follow the status: %q", d.title)
	}

	// The pod is deleted: kept on screen, marked.
	d = d.SetPod(nil, nil, nil)
	if !strings.Contains(d.title, "Init:1/4 (deleted)") {
		t.Errorf("deleted pod not marked: %q", d.title)
	}
	if ns, name := d.Pod(); name != pod.Name || ns != pod.Namespace {
		t.Errorf("deleted pod forgotten: %q/%q", ns, name)
	}

	// The same name recreated (new UID) is another pod: back to Init, top.
	d = detailPress(d, "3", "j")
	again := pod.DeepCopy()
	again.UID = "recreated"
	d = d.SetPod(again, events, history)
	if d.ActivePane() != PaneInit || d.offsets != [detailPaneCount]int{} {
		t.Errorf("recreated pod: pane %v offsets %v, want Init and zeros", d.ActivePane(), d.offsets)
	}
	if strings.Contains(d.title, "deleted") {
		t.Errorf("recreated pod still marked deleted: %q", d.title)
	}
	// Events of the old UID are not about the new pod.
	if got := detailPlain(d, PaneEvents); got != "<none>" {
		t.Errorf("events of the previous pod shown for the recreated one:\n%s", got)
	}
}

// TestDetailEmpty checks the view before any pod and at degenerate sizes.
func TestDetailEmpty(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	d := New(themes.Dark(), keymap.Default(), nil)
	if d.View() != "" {
		t.Errorf("unsized view: %q", d.View())
	}
	d = d.SetSize(40, 10)
	detailCheckFrame(t, "no pod", d.View(), 40, 10, true)
	if !strings.Contains(d.View(), "No pod selected.") {
		t.Errorf("no pod: %q", d.View())
	}
	if ns, name := d.Pod(); ns != "" || name != "" {
		t.Errorf("Pod() before SetPod = %q, %q", ns, name)
	}
	for _, k := range []string{"tab", "j", "G", "6", "p", "pgdown"} {
		d = detailPress(d, k)
	}
	detailCheckFrame(t, "no pod after keys", d.View(), 40, 10, true)
}

// TestDetailHelp checks the key lists given to bubbles/help.
func TestDetailHelp(t *testing.T) {
	d := newTestDetail(t, "seed-crashloop", themes.Dark(), 80, 24)
	km := keymap.Default().Detail
	short := d.ShortHelp()
	for _, want := range []key.Binding{km.NextPane, km.Down, km.Logs} {
		if !detailHasBinding(short, want) {
			t.Errorf("short help lacks %q", want.Help().Desc)
		}
	}
	var all []key.Binding
	for _, col := range d.FullHelp() {
		all = append(all, col...)
	}
	for _, want := range []key.Binding{km.NextPane, km.PrevPane, km.InitPane, km.Conditions, km.Events, km.History,
		km.Resources, km.Logs, km.PreviousLogs, km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom} {
		if !detailHasBinding(all, want) {
			t.Errorf("full help lacks %q", want.Help().Desc)
		}
	}
}

func detailHasBinding(list []key.Binding, b key.Binding) bool {
	for _, x := range list {
		if x.Help() == b.Help() && strings.Join(x.Keys(), ",") == strings.Join(b.Keys(), ",") {
			return true
		}
	}
	return false
}

// TestDetailKeymapOverride checks that the view follows overridden keys:
// bindings are looked up, not hard-coded, and tab labels show the new keys.
func TestDetailKeymapOverride(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	km := keymap.Default()
	if err := km.Override(map[string][]string{"detail.events": {"e"}, "detail.nextPane": {"n"}}); err != nil {
		t.Fatal(err)
	}
	pod, events, history := loadDetailScenario(t, "seed-crashloop")
	d := New(themes.Dark(), km, detailClockFixed).SetSize(120, 30).SetPod(pod, events, history)
	if d = detailPress(d, "3"); d.ActivePane() != PaneInit {
		t.Errorf("3 still opens %v after override", d.ActivePane())
	}
	if d = detailPress(d, "e"); d.ActivePane() != PaneEvents {
		t.Errorf("e opens %v, want Events", d.ActivePane())
	}
	if d = detailPress(d, "n"); d.ActivePane() != PaneHistory {
		t.Errorf("n opens %v, want History", d.ActivePane())
	}
	if tabs := ansi.Strip(d.tabLine()); !strings.Contains(tabs, " e Events (4) ") {
		t.Errorf("tab label does not show the new key: %q", tabs)
	}
}

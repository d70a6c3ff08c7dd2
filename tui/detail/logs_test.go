package detail

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/logs"
)

// detailFakeLogs records how the detail view drives its logs component.
type detailFakeLogs struct {
	calls     *[]string
	capturing bool
	w, h      int
}

type detailFakeMsg string

func (f detailFakeLogs) log(format string, args ...any) {
	*f.calls = append(*f.calls, fmt.Sprintf(format, args...))
}

func (f detailFakeLogs) SetSize(w, h int) LogsPane {
	f.log("size %dx%d", w, h)
	f.w, f.h = w, h
	return f
}

func (f detailFakeLogs) SetPod(pod *corev1.Pod) (LogsPane, tea.Cmd) {
	if pod == nil {
		f.log("pod nil")
		return f, nil
	}
	f.log("pod %s", pod.Name)
	return f, func() tea.Msg { return detailFakeMsg("from SetPod " + pod.Name) }
}

func (f detailFakeLogs) Focus() (LogsPane, tea.Cmd) {
	f.log("focus")
	return f, func() tea.Msg { return detailFakeMsg("from Focus") }
}

func (f detailFakeLogs) Blur() LogsPane { f.log("blur"); return f }

func (f detailFakeLogs) SetPrevious(previous bool) (LogsPane, tea.Cmd) {
	f.log("previous %v", previous)
	return f, nil
}

func (f detailFakeLogs) Update(msg tea.Msg) (LogsPane, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		f.log("key %s", msg.String())
		if msg.String() == "/" {
			f.capturing = true
		}
		if msg.String() == "enter" {
			f.capturing = false
		}
	case detailFakeMsg:
		f.log("msg %s", string(msg))
	case tea.MouseMsg:
		f.log("mouse")
	}
	return f, nil
}

func (f detailFakeLogs) View() string {
	// Deliberately too wide and too long: the detail view must cut it.
	lines := make([]string, f.h+3)
	for i := range lines {
		lines[i] = fmt.Sprintf("log line %d %s", i, strings.Repeat("x", f.w))
	}
	return strings.Join(lines, "\n")
}

func (f detailFakeLogs) Capturing() bool { return f.capturing }

func (f detailFakeLogs) ShortHelp() []key.Binding {
	return []key.Binding{key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "fake autoscroll"))}
}

func (f detailFakeLogs) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }

// detailMsgs runs cmd and the commands it batches, collecting their
// messages. Only for commands that return at once.
func detailMsgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, detailMsgs(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// TestDetailLogsPaneDriving checks the LogsPane contract from the detail
// side: size and pod given, focused only while on screen, keys forwarded
// but pane switches, every key while capturing, stream messages always,
// commands queued by SetPod handed over by the next Update, Close blurs.
func TestDetailLogsPaneDriving(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	var calls []string
	take := func() string {
		s := strings.Join(calls, "; ")
		calls = calls[:0]
		return s
	}
	pod, events, history := loadDetailScenario(t, "seed-crashloop")
	d := New(themes.Dark(), keymap.Default(), detailClockFixed).SetSize(60, 12).SetPod(pod, events, history)
	d = d.SetLogsPane(detailFakeLogs{calls: &calls})
	if got := take(); got != "size 60x10; pod "+pod.Name {
		t.Errorf("plugging in: %q", got)
	}
	steps := []struct {
		do        func(d Model) (Model, tea.Cmd)
		calls     string
		msgs      string
		pane      Pane
		capturing bool
	}{
		// The command SetLogsPane queued comes with the next Update.
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("j")) },
			msgs: "from SetPod " + pod.Name, pane: PaneInit},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("6")) },
			calls: "previous false; focus", msgs: "from Focus", pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("j")) },
			calls: "key j", pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("p")) },
			calls: "key p", pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) {
			return d.Update(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
		}, calls: "mouse", pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("/")) },
			calls: "key /", pane: PaneLogs, capturing: true},
		// Capturing: tab is text for the component, not a pane switch.
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("tab")) },
			calls: "key tab", pane: PaneLogs, capturing: true},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(tea.KeyMsg{Type: tea.KeyEnter}) },
			calls: "key enter", pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("2")) },
			calls: "blur", pane: PaneConditions},
		// Off screen: keys stay with the detail view, stream messages
		// still reach the component.
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("j")) },
			pane: PaneConditions},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailFakeMsg("stream")) },
			calls: "msg stream", pane: PaneConditions},
		{do: func(d Model) (Model, tea.Cmd) { return d.Update(detailKey("p")) },
			calls: "previous true; focus", msgs: "from Focus", pane: PaneLogs},
		// New pod version: forwarded, its command handed over next.
		{do: func(d Model) (Model, tea.Cmd) {
			return d.SetPod(pod.DeepCopy(), events, history).Update(detailFakeMsg("tick"))
		}, calls: "pod " + pod.Name + "; msg tick", msgs: "from SetPod " + pod.Name, pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) { return d.SetSize(50, 20), nil },
			calls: "size 50x18", pane: PaneLogs},
		// Leaving the view: stream closed, and the view starts over.
		{do: func(d Model) (Model, tea.Cmd) { return d.Close() },
			calls: "blur", pane: PaneInit},
		{do: func(d Model) (Model, tea.Cmd) {
			return d.SetPod(pod, events, history).Update(detailKey("6"))
		},
			calls: "pod " + pod.Name + "; previous false; focus", msgs: "from SetPod " + pod.Name + "; from Focus", pane: PaneLogs},
		{do: func(d Model) (Model, tea.Cmd) { return d.SetPod(nil, nil, nil), nil },
			calls: "pod nil", pane: PaneLogs},
	}
	for i, s := range steps {
		var cmd tea.Cmd
		d, cmd = s.do(d)
		if got := take(); got != s.calls {
			t.Errorf("step %d: calls %q, want %q", i, got, s.calls)
		}
		var msgs []string
		for _, m := range detailMsgs(cmd) {
			msgs = append(msgs, fmt.Sprint(m))
		}
		if got := strings.Join(msgs, "; "); got != s.msgs {
			t.Errorf("step %d: messages %q, want %q", i, got, s.msgs)
		}
		if d.ActivePane() != s.pane || d.Capturing() != s.capturing {
			t.Errorf("step %d: pane %v capturing %v, want %v %v", i, d.ActivePane(), d.Capturing(), s.pane, s.capturing)
		}
	}

	// Another pod while on the Logs pane: blurred, back to Init.
	d, _ = d.Update(detailKey("6"))
	take()
	other := pod.DeepCopy()
	other.Name, other.UID = "other", "other-uid"
	d = d.SetPod(other, nil, nil)
	if got := take(); got != "blur; pod other" || d.ActivePane() != PaneInit {
		t.Errorf("other pod: calls %q pane %v", got, d.ActivePane())
	}

	// On the Logs pane, the view is the component's, cut to the window,
	// and the help lists its keys.
	d, _ = d.Update(detailKey("6"))
	view := d.View()
	detailCheckFrame(t, "fake logs", view, 50, 20, true)
	if lines := strings.Split(view, "\n"); lines[2] != "log line 0 "+strings.Repeat("x", 38)+"…" {
		t.Errorf("logs body line: %q", lines[2])
	}
	if h := d.ShortHelp(); h[len(h)-1].Help().Desc != "fake autoscroll" {
		t.Errorf("short help does not end with the logs keys: %v", h)
	}
}

// detailLogSource serves one batch of lines per stream and records the
// requests and their contexts, so a test can see streams open and close.
type detailLogSource struct {
	mu    sync.Mutex
	lines []kube.LogLine
	reqs  []kube.LogRequest
	ctxs  []context.Context
}

func (s *detailLogSource) Stream(ctx context.Context, req kube.LogRequest) (<-chan []kube.LogLine, <-chan error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	s.ctxs = append(s.ctxs, ctx)
	lines := make(chan []kube.LogLine, 1)
	lines <- append([]kube.LogLine(nil), s.lines...)
	go func() {
		// As the contract says: the channel closes once ctx is cancelled.
		<-ctx.Done()
		close(lines)
	}()
	return lines, make(chan error), nil
}

func (s *detailLogSource) opened() ([]kube.LogRequest, []context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]kube.LogRequest(nil), s.reqs...), append([]context.Context(nil), s.ctxs...)
}

// TestDetailWithLogsModel plugs the real logs component in: the Logs pane
// follows the running init container, shows its lines, and closes the
// stream when the user switches to another pane.
func TestDetailWithLogsModel(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	src := &detailLogSource{lines: []kube.LogLine{
		{Time: detailNow.Add(-3e9), Text: "migrating schema 1/3"},
		{Time: detailNow.Add(-2e9), Text: "migrating schema 2/3"},
	}}
	d := newTestDetail(t, "sidecar", themes.Dark(), 80, 20)
	d = d.SetLogs(logs.New(src, themes.Dark(), keymap.Default(), logs.Options{Now: detailClockFixed}))

	d, cmd := d.Update(detailKey("6")) // focus: the command opens the stream
	msgs := detailMsgs(cmd)
	if len(msgs) != 1 {
		t.Fatalf("focus gave %d messages, want the stream opening", len(msgs))
	}
	d, cmd = d.Update(msgs[0]) // opened: the command reads the first batch
	msgs = detailMsgs(cmd)
	if len(msgs) != 1 {
		t.Fatalf("stream opening gave %d messages, want a batch", len(msgs))
	}
	d, _ = d.Update(msgs[0]) // the batch; the next read would wait

	reqs, ctxs := src.opened()
	if len(reqs) != 1 || reqs[0].Container != "init-migrate" || !reqs[0].Follow || reqs[0].Previous {
		t.Fatalf("stream requests: %+v", reqs)
	}
	view := d.View()
	detailCheckFrame(t, "logs", view, 80, 20, true)
	for _, want := range []string{"[6 Logs]", "migrating schema 1/3", "migrating schema 2/3"} {
		if !strings.Contains(view, want) {
			t.Errorf("missing %q in\n%s", want, view)
		}
	}
	if ctxs[0].Err() != nil {
		t.Fatal("stream closed while its pane is on screen")
	}

	d, _ = d.Update(detailKey("1"))
	if ctxs[0].Err() == nil {
		t.Error("stream still open after leaving the Logs pane")
	}
	if d.ActivePane() != PaneInit {
		t.Errorf("pane %v", d.ActivePane())
	}
}

package logs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
)

// logsT0 is the fixed clock of the logs tests.
var logsT0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// logsAt is logsT0 plus ms milliseconds: the kubelet timestamp of a line.
func logsAt(ms int) time.Time { return logsT0.Add(time.Duration(ms) * time.Millisecond) }

// logsPod loads the logs fixture pod (no status: nothing started yet).
func logsPod(t testing.TB) *corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "kwok", "pod-init-logs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(data, &pod); err != nil {
		t.Fatal(err)
	}
	return &pod
}

// The status helpers act as the kubelet: each returns a copy of pod with
// one container's status replaced.

func logsWithStatus(pod *corev1.Pod, cs corev1.ContainerStatus) *corev1.Pod {
	p := pod.DeepCopy()
	lists := []*[]corev1.ContainerStatus{&p.Status.InitContainerStatuses, &p.Status.ContainerStatuses}
	isInit := false
	for _, c := range p.Spec.InitContainers {
		if c.Name == cs.Name {
			isInit = true
		}
	}
	list := lists[1]
	if isInit {
		list = lists[0]
	}
	for i := range *list {
		if (*list)[i].Name == cs.Name {
			(*list)[i] = cs
			return p
		}
	}
	*list = append(*list, cs)
	return p
}

func logsRunning(name string, restarts int32, last *corev1.ContainerStateTerminated) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{
		Name:         name,
		RestartCount: restarts,
		State:        corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(logsT0)}},
	}
	if last != nil {
		cs.LastTerminationState.Terminated = last
	}
	return cs
}

func logsTerminated(name string, restarts, exit int32) corev1.ContainerStatus {
	reason := "Completed"
	if exit != 0 {
		reason = "Error"
	}
	return corev1.ContainerStatus{
		Name:         name,
		RestartCount: restarts,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: exit, Reason: reason, ContainerID: "containerd://" + name,
			StartedAt: metav1.NewTime(logsT0), FinishedAt: metav1.NewTime(logsT0.Add(time.Second)),
		}},
	}
}

func logsWaiting(name, reason string, restarts int32, last *corev1.ContainerStateTerminated) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{
		Name:         name,
		RestartCount: restarts,
		State:        corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}},
	}
	if last != nil {
		cs.LastTerminationState.Terminated = last
	}
	return cs
}

func logsExited(code int32) *corev1.ContainerStateTerminated {
	return &corev1.ContainerStateTerminated{ExitCode: code, Reason: "Error", ContainerID: "containerd://old"}
}

// logsFakeSource is a scripted LogSource: every Stream call becomes a
// logsFakeStream the test feeds by hand.
type logsFakeSource struct {
	mu       sync.Mutex
	streams  []*logsFakeStream
	openErrs []error // returned by the next Stream calls, in order
}

type logsFakeStream struct {
	req   kube.LogRequest
	ctx   context.Context
	lines chan []kube.LogLine
	errs  chan error
	once  sync.Once
}

func (s *logsFakeSource) Stream(ctx context.Context, req kube.LogRequest) (<-chan []kube.LogLine, <-chan error, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.openErrs) > 0 {
		err := s.openErrs[0]
		s.openErrs = s.openErrs[1:]
		return nil, nil, err
	}
	st := &logsFakeStream{req: req, ctx: ctx, lines: make(chan []kube.LogLine, 64), errs: make(chan error, 1)}
	s.streams = append(s.streams, st)
	// The contract: the line channel closes once ctx is cancelled.
	go func() {
		<-ctx.Done()
		st.end(nil)
	}()
	return st.lines, st.errs, nil
}

func (s *logsFakeSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.streams)
}

func (s *logsFakeSource) last(t testing.TB) *logsFakeStream {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.streams) == 0 {
		t.Fatal("no stream was opened")
	}
	return s.streams[len(s.streams)-1]
}

func (st *logsFakeStream) send(lines ...kube.LogLine) { st.lines <- lines }

// end closes the stream, cleanly (nil) or with err.
func (st *logsFakeStream) end(err error) {
	st.once.Do(func() {
		if err != nil {
			st.errs <- err
		}
		close(st.lines)
	})
}

func (st *logsFakeStream) cancelled() bool {
	select {
	case <-st.ctx.Done():
		return true
	default:
		return false
	}
}

// logsLine builds a line stamped ms after logsT0.
func logsLine(ms int, text string) kube.LogLine { return kube.LogLine{Time: logsAt(ms), Text: text} }

// logsDriver runs a Model step by step: it keeps the one command the
// pane has pending (open, wait for a batch, or retry) and runs it on
// demand, after the test has scripted what the stream does.
type logsDriver struct {
	t   *testing.T
	m   Model
	src *logsFakeSource
	cmd tea.Cmd
}

func newLogsDriver(t *testing.T, opts Options, w, h int) *logsDriver {
	t.Helper()
	src := &logsFakeSource{}
	if opts.Now == nil {
		opts.Now = func() time.Time { return logsT0 }
	}
	if opts.RetryDelay == nil {
		opts.RetryDelay = func(int) time.Duration { return 0 }
	}
	m := New(src, themes.Mono(), keymap.Default(), opts).SetSize(w, h)
	return &logsDriver{t: t, m: m, src: src}
}

func (d *logsDriver) take(m Model, cmd tea.Cmd) {
	d.m = m
	if cmd != nil {
		d.cmd = cmd
	}
}

func (d *logsDriver) setPod(pod *corev1.Pod) { d.take(d.m.SetPod(pod)) }
func (d *logsDriver) focus()                 { d.take(d.m.Focus()) }

// key presses keys; commands they return (the search field's cursor blink)
// are not stream commands unless the key changes the stream.
func (d *logsDriver) key(keys ...string) {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "pgup":
			msg = tea.KeyMsg{Type: tea.KeyPgUp}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m, cmd := d.m.Update(msg)
		d.m = m
		if cmd != nil && !d.m.search.editing {
			d.cmd = cmd
		}
	}
}

// typeText types s into the search field.
func (d *logsDriver) typeText(s string) {
	for _, r := range s {
		d.m, _ = d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// pump runs the pending command and feeds its message back. The stream
// was scripted before, so the command returns at once; the bound only turns
// a bug (a command that waits forever) into a failure instead of a hang.
func (d *logsDriver) pump() tea.Msg {
	d.t.Helper()
	if d.cmd == nil {
		d.t.Fatal("no pending command")
	}
	cmd := d.cmd
	d.cmd = nil
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(10 * time.Second):
		d.t.Fatal("the pending command blocked: the stream was not scripted for it")
	}
	if msg != nil {
		m, cmd := d.m.Update(msg)
		d.take(m, cmd)
	}
	return msg
}

// view returns the screen without styling.
func (d *logsDriver) view() string { return ansi.Strip(d.m.View()) }

// body returns the rows between the header and the status line, trimmed.
func (d *logsDriver) body() []string {
	rows := strings.Split(d.view(), "\n")
	if len(rows) > 2 {
		rows = rows[1 : len(rows)-1]
	}
	var out []string
	for _, r := range rows {
		if r = strings.TrimRight(r, " "); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func (d *logsDriver) status() string {
	rows := strings.Split(d.view(), "\n")
	return strings.TrimSpace(rows[len(rows)-1])
}

// logsCheckFrame asserts the view is exactly w×h cells.
func logsCheckFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	rows := strings.Split(view, "\n")
	if len(rows) != h {
		t.Fatalf("view has %d rows, want %d:\n%s", len(rows), h, ansi.Strip(view))
	}
	for i, r := range rows {
		if got := ansi.StringWidth(r); got != w {
			t.Fatalf("row %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(r))
		}
	}
}

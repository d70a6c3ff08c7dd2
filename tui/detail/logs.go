package detail

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/tui/logs"
)

// LogsPane is what the detail view needs from the component that fills its
// Logs pane: logs.Model, wrapped by SetLogs, or a test double given to
// SetLogsPane. Methods return the updated component, Bubble Tea style.
//
// The detail view drives it so that only the visible stream is open:
//   - SetPod gets every new version of the shown pod, nil when it is gone;
//     the component picks the container to follow;
//   - Focus is called when the Logs pane comes on screen, Blur when it
//     leaves the screen or the user leaves the pod (Blur closes the stream);
//   - SetPrevious chooses between the current and the last terminated run
//     (l and p from the other panes);
//   - Update receives, while the pane is on screen, every key but the pane
//     switches (tab, shift+tab, 1-5), and always every other message (the
//     stream's own);
//   - Capturing reports that the component reads text (a search term, a
//     container pick): then it gets every key;
//   - View renders the size last given to SetSize: the area under the tabs.
type LogsPane interface {
	SetSize(w, h int) LogsPane
	SetPod(pod *corev1.Pod) (LogsPane, tea.Cmd)
	Focus() (LogsPane, tea.Cmd)
	Blur() LogsPane
	SetPrevious(previous bool) (LogsPane, tea.Cmd)
	Update(msg tea.Msg) (LogsPane, tea.Cmd)
	View() string
	Capturing() bool
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// detailLogsModel adapts logs.Model, whose methods return logs.Model, to the
// LogsPane interface.
type detailLogsModel struct{ m logs.Model }

func (a detailLogsModel) SetSize(w, h int) LogsPane { a.m = a.m.SetSize(w, h); return a }

func (a detailLogsModel) SetPod(pod *corev1.Pod) (LogsPane, tea.Cmd) {
	var cmd tea.Cmd
	a.m, cmd = a.m.SetPod(pod)
	return a, cmd
}

func (a detailLogsModel) Focus() (LogsPane, tea.Cmd) {
	var cmd tea.Cmd
	a.m, cmd = a.m.Focus()
	return a, cmd
}

func (a detailLogsModel) Blur() LogsPane { a.m = a.m.Blur(); return a }

func (a detailLogsModel) SetPrevious(previous bool) (LogsPane, tea.Cmd) {
	var cmd tea.Cmd
	a.m, cmd = a.m.SetPrevious(previous)
	return a, cmd
}

func (a detailLogsModel) Update(msg tea.Msg) (LogsPane, tea.Cmd) {
	var cmd tea.Cmd
	a.m, cmd = a.m.Update(msg)
	return a, cmd
}

func (a detailLogsModel) View() string              { return a.m.View() }
func (a detailLogsModel) Capturing() bool           { return a.m.Capturing() }
func (a detailLogsModel) ShortHelp() []key.Binding  { return a.m.ShortHelp() }
func (a detailLogsModel) FullHelp() [][]key.Binding { return a.m.FullHelp() }

// logsFallbackLines is the Logs pane when no logs component is plugged in
// (initwatch get, tests): which container the logs would follow, and the
// kubectl command that shows them.
func (d *Model) logsFallbackLines(f *detailFacts) []string {
	th := d.theme
	pod := d.pod
	name, what, hasPrevious := d.followedContainer(f)
	if name == "" {
		return []string{detailStyled(th.Muted, "This pod has no containers.")}
	}
	run := "current run"
	flag := ""
	if d.previousLogs {
		run = "previous run"
		flag = " -p"
	}
	out := []string{
		detailStyled(th.HeaderLabel, "Container: ") + detailStyled(th.Title, detailClean(name)) + detailStyled(th.Muted, " ("+what+")"),
		detailStyled(th.HeaderLabel, "Run:       ") + detailStyled(th.HeaderValue, run),
	}
	if d.previousLogs && !hasPrevious {
		out = append(out, detailStyled(th.Warning, "This container has no terminated run yet: there are no previous logs."))
	}
	out = append(out, "", detailStyled(th.Muted, "Logs are not streamed in this view; the same logs with kubectl:"))
	// Wrapped rather than cut, so the command can be copied whole.
	cmd := detailClean(fmt.Sprintf("kubectl logs -n %s %s -c %s%s", pod.Namespace, pod.Name, name, flag))
	if ctx := model.ContextOf(pod); ctx != "" {
		cmd = detailClean(fmt.Sprintf("kubectl --context %s logs -n %s %s -c %s%s", ctx, pod.Namespace, pod.Name, name, flag))
	}
	return append(out, detailWrap(cmd, d.width)...)
}

// followedContainer picks the container the logs follow by default: the init
// container holding initialization up (running, failing or next), else the
// first app container. It also says what that container is doing and whether
// it has a terminated run to show with -p.
func (d *Model) followedContainer(f *detailFacts) (name, what string, hasPrevious bool) {
	if p := f.progress; p.Active >= 0 && p.Active < len(f.steps) {
		s := &f.steps[p.Active]
		kind := "init container"
		if s.Kind == model.KindSidecar {
			kind = "sidecar"
		}
		return s.Name, fmt.Sprintf("%s %d of %d, %s", kind, p.Active+1, p.Total, detailPhaseText(s.Phase)),
			s.LastState.Kind == model.StateTerminated || s.State.Kind == model.StateTerminated
	}
	pod := d.pod
	if len(pod.Spec.Containers) == 0 {
		return "", "", false
	}
	c := pod.Spec.Containers[0].Name
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.Name == c {
			return c, "app container", cs.LastTerminationState.Terminated != nil || cs.State.Terminated != nil
		}
	}
	return c, "app container", false
}

package detail

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/logs"
)

// Pane is one tab of the pod detail view.
type Pane int

// The panes, in tab order.
const (
	PaneInit Pane = iota
	PaneConditions
	PaneEvents
	PaneHistory
	PaneResources
	PaneLogs
)

const detailPaneCount = int(PaneLogs) + 1

// String names the pane as its tab does.
func (p Pane) String() string {
	switch p {
	case PaneInit:
		return "Init containers"
	case PaneConditions:
		return "Conditions"
	case PaneEvents:
		return "Events"
	case PaneHistory:
		return "History"
	case PaneResources:
		return "Resources"
	case PaneLogs:
		return "Logs"
	}
	return "unknown"
}

// detailChrome is the number of lines above the pane body: the title line
// and the tab line.
const detailChrome = 2

// detailWheelLines is how far one mouse wheel notch scrolls.
const detailWheelLines = 3

// Model is the pod detail view: a title line, a row of tabs and one
// scrollable pane. Every pane but Logs is rendered to lines when the pod, its
// events or the window change (SetPod, SetSize), so View only slices.
type Model struct {
	theme themes.Theme
	keys  keymap.Detail
	now   func() time.Time

	width, height int

	pod       *corev1.Pod
	events    []*corev1.Event
	history   []model.Transition
	namespace string
	name      string
	uid       types.UID
	// gone is set when the pod disappeared while shown: the last state
	// stays on screen, marked deleted.
	gone bool

	active  Pane
	offsets [detailPaneCount]int
	content [detailPaneCount][]string
	title   string
	tabs    [detailPaneCount]detailTabLabel

	logs         LogsPane
	previousLogs bool
	// pending holds a command the logs pane returned from a call that
	// cannot return one (SetPod); the next Update hands it to the runtime.
	pending tea.Cmd
}

// New returns an empty detail view; SetSize and SetPod fill it.
func New(th themes.Theme, km keymap.KeyMap, now func() time.Time) Model {
	if now == nil {
		now = time.Now
	}
	d := Model{theme: th, keys: km.Detail, now: now, active: PaneInit}
	d.rebuild()
	return d
}

// SetSize gives the view its window: every line is at most w cells wide and
// View returns exactly h lines.
func (d Model) SetSize(w, h int) Model {
	d.width, d.height = max(w, 0), max(h, 0)
	if d.logs != nil {
		d.logs = d.logs.SetSize(d.width, d.bodyHeight())
	}
	d.rebuild()
	return d
}

// SetPod shows pod with its events (any events: those about other pods are
// left out) and its recorded STATUS history. Showing the same pod again
// (new status, new events) keeps the pane and scroll positions; another pod
// starts over on the Init containers pane. A nil pod keeps the last one on
// screen, marked deleted.
func (d Model) SetPod(pod *corev1.Pod, events []*corev1.Event, history []model.Transition) Model {
	if pod == nil {
		if d.pod != nil && !d.gone {
			d.gone = true
			if d.logs != nil {
				var cmd tea.Cmd
				d.logs, cmd = d.logs.SetPod(nil)
				d.pending = tea.Batch(d.pending, cmd)
			}
		}
		d.rebuild()
		return d
	}
	if !d.samePod(pod) {
		if d.logs != nil && d.active == PaneLogs {
			d.logs = d.logs.Blur()
		}
		d.active = PaneInit
		d.offsets = [detailPaneCount]int{}
		d.previousLogs = false
	}
	d.pod = pod
	d.namespace, d.name, d.uid = pod.Namespace, pod.Name, pod.UID
	d.gone = false
	d.events = model.EventsFor(pod, events)
	d.history = history
	if d.logs != nil {
		var cmd tea.Cmd
		d.logs, cmd = d.logs.SetPod(pod)
		d.pending = tea.Batch(d.pending, cmd)
	}
	d.rebuild()
	return d
}

// samePod reports whether pod is the one already shown: same namespace and
// name, and the same UID when both are known (a recreated StatefulSet
// replica is another pod).
func (d *Model) samePod(pod *corev1.Pod) bool {
	if d.name == "" || pod.Namespace != d.namespace || pod.Name != d.name {
		return false
	}
	return d.uid == "" || pod.UID == "" || d.uid == pod.UID
}

// Pod names the pod shown; empty strings before the first SetPod.
func (d Model) Pod() (namespace, name string) { return d.namespace, d.name }

// ActivePane is the pane on screen.
func (d Model) ActivePane() Pane { return d.active }

// Capturing reports whether the view takes every key, the app's global ones
// (q, esc) included: the logs pane is reading a search term.
func (d Model) Capturing() bool {
	return d.active == PaneLogs && d.logs != nil && d.logs.Capturing()
}

// SelectPane shows pane p, as its number key does.
func (d Model) SelectPane(p Pane) (Model, tea.Cmd) {
	if p < 0 || int(p) >= detailPaneCount {
		return d, nil
	}
	return d.switchTo(p)
}

// ShowLogs opens the Logs pane on the current run (previous false) or on the
// last terminated run (previous true) of the followed container, as l and p
// do; the list view uses it to jump straight to a pod's logs.
func (d Model) ShowLogs(previous bool) (Model, tea.Cmd) {
	var cmd tea.Cmd
	if d.logs != nil {
		d.logs, cmd = d.logs.SetPrevious(previous)
	}
	if d.previousLogs != previous {
		d.previousLogs = previous
		d.rebuild()
	}
	d, focus := d.switchTo(PaneLogs)
	return d, tea.Batch(cmd, focus)
}

// Close is called when the user leaves the detail view: the logs pane, if
// open, closes its stream, and the view starts over on the Init containers
// pane next time, whichever pod it shows.
func (d Model) Close() (Model, tea.Cmd) {
	if d.logs != nil && d.active == PaneLogs {
		d.logs = d.logs.Blur()
	}
	d.active = PaneInit
	d.offsets = [detailPaneCount]int{}
	if d.previousLogs {
		d.previousLogs = false
		d.rebuild()
	}
	return d, d.takePending()
}

// SetLogs plugs the logs component into the Logs pane (see LogsPane for
// how the detail view drives it).
func (d Model) SetLogs(m logs.Model) Model {
	return d.SetLogsPane(detailLogsModel{m: m})
}

// SetLogsPane plugs any LogsPane into the Logs pane. It is sized and given
// the current pod at once; if the Logs pane is on screen it is focused, the
// command to do so returned by the next Update.
func (d Model) SetLogsPane(p LogsPane) Model {
	d.logs = p
	if p == nil {
		d.rebuild()
		return d
	}
	d.logs = d.logs.SetSize(d.width, d.bodyHeight())
	if d.pod != nil {
		var cmd tea.Cmd
		d.logs, cmd = d.logs.SetPod(d.pod)
		d.pending = tea.Batch(d.pending, cmd)
	}
	if d.active == PaneLogs {
		var prev, focus tea.Cmd
		d.logs, prev = d.logs.SetPrevious(d.previousLogs)
		d.logs, focus = d.logs.Focus()
		d.pending = tea.Batch(d.pending, prev, focus)
	}
	d.rebuild()
	return d
}

// Update handles keys and mouse wheel of the view. Other messages (the log
// stream's) go to the logs component.
func (d Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	pending := d.takePending()
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		d, cmd = d.handleKey(msg)
	case tea.MouseMsg:
		d, cmd = d.handleMouse(msg)
	default:
		if d.logs != nil {
			d.logs, cmd = d.logs.Update(msg)
		}
	}
	return d, tea.Batch(pending, cmd)
}

func (d *Model) takePending() tea.Cmd {
	cmd := d.pending
	d.pending = nil
	return cmd
}

func (d Model) handleKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := d.keys
	onLogs := d.active == PaneLogs && d.logs != nil
	if onLogs && d.logs.Capturing() {
		var cmd tea.Cmd
		d.logs, cmd = d.logs.Update(msg)
		return d, cmd
	}
	switch {
	case key.Matches(msg, k.NextPane):
		return d.switchTo(Pane((int(d.active) + 1) % detailPaneCount))
	case key.Matches(msg, k.PrevPane):
		return d.switchTo(Pane((int(d.active) + detailPaneCount - 1) % detailPaneCount))
	case key.Matches(msg, k.InitPane):
		return d.switchTo(PaneInit)
	case key.Matches(msg, k.Conditions):
		return d.switchTo(PaneConditions)
	case key.Matches(msg, k.Events):
		return d.switchTo(PaneEvents)
	case key.Matches(msg, k.History):
		return d.switchTo(PaneHistory)
	case key.Matches(msg, k.Resources):
		return d.switchTo(PaneResources)
	case key.Matches(msg, k.Logs) && !onLogs:
		return d.ShowLogs(false)
	case key.Matches(msg, k.PreviousLogs) && !onLogs:
		// On the Logs pane itself p belongs to the logs component, which
		// toggles between the current and the previous run.
		if d.active == PaneLogs {
			return d.ShowLogs(!d.previousLogs)
		}
		return d.ShowLogs(true)
	}
	if onLogs {
		var cmd tea.Cmd
		d.logs, cmd = d.logs.Update(msg)
		return d, cmd
	}
	body := d.bodyHeight()
	switch {
	case key.Matches(msg, k.Up):
		d.scrollBy(-1)
	case key.Matches(msg, k.Down):
		d.scrollBy(1)
	case key.Matches(msg, k.PageUp):
		d.scrollBy(-max(body, 1))
	case key.Matches(msg, k.PageDown):
		d.scrollBy(max(body, 1))
	case key.Matches(msg, k.Top):
		d.offsets[d.active] = 0
	case key.Matches(msg, k.Bottom):
		d.offsets[d.active] = d.maxOffset(d.active)
	}
	return d, nil
}

func (d Model) handleMouse(msg tea.MouseMsg) (Model, tea.Cmd) {
	if d.active == PaneLogs && d.logs != nil {
		var cmd tea.Cmd
		d.logs, cmd = d.logs.Update(msg)
		return d, cmd
	}
	if msg.Action != tea.MouseActionPress {
		return d, nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		d.scrollBy(-detailWheelLines)
	case tea.MouseButtonWheelDown:
		d.scrollBy(detailWheelLines)
	}
	return d, nil
}

// switchTo makes p the active pane, focusing or blurring the logs component
// as the Logs pane comes and goes.
func (d Model) switchTo(p Pane) (Model, tea.Cmd) {
	var cmd tea.Cmd
	if d.logs != nil && d.active != p {
		switch {
		case d.active == PaneLogs:
			d.logs = d.logs.Blur()
		case p == PaneLogs:
			d.logs, cmd = d.logs.Focus()
		}
	}
	d.active = p
	return d, cmd
}

// bodyHeight is the number of pane lines on screen.
func (d *Model) bodyHeight() int { return max(d.height-detailChrome, 0) }

func (d *Model) maxOffset(p Pane) int {
	return max(len(d.content[p])-d.bodyHeight(), 0)
}

func (d *Model) scrollBy(n int) {
	d.offsets[d.active] = min(max(d.offsets[d.active]+n, 0), d.maxOffset(d.active))
}

// ShortHelp lists the keys for the footer.
func (d Model) ShortHelp() []key.Binding {
	k := d.keys
	out := []key.Binding{k.NextPane, k.Up, k.Down}
	if d.active == PaneLogs && d.logs != nil {
		return append(out, d.logs.ShortHelp()...)
	}
	return append(out, k.Logs, k.PreviousLogs)
}

// FullHelp lists every key of the view, in columns.
func (d Model) FullHelp() [][]key.Binding {
	k := d.keys
	panes := []key.Binding{k.NextPane, k.PrevPane, k.InitPane, k.Conditions, k.Events, k.History, k.Resources, k.Logs, k.PreviousLogs}
	if d.active == PaneLogs && d.logs != nil {
		// The logs component lists its own scrolling keys.
		return append([][]key.Binding{panes}, d.logs.FullHelp()...)
	}
	return [][]key.Binding{panes, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// rebuild renders the title, the tabs and every pane but Logs for the
// current pod, size and clock.
func (d *Model) rebuild() {
	w := d.width
	var f *detailFacts
	if d.pod != nil {
		f = newDetailFacts(d.pod, d.events, d.now())
	}
	d.title = d.renderTitle(f)
	d.renderTabs(f)
	if f == nil {
		for i := range d.content {
			d.content[i] = nil
		}
		d.content[PaneInit] = []string{detailStyled(d.theme.Muted, detailFit("No pod selected.", w))}
	} else {
		d.content[PaneInit] = d.initLines(f)
		d.content[PaneConditions] = d.conditionLines(f)
		d.content[PaneEvents] = d.eventLines(f)
		d.content[PaneHistory] = d.historyLines(f)
		d.content[PaneResources] = d.resourceLines(f)
		d.content[PaneLogs] = d.logsFallbackLines(f)
	}
	for p := range d.content {
		for i, l := range d.content[p] {
			d.content[p][i] = detailFit(l, w)
		}
		d.offsets[p] = min(d.offsets[p], d.maxOffset(Pane(p)))
	}
}

// detailFacts is what the model computes from the pod once per rebuild and
// several panes share.
type detailFacts struct {
	now      time.Time
	printed  model.Printed
	category model.Category
	steps    []model.InitStep
	progress model.Progress
	events   []model.EventRow
}

func newDetailFacts(pod *corev1.Pod, events []*corev1.Event, now time.Time) *detailFacts {
	f := &detailFacts{now: now, printed: model.Print(pod, now), steps: model.InitSteps(pod, now)}
	f.progress = model.InitProgress(pod, f.steps)
	f.category = model.Categorize(pod.Status.Phase, f.printed, f.steps)
	f.events = model.PodEvents(events, now)
	return f
}

// View renders exactly height lines of at most width cells.
func (d Model) View() string {
	if d.width <= 0 || d.height <= 0 {
		return ""
	}
	lines := make([]string, 0, d.height)
	lines = append(lines, d.title)
	if d.height > 1 {
		lines = append(lines, d.tabLine())
	}
	body := d.bodyHeight()
	if d.active == PaneLogs && d.logs != nil {
		for _, l := range strings.Split(d.logs.View(), "\n") {
			if len(lines) == d.height {
				break
			}
			lines = append(lines, detailFit(l, d.width))
		}
	} else {
		content := d.content[d.active]
		off := min(d.offsets[d.active], len(content))
		lines = append(lines, content[off:min(off+body, len(content))]...)
	}
	for len(lines) < d.height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

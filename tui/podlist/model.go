package podlist

import (
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/view"
)

// wheelRows is how far one mouse wheel notch scrolls the list.
const wheelRows = 3

// Options configure the pod list.
type Options struct {
	Theme *themes.Theme
	Keys  *keymap.KeyMap
	// Owners resolve pods to their workloads and revisions when grouped by
	// owner (the rollouts summary's resolution); nil groups by the pods'
	// owner references.
	Owners *rollout.Owners
	// ContextNames are the contexts as the CONTEXT column shows them
	// (ShortContexts), when several clusters are shown; nil for one.
	ContextNames map[string]string
	// Now is the time ages are counted to until SetNow or a batch says
	// otherwise.
	Now time.Time
}

// Model is the pod list view: every pod in scope, kept in the store this
// package owns, and the rows that survive the filter and the toggles, in
// the chosen order, grouped by owner when asked. It is a pointer-receiver
// view.Component that also takes every key while its filter is edited
// (view.Capturer) and draws the footer then (view.Footer).
type Model struct {
	th   *themes.Theme
	keys *keymap.KeyMap
	// Row styles, plain and under the cursor, built once.
	rowStyle, selStyle rowStyles
	help               help.Model

	store *podStore
	list  podList
	lay   layout

	filter    textinput.Model
	filtering bool

	// stale are the contexts whose cluster stopped answering (their rows
	// say so); ctxW is the CONTEXT column's natural width.
	stale  map[string]bool
	ctxW   int
	synced bool
	now    time.Time
	width  int
	height int
}

// New returns an empty list; SetSize and Apply fill it.
func New(o Options) *Model {
	m := &Model{
		th:       o.Theme,
		keys:     o.Keys,
		rowStyle: newRowStyles(*o.Theme, false),
		selStyle: newRowStyles(*o.Theme, true),
		help:     view.NewHelp(*o.Theme),
		store:    newPodStore(),
		list:     podList{order: sortOrder{key: defaultSortKey}, owners: o.Owners},
		filter:   newFilterInput(*o.Theme),
		stale:    map[string]bool{},
		now:      o.Now,
	}
	m.store.ctxNames = o.ContextNames
	for _, n := range o.ContextNames {
		m.ctxW = max(m.ctxW, ansi.StringWidth(n))
	}
	m.relayout()
	return m
}

// Applied says what a batch changed, for the views that follow the pods
// too (the detail of one pod, the rollouts summary).
type Applied struct {
	res applyResult
}

// Changed are the pods the batch added or updated, each unpacked anew.
func (a *Applied) Changed() iter.Seq[*corev1.Pod] {
	return func(yield func(*corev1.Pod) bool) {
		for _, e := range a.res.changed {
			if !yield(e.pod.Pod()) {
				return
			}
		}
	}
}

// Removed are the pods the batch deleted, with their keys.
func (a *Applied) Removed() iter.Seq2[kube.PodKey, *corev1.Pod] {
	return func(yield func(kube.PodKey, *corev1.Pod) bool) {
		for _, e := range a.res.removed {
			if !yield(e.key, e.pod.Pod()) {
				return
			}
		}
	}
}

// EventsChanged reports whether the batch changed the events of a pod.
func (a *Applied) EventsChanged(key kube.PodKey) bool { return a.res.eventsOf[key] }

// Apply folds a batch that arrived at `at` into the store and the list:
// changed pods are re-matched and merged into place. ownersChanged says
// the batch changed the owners, so pods may now resolve to other workloads
// or revisions.
func (m *Model) Apply(b *kube.Batch, at time.Time, ownersChanged bool) Applied {
	m.now = at
	res := m.store.apply(*b, at)
	if b.Synced {
		m.synced = true
	}
	m.list.applyChanges(res)
	if ownersChanged && m.list.grouped {
		m.list.rebuild()
	}
	m.relayout()
	return Applied{res: res}
}

// SetNow is the clock moving on: ages, and the AGE column's width, follow.
func (m *Model) SetNow(now time.Time) {
	m.now = now
	m.relayout()
}

// SetStale marks the rows of a context whose cluster stopped answering
// (true) or answers again (false).
func (m *Model) SetStale(ctx string, stale bool) {
	if stale == m.stale[ctx] {
		return
	}
	if stale {
		m.stale[ctx] = true
	} else {
		delete(m.stale, ctx)
	}
	m.relayout()
}

// Selected returns the pod under the cursor; ok is false on a group
// header or an empty list.
func (m *Model) Selected() (key kube.PodKey, ok bool) {
	if e := m.list.selPod; e != nil {
		return e.key, true
	}
	return kube.PodKey{}, false
}

// Choose returns the pod under the cursor, which the user chose to open:
// back on the list, the cursor is still on it, wherever triage moved it
// meanwhile. ok is false on a group header or an empty list.
func (m *Model) Choose() (key kube.PodKey, ok bool) {
	key, ok = m.Selected()
	if ok {
		m.list.moved = true
	}
	return key, ok
}

// Version returns the current version of a pod in scope as the list keeps
// it, nil when it is not: a new pointer each time the pod changes, so
// comparing versions costs no unpacking (Pod builds a new pod each call).
func (m *Model) Version(key kube.PodKey) *kube.PackedPod {
	if e := m.store.pods[key]; e != nil {
		return e.pod
	}
	return nil
}

// Pod returns the current version of a pod in scope, nil when it is not.
func (m *Model) Pod(key kube.PodKey) *corev1.Pod {
	if e := m.store.pods[key]; e != nil {
		return e.pod.Pod()
	}
	return nil
}

// Detail returns what the detail view shows of a pod: its current
// version, its events oldest first, and the history of its STATUS.
func (m *Model) Detail(key kube.PodKey) (*corev1.Pod, []*corev1.Event, []model.Transition, bool) {
	e := m.store.pods[key]
	if e == nil {
		return nil, nil, nil, false
	}
	return e.pod.Pod(), m.store.eventsFor(e), e.history.Transitions(), true
}

// AllPods yields every pod of the scope, in no order (the rollouts view
// summarises them; a summary does not depend on order).
func (m *Model) AllPods() iter.Seq[*corev1.Pod] { return m.store.allPods() }

// Counts are the pods in scope by state, as the header shows them.
type Counts struct {
	Initializing, Failing, Ready, Total int
}

// Status is what the header says of the list: the counts of the scope,
// and how the list is ordered and narrowed.
type Status struct {
	Counts Counts
	// Order names the sort order ("triage ↑").
	Order string
	Query string
	// Matches are the pods left by the filter and the toggles.
	Matches                        int
	OnlyInit, OnlyFailing, Grouped bool
}

// Status reports the list's state for the header.
func (m *Model) Status() Status {
	c := m.store.counts
	l := &m.list
	return Status{
		Counts: Counts{Initializing: c.initializing, Failing: c.failing, Ready: c.ready, Total: c.total},
		Order:  l.order.String(), Query: l.query, Matches: l.stats.pods,
		OnlyInit: l.onlyInit, OnlyFailing: l.onlyFailing, Grouped: l.grouped,
	}
}

// SetSize implements view.Component: the column titles and the rows under
// them.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.help.Width = m.width
	// The filter line leaves room for its key hints.
	hint := ansi.StringWidth(m.help.ShortHelpView(m.filterHelp()))
	m.filter.Width = max(m.width-len(m.filter.Prompt)-hint-3, 8)
	m.list.setHeight(max(m.height-1, 0))
	m.relayout()
}

func (m *Model) relayout() {
	stats := m.list.stats
	stats.ctx = m.ctxW
	if m.ctxW > 0 && len(m.stale) > 0 {
		stats.ctx += len(staleMark)
	}
	m.lay = computeLayout(stats, m.width, m.now)
}

// Capturing implements view.Capturer: while the filter is edited, letters
// are text.
func (m *Model) Capturing() bool { return m.filtering }

// Footer implements view.Footer: the filter being edited and its keys.
func (m *Model) Footer() (string, bool) {
	if !m.filtering {
		return "", false
	}
	return m.filter.View() + "  " + m.help.ShortHelpView(m.filterHelp()), true
}

// Update implements view.Component. Keys that open another view (a pod's
// detail, the rollouts) are the root model's; the list takes the rest.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if m.filtering {
			return m.filterKey(msg)
		}
		m.listKey(msg)
	case tea.MouseMsg:
		m.mouse(msg)
	}
	return nil
}

func (m *Model) listKey(msg tea.KeyMsg) {
	g, k, l := &m.keys.Global, &m.keys.List, &m.list
	switch {
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.filter.SetValue(l.query)
		m.filter.CursorEnd()
		m.filter.Focus()
	case key.Matches(msg, g.Back):
		if l.query != "" {
			m.filter.SetValue("")
			l.setQuery("")
			m.relayout()
		}
	case key.Matches(msg, k.OnlyInit):
		l.onlyInit = !l.onlyInit
		m.rebuild()
	case key.Matches(msg, k.OnlyFailing):
		l.onlyFailing = !l.onlyFailing
		m.rebuild()
	case key.Matches(msg, k.GroupByOwner):
		l.grouped = !l.grouped
		m.rebuild()
	case key.Matches(msg, k.SortNext):
		l.setOrder(l.order.next())
		m.relayout()
	case key.Matches(msg, k.SortReverse):
		o := l.order
		o.reverse = !o.reverse
		l.setOrder(o)
		m.relayout()
	default:
		m.navigate(msg)
	}
}

func (m *Model) rebuild() {
	m.list.rebuild()
	m.relayout()
}

// navigate moves the cursor; it reports whether msg was a move.
func (m *Model) navigate(msg tea.KeyMsg) bool {
	n, l := &m.keys.List.Nav, &m.list
	switch {
	case key.Matches(msg, n.Up):
		l.move(-1)
	case key.Matches(msg, n.Down):
		l.move(1)
	case key.Matches(msg, n.PageUp):
		l.page(-1)
	case key.Matches(msg, n.PageDown):
		l.page(1)
	case key.Matches(msg, n.Top):
		l.top()
	case key.Matches(msg, n.Bottom):
		l.bottom()
	default:
		return false
	}
	return true
}

// filterKey edits the filter; the list follows every keystroke. The arrow
// and page keys still move the cursor (letters are text here).
func (m *Model) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Filter.Accept):
		m.filtering = false
		m.filter.Blur()
		return nil
	case key.Matches(msg, m.keys.Filter.Clear):
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.list.setQuery("")
		m.relayout()
		return nil
	}
	switch msg.Type {
	case tea.KeyUp:
		m.list.move(-1)
		return nil
	case tea.KeyDown:
		m.list.move(1)
		return nil
	case tea.KeyPgUp:
		m.list.page(-1)
		return nil
	case tea.KeyPgDown:
		m.list.page(1)
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if q := strings.TrimSpace(m.filter.Value()); q != m.list.query {
		m.list.setQuery(q)
		m.relayout()
	}
	return cmd
}

// mouse scrolls with the wheel and selects with a click; Y counts from the
// view's first line, the column titles.
func (m *Model) mouse(msg tea.MouseMsg) {
	if msg.Action != tea.MouseActionPress {
		return
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.list.scroll(-wheelRows)
	case tea.MouseButtonWheelDown:
		m.list.scroll(wheelRows)
	case tea.MouseButtonLeft:
		m.list.selectScreenRow(msg.Y - 1)
	}
}

// ShortHelp implements help.KeyMap: the footer. The list is the view the
// program opens on, with no view to go back to, so it places the global
// keys itself.
func (m *Model) ShortHelp() []key.Binding {
	l := &m.keys.List
	return []key.Binding{
		l.Up, l.Down, l.Open, l.Filter, l.OnlyInit, l.OnlyFailing, l.GroupByOwner,
		l.SortNext, m.keys.Global.Help, m.keys.Global.Quit,
	}
}

// FullHelp implements help.KeyMap: the `?` overlay, one column per topic.
func (m *Model) FullHelp() [][]key.Binding {
	km := m.keys
	l := &km.List
	return [][]key.Binding{
		{l.Up, l.Down, l.PageUp, l.PageDown, l.Top, l.Bottom},
		{l.Open, l.Logs, l.PreviousLogs, l.Filter, km.Filter.Accept, km.Filter.Clear, km.Global.Back},
		{l.OnlyInit, l.OnlyFailing, l.GroupByOwner, l.SortNext, l.SortReverse, l.Rollouts, km.Global.Help, km.Global.Quit},
	}
}

// filterHelp is the footer hint while typing a filter.
func (m *Model) filterHelp() []key.Binding {
	return []key.Binding{m.keys.Filter.Accept, m.keys.Filter.Clear}
}

// View implements view.Component: the column titles and the rows on
// screen, at most the height given.
func (m *Model) View() string {
	return strings.Join(m.Lines(), "\n")
}

// Lines is View as lines, for the root model, which assembles the screen
// line by line: the list draws exactly its cells, so they need no
// clipping.
func (m *Model) Lines() []string {
	body := m.height
	if body <= 0 {
		return nil
	}
	var b strings.Builder
	renderColumnHeader(&b, &m.lay, m.th.ColumnHeader)
	lines := make([]string, 0, body)
	lines = append(lines, b.String())
	l := &m.list
	rows := l.visible()
	if len(rows) == 0 && body > 1 {
		lines = append(lines, m.th.Muted.Render(ansi.Truncate(m.emptyText(), m.width, view.Ellipsis)))
	}
	for i, r := range rows {
		if len(lines) == body {
			break
		}
		b.Reset()
		sel := l.offset+i == l.cursor
		st := &m.rowStyle
		if sel {
			st = &m.selStyle
		}
		if r.pod != nil {
			stale := len(m.stale) > 0 && m.stale[r.pod.key.Context]
			renderPodRow(&b, r.pod, l.highlightOf(r.pod), &m.lay, st, m.now, m.width, sel, stale)
		} else {
			renderGroupRow(&b, r.group, st, m.width, sel)
		}
		lines = append(lines, b.String())
	}
	return lines
}

// emptyText explains an empty list.
func (m *Model) emptyText() string {
	switch {
	case !m.synced && m.store.counts.total == 0:
		return "Waiting for the pod list…"
	case m.store.counts.total == 0:
		return "No pods in scope."
	case m.list.query != "":
		return fmt.Sprintf("No pod matches /%s.", m.list.query)
	}
	return "No pod matches the toggles (i: initializing, f: failing)."
}

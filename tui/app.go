// Package tui is initwatch's terminal UI, built on Bubble Tea.
//
// The root model (App) owns a store of every pod in scope, the pod list with
// its filter, toggles, order and grouping, the header and footer, and the
// pod detail view. Data flows one way: a kube.PodSource produces batches,
// Feed hands them to the program, Update folds them into the store and
// re-sorts and re-filters what changed, and View draws only the rows on
// screen. The cluster is reached only through the interfaces of package kube.
package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/detail"
	"github.com/initwatch/initwatch/tui/logs"
	"github.com/initwatch/initwatch/tui/osc52"
	"github.com/initwatch/initwatch/tui/rollouts"
	"github.com/initwatch/initwatch/tui/view"
)

// Options configure the terminal UI.
type Options struct {
	// Source delivers the pods and events of the scope (required by Run).
	Source kube.PodSource
	// Logs opens container log streams for the detail view's logs pane;
	// nil leaves the pane saying which `kubectl logs` to run.
	Logs kube.LogSource
	// LogOptions configure the logs pane (tail, buffer, toggles); its zero
	// Now means the Now below.
	LogOptions logs.Options
	// Theme styles everything; the zero Theme means themes.Dark().
	Theme themes.Theme
	// Keys are the key bindings; the zero KeyMap means keymap.Default().
	Keys keymap.KeyMap
	// Now is the clock (fixed in tests); nil means time.Now.
	Now func() time.Time
	// Context, Cluster and Scope are shown in the header: the kubeconfig
	// context and cluster names, and the namespaces watched ("" for all).
	Context, Cluster, Scope string
	// Contexts are the kubeconfig contexts shown together, when there are
	// several (the batches then name their cluster, Batch.Context): the
	// list gets a CONTEXT column and the header each cluster's state.
	Contexts []string
	// AgeInterval is how often ages on screen are refreshed; zero means
	// every second, the resolution of kubectl's youngest ages.
	AgeInterval time.Duration
	// Clipboard takes what the rollouts view's copy key copies; Run sets
	// it to OSC 52 on the terminal, nil makes a copy say it cannot.
	Clipboard rollouts.Clipboard
}

// viewID names the view on screen.
type viewID int

const (
	viewList viewID = iota
	viewDetail
	viewRollouts
)

// wheelRows is how far one mouse wheel notch scrolls the list.
const wheelRows = 3

// App is the root model of the program.
type App struct {
	// Bubble Tea copies the model on every message (by value, and onto the
	// heap as a tea.Model), so whatever is big is held by pointer and
	// shared by the copies, as store and list are: inline, the options,
	// theme, keys, detail view, help and filter line made App 66 KB, a
	// copy per watch batch and per keystroke (bench/tuiscale).
	opts *Options // defaults filled in
	th   *themes.Theme
	keys *keymap.KeyMap
	// Row styles, plain and under the cursor, built once.
	rowStyle, selStyle rowStyles
	help               *help.Model
	// listFooter is the list's short help, drawn once per width.
	listFooter string

	store *podStore
	list  *podList
	lay   layout

	filter    *textinput.Model
	filtering bool

	context, cluster, scope string // sanitized
	conn                    kube.ConnState
	// clusters are the contexts shown together, in the order given, with
	// their connection states; nil for one cluster.
	clusters      []clusterConn
	synced        bool
	now           time.Time
	width, height int
	showHelp      bool

	// The views besides the list, behind view.Component: active picks
	// the one on screen, detailFrom the one esc goes back to.
	detail     *view.Box[detail.Model]
	rollouts   *rollouts.Model
	active     viewID
	detailFrom viewID
	detailKey  kube.PodKey
	// owners are the pods' owners (Deployments, ReplicaSets, ...) as the
	// source reports them, for the rollouts view's resolution.
	owners *rollout.Owners
	// summ keeps the rollouts summary up to date, pod by pod, while the
	// rollouts view (or a detail opened from it) is on screen; nil
	// otherwise, so the list alone pays nothing for it.
	summ *rollout.Summarizer
	// detailShown is the pod version last given to the detail view.
	detailShown *corev1.Pod

	err error
	// settleMemory makes the first synced batch tune the collector for the
	// steady state (memory.go); Run sets it, tests leave the process alone.
	settleMemory bool
}

// tickMsg refreshes the clock, so ages on screen advance.
type tickMsg time.Time

// detailFlushMsg makes the detail view hand over commands it queued during
// SetPod (its logs pane following a new init container).
type detailFlushMsg struct{}

// NewApp builds the root model. Run uses it; tests drive it with teatest.
func NewApp(opts Options) App {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Theme.Name == "" {
		opts.Theme = themes.Dark()
	}
	if len(opts.Keys.Global.Quit.Keys()) == 0 {
		opts.Keys = keymap.Default()
	}
	if opts.AgeInterval <= 0 {
		opts.AgeInterval = time.Second
	}
	o := &opts
	d := detail.New(opts.Theme, opts.Keys, opts.Now)
	helpModel, filter := view.NewHelp(opts.Theme), newFilterInput(opts.Theme)
	a := App{
		opts:     o,
		th:       &o.Theme,
		keys:     &o.Keys,
		rowStyle: newRowStyles(opts.Theme, false),
		selStyle: newRowStyles(opts.Theme, true),
		help:     &helpModel,
		store:    newPodStore(),
		list:     &podList{order: sortOrder{key: defaultSortKey}},
		filter:   &filter,
		context:  view.CellText(opts.Context),
		cluster:  view.CellText(opts.Cluster),
		scope:    view.CellText(opts.Scope),
		now:      opts.Now(),
		detail:   &view.Box[detail.Model]{M: d},
		owners:   rollout.NewOwners(),
	}
	if len(opts.Contexts) > 1 {
		names := shortContexts(opts.Contexts)
		a.store.ctxNames = names
		for _, c := range opts.Contexts {
			a.clusters = append(a.clusters, clusterConn{context: names[c]})
		}
	}
	a.rollouts = rollouts.New(a.th, a.keys, opts.Clipboard)
	a.list.owners = a.owners
	if opts.Logs != nil {
		lo := opts.LogOptions
		if lo.Now == nil {
			lo.Now = opts.Now
		}
		a.detail.M = a.detail.M.SetLogs(logs.New(opts.Logs, opts.Theme, opts.Keys, lo))
	}
	a.relayout()
	return a
}

// Init starts the clock that advances ages.
func (a App) Init() tea.Cmd { return a.tick() }

func (a App) tick() tea.Cmd {
	return tea.Tick(a.opts.AgeInterval, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Err is the fatal error that stopped the program, if any.
func (a App) Err() error { return a.err }

// Update folds a message into the model.
func (a App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := a.update(msg)
	// Whatever changed, the rows now on screen get their filter highlights
	// here, so View has nothing to compute.
	m.list.highlightVisible()
	return m, cmd
}

func (a App) update(msg tea.Msg) (App, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.resize(msg.Width, msg.Height)
		return a, nil
	case BatchMsg:
		return a.applyBatch(msg)
	case SourceStoppedMsg:
		if msg.Err != nil {
			a.err = msg.Err
			return a, tea.Quit
		}
		a.conn = kube.ConnState{Phase: kube.ConnReconnecting, Err: "watch stopped", Since: a.opts.Now()}
		return a, nil
	case tickMsg:
		a.now = a.opts.Now()
		a.relayout()
		var cmd tea.Cmd
		if a.active == viewDetail && a.detailShown != nil {
			// The detail view dates everything when it renders its panes.
			a.refreshDetail()
			cmd = a.flushDetail()
		}
		if a.active == viewRollouts {
			// How long rollouts have run, and whether they still move.
			a.refreshRollouts()
		}
		return a, tea.Batch(a.tick(), cmd)
	case tea.KeyMsg:
		return a.handleKey(msg)
	case tea.MouseMsg:
		return a.handleMouse(msg)
	case rollouts.OpenPodMsg:
		return a.openFromRollouts(msg)
	case rollouts.CopiedMsg:
		return a, a.rollouts.Update(msg)
	}
	// Anything else belongs to the detail view (its log stream).
	return a, a.detail.Update(msg)
}

// detailOpen reports whether the pod detail view is on screen.
func (a *App) detailOpen() bool { return a.active == viewDetail }

// openRollouts shows the rollouts view: a summarizer digests every pod
// once, then only the pods each batch changes.
func (a *App) openRollouts() {
	a.active = viewRollouts
	a.summ = rollout.NewSummarizer(a.owners, rollout.Options{})
	for _, p := range a.store.allPods() {
		a.summ.Upsert(p)
	}
	a.refreshRollouts()
}

// closeRollouts goes back to the pod list and drops the summarizer.
func (a *App) closeRollouts() {
	a.active = viewList
	a.summ = nil
}

// summarize folds a batch's pod changes into the summarizer.
func (a *App) summarize(res *applyResult) {
	if a.summ == nil {
		return
	}
	for _, e := range res.removed {
		a.summ.Remove(model.ContextOf(e.pod), e.key.Namespace, e.key.Name)
	}
	for _, e := range res.changed {
		a.summ.Upsert(e.pod)
	}
}

// refreshRollouts gives the rollouts view the summary now; it is computed
// here, in Update, never in View.
func (a *App) refreshRollouts() {
	if a.summ == nil {
		return
	}
	a.rollouts.SetSummary(a.summ.Summary(a.now), a.synced, a.now)
}

// openFromRollouts opens the pod the rollouts view names in the detail
// view; esc comes back to the rollouts view.
func (a App) openFromRollouts(msg rollouts.OpenPodMsg) (App, tea.Cmd) {
	key := kube.PodKey{Namespace: msg.Pod.Namespace, Name: msg.Pod.Name}
	if a.store.pods[key] == nil {
		return a, nil
	}
	a.detailKey = key
	a.detailFrom = viewRollouts
	a.active = viewDetail
	a.focusEvents(key)
	a.refreshDetail()
	if !msg.Logs {
		return a, a.flushDetail()
	}
	var cmd tea.Cmd
	a.detail.M, cmd = a.detail.M.ShowLogs(msg.Previous)
	return a, tea.Batch(cmd, a.flushDetail())
}

// frame splits the height: header lines, body lines, footer lines.
func (a *App) frame() (header, body, footer int) {
	h := a.height
	if h >= 2 {
		footer = 1
	}
	switch {
	case h >= 8:
		header = 2
	case h >= 4:
		header = 1
	}
	return header, max(h-header-footer, 0), footer
}

// listRows is how many pod rows fit under the column titles.
func (a *App) listRows() int {
	_, body, _ := a.frame()
	return max(body-1, 0)
}

func (a *App) resize(w, h int) {
	a.width, a.height = max(w, 0), max(h, 0)
	a.help.Width = a.width
	a.listFooter = ansi.Truncate(a.help.ShortHelpView(listShortHelp(a.keys)), a.width, view.Ellipsis)
	// The filter line leaves room for its key hints.
	hint := ansi.StringWidth(a.help.ShortHelpView(filterShortHelp(a.keys)))
	a.filter.Width = max(a.width-len(a.filter.Prompt)-hint-3, 8)
	a.list.setHeight(a.listRows())
	_, body, _ := a.frame()
	a.detail.SetSize(a.width, body)
	a.rollouts.SetSize(a.width, body)
	a.relayout()
}

func (a *App) relayout() {
	stats := a.list.stats
	stats.ctx = ctxWidth(a.clusters)
	a.lay = computeLayout(stats, a.width, a.now)
}

// clusterOf returns the state of a context shown with others, nil for one
// cluster or an unknown context.
func (a *App) clusterOf(ctx string) *clusterConn {
	if ctx == "" || len(a.clusters) == 0 {
		return nil
	}
	i := slices.Index(a.opts.Contexts, ctx)
	if i < 0 {
		return nil
	}
	return &a.clusters[i]
}

func (a App) applyBatch(msg BatchMsg) (App, tea.Cmd) {
	at := msg.At
	if at.IsZero() {
		at = a.opts.Now()
	}
	a.now = at
	res := a.store.apply(msg.Batch, at)
	cl := a.clusterOf(msg.Batch.Context)
	if c := msg.Batch.Conn; c != nil {
		// Errors quote the server; sanitize once here, not every frame.
		conn := *c
		conn.Err = view.CellText(c.Err)
		conn.Forbidden = make([]string, len(c.Forbidden))
		for i, ns := range c.Forbidden {
			conn.Forbidden[i] = view.CellText(ns)
		}
		if cl != nil {
			cl.conn = conn
		} else {
			a.conn = conn
		}
	}
	if cl != nil && msg.Batch.Synced {
		cl.synced = true
	}
	ownersChanged := a.applyOwners(&msg.Batch)
	var settle tea.Cmd
	if msg.Batch.Synced {
		if !a.synced && a.settleMemory {
			settle = settleMemory
		}
		a.synced = true
	}
	a.list.applyChanges(res)
	if ownersChanged && a.list.grouped {
		// Pods may now resolve to other workloads or revisions.
		a.list.rebuild()
	}
	a.relayout()
	a.summarize(&res)
	if a.active == viewRollouts {
		a.refreshRollouts()
	}
	if a.active != viewDetail {
		return a, settle
	}
	cur := a.store.pods[a.detailKey]
	switch {
	case cur == nil && a.detailShown != nil:
		a.detail.M = a.detail.M.SetPod(nil, nil, nil)
		a.detailShown = nil
	case cur != nil && (cur.pod != a.detailShown || res.eventsOf[a.detailKey]):
		a.refreshDetail()
	default:
		return a, settle
	}
	return a, tea.Batch(settle, a.flushDetail())
}

// refreshDetail gives the detail view the current version of its pod, its
// events and its history.
func (a *App) refreshDetail() {
	e := a.store.pods[a.detailKey]
	if e == nil {
		return
	}
	a.detail.M = a.detail.M.SetPod(e.pod, a.store.eventsFor(e), e.history.Transitions())
	a.detailShown = e.pod
}

func (a *App) flushDetail() tea.Cmd {
	return a.detail.Update(detailFlushMsg{})
}

// applyOwners folds the batch's owners into the owners store; it reports
// whether anything changed.
func (a *App) applyOwners(b *kube.Batch) bool {
	for _, o := range b.Owners {
		a.owners.Upsert(o)
	}
	for _, k := range b.OwnersRemoved {
		a.owners.Remove(k)
	}
	if b.OwnerAccess != nil {
		a.owners.SetAccess(*b.OwnerAccess)
	}
	return len(b.Owners) > 0 || len(b.OwnersRemoved) > 0 || b.OwnerAccess != nil
}

// openDetail drills into the pod under the cursor.
func (a *App) openDetail() bool {
	e := a.list.selPod
	if e == nil {
		return false
	}
	// The user chose this pod: back on the list, the cursor is still on
	// it, wherever triage moved it meanwhile.
	a.list.moved = true
	a.active = viewDetail
	a.detailFrom = viewList
	a.detailKey = e.key
	a.focusEvents(e.key)
	a.refreshDetail()
	return true
}

// focusEvents tells a source that watches one pod's events at a time
// (kube.Options.FocusedEvents) whose the detail shows; the zero key: none.
func (a *App) focusEvents(key kube.PodKey) {
	if f, ok := a.opts.Source.(kube.EventFocuser); ok {
		f.FocusEvents(key)
	}
}

func (a App) closeDetail() (App, tea.Cmd) {
	var cmd tea.Cmd
	a.detail.M, cmd = a.detail.M.Close()
	a.active = a.detailFrom
	a.detailShown = nil
	a.focusEvents(kube.PodKey{})
	if a.active == viewRollouts {
		a.refreshRollouts()
	}
	return a, cmd
}

func (a App) handleKey(msg tea.KeyMsg) (App, tea.Cmd) {
	g := &a.keys.Global
	if msg.Type == tea.KeyCtrlC {
		return a, tea.Quit
	}
	switch {
	case a.showHelp:
		switch {
		case key.Matches(msg, g.Quit):
			return a, tea.Quit
		case key.Matches(msg, g.Help), key.Matches(msg, g.Back):
			a.showHelp = false
		}
		return a, nil
	case a.filtering:
		return a.handleFilterKey(msg)
	case a.active == viewRollouts:
		switch {
		case key.Matches(msg, g.Quit):
			return a, tea.Quit
		case key.Matches(msg, g.Back):
			if !a.rollouts.Back() {
				a.closeRollouts()
			}
			return a, nil
		case key.Matches(msg, g.Help):
			a.showHelp = true
			return a, nil
		}
		return a, a.rollouts.Update(msg)
	case a.active == viewDetail:
		if !a.detail.Capturing() {
			switch {
			case key.Matches(msg, g.Quit):
				return a, tea.Quit
			case key.Matches(msg, g.Back):
				return a.closeDetail()
			case key.Matches(msg, g.Help):
				a.showHelp = true
				return a, nil
			}
		}
		return a, a.detail.Update(msg)
	}
	return a.handleListKey(msg)
}

func (a App) handleListKey(msg tea.KeyMsg) (App, tea.Cmd) {
	g, l, list := &a.keys.Global, &a.keys.List, a.list
	switch {
	case key.Matches(msg, g.Quit):
		return a, tea.Quit
	case key.Matches(msg, g.Help):
		a.showHelp = true
	case key.Matches(msg, l.Filter):
		a.filtering = true
		a.filter.SetValue(list.query)
		a.filter.CursorEnd()
		a.filter.Focus()
	case key.Matches(msg, g.Back):
		if list.query != "" {
			a.filter.SetValue("")
			list.setQuery("")
			a.relayout()
		}
	case key.Matches(msg, l.Open):
		if a.openDetail() {
			return a, a.flushDetail()
		}
	case key.Matches(msg, l.Logs), key.Matches(msg, l.PreviousLogs):
		if a.openDetail() {
			var cmd tea.Cmd
			a.detail.M, cmd = a.detail.M.ShowLogs(key.Matches(msg, l.PreviousLogs))
			return a, tea.Batch(cmd, a.flushDetail())
		}
	case key.Matches(msg, l.Rollouts):
		a.openRollouts()
	case key.Matches(msg, l.OnlyInit):
		list.onlyInit = !list.onlyInit
		a.rebuildList()
	case key.Matches(msg, l.OnlyFailing):
		list.onlyFailing = !list.onlyFailing
		a.rebuildList()
	case key.Matches(msg, l.GroupByOwner):
		list.grouped = !list.grouped
		a.rebuildList()
	case key.Matches(msg, l.SortNext):
		list.setOrder(list.order.next())
		a.relayout()
	case key.Matches(msg, l.SortReverse):
		o := list.order
		o.reverse = !o.reverse
		list.setOrder(o)
		a.relayout()
	default:
		a.navigate(msg)
	}
	return a, nil
}

func (a *App) rebuildList() {
	a.list.rebuild()
	a.relayout()
}

// navigate moves the list cursor; it reports whether msg was a move.
func (a *App) navigate(msg tea.KeyMsg) bool {
	n, list := &a.keys.List.Nav, a.list
	switch {
	case key.Matches(msg, n.Up):
		list.move(-1)
	case key.Matches(msg, n.Down):
		list.move(1)
	case key.Matches(msg, n.PageUp):
		list.page(-1)
	case key.Matches(msg, n.PageDown):
		list.page(1)
	case key.Matches(msg, n.Top):
		list.top()
	case key.Matches(msg, n.Bottom):
		list.bottom()
	default:
		return false
	}
	return true
}

// handleFilterKey edits the filter; the list follows every keystroke. The
// arrow and page keys still move the cursor (letters are text here).
func (a App) handleFilterKey(msg tea.KeyMsg) (App, tea.Cmd) {
	switch {
	case key.Matches(msg, a.keys.Filter.Accept):
		a.filtering = false
		a.filter.Blur()
		return a, nil
	case key.Matches(msg, a.keys.Filter.Clear):
		a.filtering = false
		a.filter.Blur()
		a.filter.SetValue("")
		a.list.setQuery("")
		a.relayout()
		return a, nil
	}
	switch msg.Type {
	case tea.KeyUp:
		a.list.move(-1)
		return a, nil
	case tea.KeyDown:
		a.list.move(1)
		return a, nil
	case tea.KeyPgUp:
		a.list.page(-1)
		return a, nil
	case tea.KeyPgDown:
		a.list.page(1)
		return a, nil
	}
	var cmd tea.Cmd
	*a.filter, cmd = a.filter.Update(msg)
	if q := strings.TrimSpace(a.filter.Value()); q != a.list.query {
		a.list.setQuery(q)
		a.relayout()
	}
	return a, cmd
}

func (a App) handleMouse(msg tea.MouseMsg) (App, tea.Cmd) {
	if a.showHelp {
		return a, nil
	}
	switch a.active {
	case viewDetail:
		return a, a.detail.Update(msg)
	case viewRollouts:
		return a, a.rollouts.Update(msg)
	}
	if msg.Action != tea.MouseActionPress {
		return a, nil
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		a.list.scroll(-wheelRows)
	case tea.MouseButtonWheelDown:
		a.list.scroll(wheelRows)
	case tea.MouseButtonLeft:
		header, _, _ := a.frame()
		a.list.selectScreenRow(msg.Y - header - 1)
	}
	return a, nil
}

// View draws the screen: never more lines than the window has, never a line
// wider than it. Only rows on screen are drawn.
func (a App) View() string {
	if a.width <= 0 || a.height <= 0 {
		return ""
	}
	header, body, footer := a.frame()
	out := make([]string, 0, a.height)
	if header > 0 {
		var b strings.Builder
		h := a.headerInfo()
		renderHeader(&b, &h, a.th, a.width, header, a.now)
		out = append(out, strings.Split(b.String(), "\n")...)
	}
	var lines []string
	switch {
	case a.showHelp:
		groups := listFullHelp(a.keys)
		if c := a.component(); c != nil {
			groups = viewFullHelp(c.FullHelp(), a.keys)
		}
		lines = renderFullHelp(*a.help, groups, a.th, a.width, body)
	case a.component() != nil:
		lines = view.ClipLines(strings.Split(a.component().View(), "\n"), a.width, body)
	default:
		lines = a.listLines(body)
	}
	out = append(out, lines...)
	for i := len(lines); i < body; i++ {
		out = append(out, "")
	}
	if footer > 0 {
		out = append(out, a.footerView())
	}
	return strings.Join(out, "\n")
}

// listLines draws the column titles and the rows on screen, at most body
// lines.
func (a *App) listLines(body int) []string {
	if body <= 0 {
		return nil
	}
	var b strings.Builder
	renderColumnHeader(&b, &a.lay, a.th.ColumnHeader)
	lines := make([]string, 0, body)
	lines = append(lines, b.String())
	rows := a.list.visible()
	if len(rows) == 0 && body > 1 {
		lines = append(lines, a.th.Muted.Render(ansi.Truncate(a.emptyText(), a.width, view.Ellipsis)))
	}
	for i, r := range rows {
		if len(lines) == body {
			break
		}
		b.Reset()
		sel := a.list.offset+i == a.list.cursor
		st := &a.rowStyle
		if sel {
			st = &a.selStyle
		}
		if r.pod != nil {
			stale := false
			if c := a.clusterOf(r.pod.key.Context); c != nil {
				stale = c.stale()
			}
			renderPodRow(&b, r.pod, &a.lay, st, a.now, a.width, sel, stale)
		} else {
			renderGroupRow(&b, r.group, st, a.width, sel)
		}
		lines = append(lines, b.String())
	}
	return lines
}

// emptyText explains an empty list.
func (a *App) emptyText() string {
	switch {
	case !a.synced && a.store.counts.total == 0:
		return "Waiting for the pod list…"
	case a.store.counts.total == 0:
		return "No pods in scope."
	case a.list.query != "":
		return fmt.Sprintf("No pod matches /%s.", a.list.query)
	}
	return "No pod matches the toggles (i: initializing, f: failing)."
}

func (a *App) headerInfo() headerInfo {
	return headerInfo{
		context: a.context, cluster: a.cluster, scope: a.scope,
		conn: a.conn, synced: a.synced, counts: a.store.counts, clusters: a.clusters,
		order: a.list.order, query: a.list.query, matches: a.list.stats.pods,
		onlyInit: a.list.onlyInit, onlyFailing: a.list.onlyFailing, grouped: a.list.grouped,
	}
}

// footerView is one line of help; bubbles/help can overrun its width by one
// item, so the line is cut to the window.
func (a *App) footerView() string {
	if !a.filtering && !a.showHelp && a.active == viewList {
		return a.listFooter
	}
	return ansi.Truncate(a.footerText(), a.width, view.Ellipsis)
}

func (a *App) footerText() string {
	switch {
	case a.filtering:
		hint := a.help.ShortHelpView(filterShortHelp(a.keys))
		return a.filter.View() + "  " + hint
	case a.showHelp:
		return a.help.ShortHelpView([]key.Binding{a.keys.Global.Help, a.keys.Global.Back, a.keys.Global.Quit})
	}
	return a.help.ShortHelpView(viewShortHelp(a.component().ShortHelp(), a.keys))
}

// component is the view on screen when it is not the pod list.
func (a *App) component() view.Component {
	switch a.active {
	case viewDetail:
		return a.detail
	case viewRollouts:
		return a.rollouts
	}
	return nil
}

// Run shows the UI on the terminal until the user quits, ctx is cancelled,
// or the pod source fails for good (its error is returned). It owns one
// goroutine, Feed, which it stops before returning.
func Run(ctx context.Context, opts Options) error {
	if opts.Source == nil {
		return errors.New("tui: no pod source")
	}
	if opts.Theme.Name == "mono" && lipgloss.ColorProfile() == termenv.Ascii {
		// NO_COLOR (or a terminal without colours) chose the mono theme,
		// which tells things apart by bold and reverse video; without
		// them the cursor row would be invisible. Mono sets no colour, so
		// allowing attributes keeps NO_COLOR's promise.
		lipgloss.SetColorProfile(termenv.ANSI)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Clipboard == nil {
		// Bubble Tea draws on stdout; the copy goes to the same terminal,
		// from a command's goroutine. It cannot land inside a frame: the
		// renderer writes each frame with one Write on the same *os.File,
		// and os.File holds its write lock for the whole of a Write, so
		// the sequence falls between two frames (where an OSC, which
		// moves no cursor, is harmless).
		opts.Clipboard = osc52.New(os.Stdout, os.Getenv("TMUX") != "")
	}
	app := NewApp(opts)
	app.settleMemory = true // memory.go
	// Signals are the CLI's: SIGINT and SIGTERM cancel ctx, and the program
	// quits through it, restoring the terminal. Bubble Tea's own handler
	// would get the same signal and could block for ever sending its quit
	// message to an event loop that ctx had already ended, hanging the
	// process (e2e TestTerminalSignalsRestore).
	p := tea.NewProgram(newGuard(app), tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx),
		tea.WithoutSignalHandler())
	fed := make(chan error, 1)
	go func() { fed <- Feed(ctx, opts.Source, p, app.opts.Now) }()
	final, runErr := p.Run()
	cancel()
	<-fed
	final, crash := unguard(final, runErr) // recover.go
	if crash != nil {
		return crash
	}
	if m, ok := final.(App); ok && m.err != nil {
		return m.err
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) {
		return fmt.Errorf("terminal UI: %w", runErr)
	}
	return nil
}

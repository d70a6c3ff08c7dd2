// Package tui is initwatch's terminal UI, built on Bubble Tea.
//
// The root model (App) routes: it holds the header, the footer and the `?`
// help, picks the view on screen and hands each message to it. The views
// are packages of their own behind view.Component: the pod list
// (tui/podlist, which also keeps the store of every pod in scope), the pod
// detail with its panes (tui/detail, tui/logs) and the rollouts
// (tui/rollouts). Data flows one way: a kube.PodSource produces batches,
// Feed hands them to the program, Update gives them to the pod list, which
// re-sorts and re-filters what changed, and to the views that follow the
// pods; View draws only the rows on screen. The cluster is reached only
// through the interfaces of package kube.
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
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/detail"
	"github.com/initwatch/initwatch/tui/logs"
	"github.com/initwatch/initwatch/tui/osc52"
	"github.com/initwatch/initwatch/tui/podlist"
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

// App is the root model of the program.
type App struct {
	// Bubble Tea copies the model on every message (by value, and onto the
	// heap as a tea.Model), so whatever is big is held by pointer and
	// shared by the copies, as the views are: inline, the options, theme,
	// keys, detail view, help and filter line made App 66 KB, a copy per
	// watch batch and per keystroke (bench/tuiscale).
	opts *Options // defaults filled in
	th   *themes.Theme
	keys *keymap.KeyMap
	help *help.Model
	// listFooter is the list's short help, drawn once per width.
	listFooter string

	// list is the pod list, the view the program opens on; it keeps every
	// pod in scope for the other views too.
	list *podlist.Model

	context, cluster, scope string // sanitized
	conn                    kube.ConnState
	// clusters are the contexts shown together, in the order given, with
	// their connection states; nil for one cluster.
	clusters      []clusterConn
	synced        bool
	now           time.Time
	width, height int
	showHelp      bool

	// The views opened from the list: active picks the one on screen,
	// detailFrom the one esc goes back to.
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
	detailShown *kube.PackedPod

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
	helpModel := view.NewHelp(opts.Theme)
	a := App{
		opts:    o,
		th:      &o.Theme,
		keys:    &o.Keys,
		help:    &helpModel,
		context: view.CellText(opts.Context),
		cluster: view.CellText(opts.Cluster),
		scope:   view.CellText(opts.Scope),
		now:     opts.Now(),
		detail:  &view.Box[detail.Model]{M: d},
		owners:  rollout.NewOwners(),
	}
	var names map[string]string
	if len(opts.Contexts) > 1 {
		names = podlist.ShortContexts(opts.Contexts)
		for _, c := range opts.Contexts {
			a.clusters = append(a.clusters, clusterConn{context: names[c]})
		}
	}
	a.list = podlist.New(podlist.Options{Theme: a.th, Keys: a.keys, Owners: a.owners, ContextNames: names, Now: a.now})
	a.rollouts = rollouts.New(a.th, a.keys, opts.Clipboard)
	if opts.Logs != nil {
		lo := opts.LogOptions
		if lo.Now == nil {
			lo.Now = opts.Now
		}
		a.detail.M = a.detail.M.SetLogs(logs.New(opts.Logs, opts.Theme, opts.Keys, lo))
	}
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
		a.list.SetNow(a.now)
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
	for p := range a.list.AllPods() {
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
func (a *App) summarize(res *podlist.Applied) {
	if a.summ == nil {
		return
	}
	for key, pod := range res.Removed() {
		a.summ.Remove(model.ContextOf(pod), key.Namespace, key.Name)
	}
	for pod := range res.Changed() {
		a.summ.Upsert(pod)
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
	if a.list.Version(key) == nil {
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

func (a *App) resize(w, h int) {
	a.width, a.height = max(w, 0), max(h, 0)
	a.help.Width = a.width
	a.listFooter = ansi.Truncate(a.help.ShortHelpView(a.list.ShortHelp()), a.width, view.Ellipsis)
	_, body, _ := a.frame()
	a.list.SetSize(a.width, body)
	a.detail.SetSize(a.width, body)
	a.rollouts.SetSize(a.width, body)
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
			a.list.SetStale(msg.Batch.Context, cl.stale())
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
	res := a.list.Apply(&msg.Batch, at, ownersChanged)
	a.summarize(&res)
	if a.active == viewRollouts {
		a.refreshRollouts()
	}
	if a.active != viewDetail {
		return a, settle
	}
	cur := a.list.Version(a.detailKey)
	switch {
	case cur == nil && a.detailShown != nil:
		a.detail.M = a.detail.M.SetPod(nil, nil, nil)
		a.detailShown = nil
	case cur != nil && (cur != a.detailShown || res.EventsChanged(a.detailKey)):
		a.refreshDetail()
	default:
		return a, settle
	}
	return a, tea.Batch(settle, a.flushDetail())
}

// refreshDetail gives the detail view the current version of its pod, its
// events and its history.
func (a *App) refreshDetail() {
	pod, events, history, ok := a.list.Detail(a.detailKey)
	if !ok {
		return
	}
	a.detail.M = a.detail.M.SetPod(pod, events, history)
	a.detailShown = a.list.Version(a.detailKey)
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
	key, ok := a.list.Choose()
	if !ok {
		return false
	}
	a.active = viewDetail
	a.detailFrom = viewList
	a.detailKey = key
	a.focusEvents(key)
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
	if a.showHelp {
		switch {
		case key.Matches(msg, g.Quit):
			return a, tea.Quit
		case key.Matches(msg, g.Help), key.Matches(msg, g.Back):
			a.showHelp = false
		}
		return a, nil
	}
	c := a.component()
	if t, ok := c.(view.Capturer); ok && t.Capturing() {
		// A text field is being edited: every key is text.
		return a, c.Update(msg)
	}
	if a.active == viewList {
		return a.handleListKey(msg)
	}
	switch {
	case key.Matches(msg, g.Quit):
		return a, tea.Quit
	case key.Matches(msg, g.Back):
		return a.back()
	case key.Matches(msg, g.Help):
		a.showHelp = true
		return a, nil
	}
	return a, c.Update(msg)
}

// back leaves the view on screen for the one it was opened from, unless
// the view has a step of its own to go back (the rollouts view's list of
// a signature's pods).
func (a App) back() (App, tea.Cmd) {
	switch a.active {
	case viewDetail:
		return a.closeDetail()
	case viewRollouts:
		if !a.rollouts.Back() {
			a.closeRollouts()
		}
	}
	return a, nil
}

// handleListKey picks the view the list's keys open; the list takes
// every other key.
func (a App) handleListKey(msg tea.KeyMsg) (App, tea.Cmd) {
	g, l := &a.keys.Global, &a.keys.List
	switch {
	case key.Matches(msg, g.Quit):
		return a, tea.Quit
	case key.Matches(msg, g.Help):
		a.showHelp = true
	case key.Matches(msg, l.Filter), key.Matches(msg, g.Back):
		// The list's own, before the keys that open views should a
		// config bind one key to both.
		return a, a.list.Update(msg)
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
	default:
		return a, a.list.Update(msg)
	}
	return a, nil
}

func (a App) handleMouse(msg tea.MouseMsg) (App, tea.Cmd) {
	if a.showHelp {
		return a, nil
	}
	// Views count lines from their own first one, under the header.
	header, _, _ := a.frame()
	msg.Y -= header
	return a, a.component().Update(msg)
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
		groups := a.list.FullHelp()
		if a.active != viewList {
			groups = viewFullHelp(a.component().FullHelp(), a.keys)
		}
		lines = renderFullHelp(*a.help, groups, a.th, a.width, body)
	case a.active == viewList:
		// The list draws exactly its cells, line by line.
		lines = a.list.Lines()
	default:
		lines = view.ClipLines(strings.Split(a.component().View(), "\n"), a.width, body)
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

func (a *App) headerInfo() headerInfo {
	return headerInfo{
		context: a.context, cluster: a.cluster, scope: a.scope,
		conn: a.conn, synced: a.synced, clusters: a.clusters, list: a.list.Status(),
	}
}

// footerView is one line of help; bubbles/help can overrun its width by one
// item, so the line is cut to the window.
func (a *App) footerView() string {
	if a.showHelp {
		return ansi.Truncate(a.help.ShortHelpView([]key.Binding{a.keys.Global.Help, a.keys.Global.Back, a.keys.Global.Quit}), a.width, view.Ellipsis)
	}
	c := a.component()
	if f, ok := c.(view.Footer); ok {
		if line, ok := f.Footer(); ok {
			return ansi.Truncate(line, a.width, view.Ellipsis)
		}
	}
	if a.active == viewList {
		return a.listFooter
	}
	return ansi.Truncate(a.help.ShortHelpView(viewShortHelp(c.ShortHelp(), a.keys)), a.width, view.Ellipsis)
}

// component is the view on screen.
func (a *App) component() view.Component {
	switch a.active {
	case viewDetail:
		return a.detail
	case viewRollouts:
		return a.rollouts
	}
	return a.list
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
		// Frames go to stdout; the copy goes to the same terminal, from a
		// command's goroutine. It cannot land inside a frame: the painter
		// (and Bubble Tea's renderer, on Windows) writes each frame with
		// one Write on the same *os.File, and os.File holds its write lock
		// for the whole of a Write, so the sequence falls between two
		// frames (where an OSC, which moves no cursor, is harmless).
		opts.Clipboard = osc52.New(os.Stdout, os.Getenv("TMUX") != "")
	}
	app := NewApp(opts)
	app.settleMemory = startMemory()                  // memory.go
	startProcs()                                      // procs.go
	p, watchSize, closeScreen := newProgram(ctx, app) // screen.go
	fed := make(chan error, 1)
	go func() { fed <- Feed(ctx, opts.Source, p, app.opts.Now) }()
	sized := make(chan struct{})
	go func() { defer close(sized); watchSize(ctx, p.Send) }()
	final, runErr := p.Run()
	cancel()
	<-fed
	<-sized
	if err := closeScreen(); err != nil && runErr == nil {
		runErr = err
	}
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

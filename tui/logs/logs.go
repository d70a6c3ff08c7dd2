package logs

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
)

// Defaults of Options.
const (
	DefaultTailLines   = 200
	DefaultBufferLines = 10000
)

// logTailSteps are the initial tails + and - step through.
var logTailSteps = []int64{10, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000}

// Options configure a logs pane. Zero values mean the defaults.
type Options struct {
	// TailLines is how many lines of a run are fetched when a stream
	// starts (kubectl logs --tail); negative means the whole run, still
	// bounded by BufferLines.
	TailLines int64
	// BufferLines bounds the lines kept (a ring buffer).
	BufferLines int
	// Now is the clock (tests fix it).
	Now func() time.Time
	// RetryDelay is the wait before reconnection attempt n (0-based).
	RetryDelay func(attempt int) time.Duration
	// Container, if set, pins the pane to that container instead of the
	// active init container.
	Container string
	// Previous starts with the previous run (kubectl logs -p).
	Previous bool
	// Timestamps, NoWrap and Colors set the initial toggles.
	Timestamps bool
	NoWrap     bool
	Colors     bool
}

// logPhase is where the pane's stream stands, shown in its status line.
type logPhase uint8

const (
	logPhaseIdle       logPhase = iota // hidden, or nothing to show
	logPhaseWaiting                    // the container has no log yet; waiting for it to start
	logPhaseConnecting                 // a stream is being opened
	logPhaseStreaming                  // lines flow
	logPhaseEnded                      // the run is over; waiting for a restart
	logPhaseRetrying                   // the stream broke; reconnecting after a delay
)

// Model is the logs pane of the pod detail view: it follows the active
// init container of one pod (or the container the user picked), keeps the
// last BufferLines lines, reconnects when the stream breaks or the container
// restarts, and shows the lines sanitized, searchable and scrollable.
//
// Only a focused pane has a stream open: the owner calls Focus when the
// pane becomes visible and Blur when it is hidden or the pod is left.
type Model struct {
	src  kube.LogSource
	th   themes.Theme
	km   keymap.KeyMap
	opts Options

	width, height int
	focused       bool

	pod      *corev1.Pod
	target   string // container shown
	pinned   bool   // picked by the user rather than followed
	previous bool   // showing the last terminated run
	tail     int64

	timestamps, wrap, colors bool

	// follow is autoscroll: the view sticks to the newest line. Scrolling
	// up clears it; reaching the bottom sets it again.
	follow bool
	top    logAnchor // first row shown when not following
	unseen int       // lines that arrived while paused

	buf *LogBuffer
	s   *logSession

	phase logPhase
	note  string // what the status line says about the phase

	search logSearch
	picker logPicker
}

// New returns a logs pane reading from src. It opens nothing until it
// has a pod (SetPod) and is focused (Focus).
func New(src kube.LogSource, th themes.Theme, km keymap.KeyMap, opts Options) Model {
	if opts.TailLines == 0 {
		opts.TailLines = DefaultTailLines
	}
	if opts.BufferLines <= 0 {
		opts.BufferLines = DefaultBufferLines
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryDelay == nil {
		opts.RetryDelay = logRetryDelay
	}
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "search"
	ti.CharLimit = 256
	return Model{
		src:        src,
		th:         th,
		km:         km,
		opts:       opts,
		target:     opts.Container,
		pinned:     opts.Container != "",
		previous:   opts.Previous,
		tail:       opts.TailLines,
		timestamps: opts.Timestamps,
		wrap:       !opts.NoWrap,
		colors:     opts.Colors,
		follow:     true,
		buf:        NewLogBuffer(opts.BufferLines),
		s:          &logSession{},
		search:     logSearch{input: ti},
	}
}

// SetSize sets the pane's outer size.
func (m Model) SetSize(w, h int) Model {
	m.width, m.height = max(w, 1), max(h, 1)
	return m
}

// Container is the container the pane shows, "" before a pod is set.
func (m Model) Container() string { return m.target }

// Capturing reports whether the pane consumes every key (the search field
// or the container picker is open), so the owner must not act on keys like
// esc or q itself.
func (m Model) Capturing() bool { return m.search.editing || m.picker.open }

// SetPod is called with every version of the pod shown (nil when it is
// gone). It picks the container to follow, opens the stream once that
// container has started, and reconnects when it restarts.
func (m Model) SetPod(pod *corev1.Pod) (Model, tea.Cmd) {
	if pod == nil {
		m.s.close()
		m.pod = nil
		m.setPhase(logPhaseIdle, "pod gone")
		return m, nil
	}
	if m.pod != nil && (m.pod.UID != pod.UID || m.pod.Namespace != pod.Namespace || m.pod.Name != pod.Name) {
		// Another pod (or the same name recreated): nothing carries over.
		m.s.close()
		m.clear()
		if !m.pinned || logHasContainer(pod, m.target) == "" {
			m.pinned, m.target = false, ""
		}
	}
	m.pod = pod
	want := m.target
	if !m.pinned || want == "" {
		want = logActiveContainer(pod, m.opts.Now())
	}
	if want != m.target {
		m.target = want
		m.clear()
		return m, m.connect()
	}
	if !m.focused {
		return m, nil
	}
	return m, m.podChanged()
}

// logHasContainer returns name if pod has a container so named.
func logHasContainer(pod *corev1.Pod, name string) string {
	if logRoleOf(pod, name) != "" {
		return name
	}
	return ""
}

// podChanged reacts to a new version of the same pod and container.
func (m *Model) podChanged() tea.Cmd {
	switch m.phase {
	case logPhaseIdle, logPhaseWaiting:
		// connect checks again whether the container has started.
		return m.connect()
	}
	rc := logRestartCount(logContainerStatus(m.pod, m.target))
	if m.s.haveRun && rc != m.s.run && m.s.conn.purpose != logPurposeFill {
		return m.restarted(rc)
	}
	return nil
}

// Focus opens the stream: the pane became visible.
func (m Model) Focus() (Model, tea.Cmd) {
	if m.focused {
		return m, nil
	}
	m.focused = true
	return m, m.connect()
}

// Blur closes the stream: the pane is hidden or the pod was left. The
// buffer is kept, and the next Focus resumes after its last line.
func (m Model) Blur() Model {
	m.focused = false
	m.s.close()
	m.search.editing = false
	m.picker.open = false
	m.setPhase(logPhaseIdle, "")
	return m
}

// SetPrevious switches between the current run and the previous one, for
// owners that bind their own key to it (kubectl logs -p).
func (m Model) SetPrevious(previous bool) (Model, tea.Cmd) {
	if m.previous == previous {
		return m, nil
	}
	m.previous = previous
	m.clear()
	return m, m.connect()
}

// clear forgets the lines shown and how far the stream got.
func (m *Model) clear() {
	m.s.close()
	m.buf.Reset()
	m.s.dedupe.reset()
	m.s.haveRun, m.s.newRun, m.s.attempts = false, false, 0
	m.follow, m.top, m.unseen = true, logAnchor{}, 0
	m.search.matches, m.search.current = nil, -1
	m.setPhase(logPhaseIdle, "")
}

func (m *Model) setPhase(p logPhase, note string) {
	m.phase, m.note = p, note
}

// connect opens the stream the pane should show now, or explains why not.
func (m *Model) connect() tea.Cmd {
	m.s.close()
	if !m.focused || m.pod == nil || m.target == "" {
		m.setPhase(logPhaseIdle, "")
		return nil
	}
	cs := logContainerStatus(m.pod, m.target)
	rc := logRestartCount(cs)
	if m.s.haveRun && rc != m.s.run {
		// The container restarted while nothing was streaming (the pane
		// was hidden, or waiting): close the run shown first.
		return m.restarted(rc)
	}
	// The pod's own cluster, when several are watched.
	req := kube.LogRequest{Context: model.ContextOf(m.pod), Namespace: m.pod.Namespace, Pod: m.pod.Name, Container: m.target}
	purpose := logPurposeFollow
	if m.previous {
		if !logHasPrevious(cs) {
			m.setPhase(logPhaseWaiting, fmt.Sprintf("no previous run: %s has not restarted (waiting for a restart)", logSanitizedName(m.target)))
			return nil
		}
		purpose, req.Previous = logPurposePrevious, true
	} else {
		ok, reason := logHasCurrent(cs)
		if m.s.newRun && cs != nil && cs.State.Running == nil && cs.State.Terminated == nil {
			// The new run has not started: the kubelet would serve the
			// run that just ended, which is already shown.
			ok = false
			if w := cs.State.Waiting; w != nil && w.Reason != "" {
				reason = w.Reason
			} else {
				reason = "ContainerCreating"
			}
		}
		if !ok {
			m.setPhase(logPhaseWaiting, "waiting: "+model.Sanitize(reason))
			return nil
		}
		req.Follow = true
	}
	switch {
	case m.s.haveRun && m.s.dedupe.since() != nil:
		// Same run as the buffer holds: resume after its last line.
		req.SinceTime = m.s.dedupe.since()
		m.s.dedupe.resume()
	case m.s.newRun:
		// A new run is shown whole (the buffer bounds it anyway).
		n := int64(m.opts.BufferLines)
		req.TailLines = &n
	default:
		if m.tail >= 0 {
			n := m.tail
			req.TailLines = &n
		} else {
			n := int64(m.opts.BufferLines)
			req.TailLines = &n
		}
	}
	m.s.run, m.s.haveRun, m.s.newRun = rc, true, false
	m.setPhase(logPhaseConnecting, "connecting…")
	return m.s.start(m.src, purpose, req)
}

// restarted handles a new restart count: the rest of the finished run is
// fetched (its last lines may not have reached us), then a marker, then the
// new run.
func (m *Model) restarted(rc int32) tea.Cmd {
	m.s.close()
	if m.previous {
		// The previous run is now another one.
		m.clear()
		return m.connect()
	}
	cs := logContainerStatus(m.pod, m.target)
	if since := m.s.dedupe.since(); since != nil && rc == m.s.run+1 && logHasPrevious(cs) {
		m.s.fillTo = rc
		m.s.dedupe.resume()
		m.setPhase(logPhaseConnecting, fmt.Sprintf("reading the end of run %d…", m.s.run))
		return m.s.start(m.src, logPurposeFill, kube.LogRequest{
			Context: model.ContextOf(m.pod), Namespace: m.pod.Namespace, Pod: m.pod.Name, Container: m.target,
			Previous: true, SinceTime: since,
		})
	}
	return m.beginRun(rc)
}

// beginRun marks the start of run rc and opens it once it has started.
func (m *Model) beginRun(rc int32) tea.Cmd {
	m.s.close()
	if m.buf.Len() > 0 {
		m.appendEntry(logEntry{kind: logKindRestart, count: int(rc)})
	}
	m.s.dedupe.reset()
	m.s.run, m.s.haveRun, m.s.newRun, m.s.attempts = rc, true, true, 0
	return m.connect()
}

// Update handles the pane's keys, mouse wheel and stream messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case logStreamOpenedMsg:
		return m.streamOpened(msg)
	case logBatchMsg:
		if !m.s.current(msg.id) {
			return m, nil
		}
		m.ingest(msg.lines)
		if m.phase != logPhaseStreaming {
			m.setPhase(logPhaseStreaming, "")
		}
		m.s.attempts = 0
		return m, logWaitBatch(msg.id, m.s.conn.lines, m.s.conn.errs)
	case logStreamEndedMsg:
		if !m.s.current(msg.id) {
			return m, nil
		}
		return m.streamEnded(msg.err)
	case logRetryMsg:
		if !m.s.current(msg.id) {
			return m, nil
		}
		return m, m.connect()
	case tea.KeyMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.handleMouse(msg), nil
	}
	return m, nil
}

func (m Model) streamOpened(msg logStreamOpenedMsg) (Model, tea.Cmd) {
	if !m.s.current(msg.id) {
		return m, nil
	}
	purpose := m.s.conn.purpose
	if msg.err != nil {
		if purpose == logPurposeFill {
			// The end of the old run is lost to us; go on with the new one.
			return m, m.beginRun(m.s.fillTo)
		}
		if ns, ok := kube.IsNotStarted(msg.err); ok {
			// The kubelet knows better than the pod status we have: wait
			// (the next pod update or the retry tries again).
			m.s.close()
			m.setPhase(logPhaseWaiting, "waiting: "+model.Sanitize(ns.Reason))
			return m, m.retry(false)
		}
		m.s.close()
		m.setPhase(logPhaseRetrying, "cannot open log: "+model.Sanitize(msg.err.Error()))
		return m, m.retry(true)
	}
	m.s.conn.lines, m.s.conn.errs = msg.lines, msg.errs
	if purpose != logPurposeFill {
		m.setPhase(logPhaseStreaming, "")
	}
	return m, logWaitBatch(msg.id, msg.lines, msg.errs)
}

// retry schedules a reconnection; the phase and note are kept (they say
// why), with the delay added when it is a failure.
func (m *Model) retry(failed bool) tea.Cmd {
	d := m.opts.RetryDelay(m.s.attempts)
	m.s.attempts++
	if failed {
		m.note = fmt.Sprintf("%s — retrying in %s", m.note, d.Round(100*time.Millisecond))
	}
	phase, note := m.phase, m.note
	cmd := m.s.retryAfter(d)
	m.phase, m.note = phase, note
	return cmd
}

func (m Model) streamEnded(err error) (Model, tea.Cmd) {
	purpose := m.s.conn.purpose
	m.s.close()
	switch purpose {
	case logPurposeFill:
		return m, m.beginRun(m.s.fillTo)
	case logPurposePrevious:
		if err != nil {
			m.setPhase(logPhaseRetrying, "previous run: stream broke: "+model.Sanitize(err.Error()))
			return m, m.retry(true)
		}
		cs := logContainerStatus(m.pod, m.target)
		note := "end of the previous run"
		if cs != nil && cs.LastTerminationState.Terminated != nil {
			t := cs.LastTerminationState.Terminated
			note = fmt.Sprintf("end of the previous run (%s, exit %d)", model.Sanitize(t.Reason), t.ExitCode)
		}
		m.setPhase(logPhaseEnded, note)
		return m, nil
	}
	cs := logContainerStatus(m.pod, m.target)
	if rc := logRestartCount(cs); m.s.haveRun && rc != m.s.run {
		return m, m.restarted(rc)
	}
	if err != nil {
		m.setPhase(logPhaseRetrying, "stream broke: "+model.Sanitize(err.Error()))
		return m, m.retry(true)
	}
	if logIsRunning(cs) {
		// A follow that ends while the container runs was cut (apiserver
		// or kubelet restart, idle proxy timeout): it is not the end.
		m.setPhase(logPhaseRetrying, "stream closed while the container runs")
		return m, m.retry(true)
	}
	m.setPhase(logPhaseEnded, "ended: "+logStateSummary(cs)+" · waiting for a restart")
	return m, nil
}

// ingest appends a batch: repeats of a resumed stream are dropped, every
// line is sanitized once here, so the view never sees raw bytes.
func (m *Model) ingest(lines []kube.LogLine) {
	for _, l := range lines {
		if l.Skipped > 0 {
			m.appendEntry(logEntry{kind: logKindGap, count: l.Skipped})
			continue
		}
		if !m.s.dedupe.accept(l) {
			continue
		}
		text := model.SanitizeKeepSGR(l.Text)
		plain := text
		if strings.IndexByte(text, 0x1b) >= 0 {
			plain = model.Sanitize(text)
		}
		m.appendEntry(logEntry{kind: logKindLine, time: l.Time, text: text, plain: plain, cut: l.Cut})
	}
	m.search.prune(m.buf.FirstSeq())
}

func (m *Model) appendEntry(e logEntry) {
	seq := m.buf.Append(e)
	if e.kind == logKindLine && m.search.query != "" && m.search.matchesLine(e.plain) {
		m.search.matches = append(m.search.matches, seq)
	}
	if !m.follow {
		m.unseen++
	}
}

// handleKey applies one key press.
func (m Model) handleKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	if m.picker.open {
		return m.pickerKey(msg)
	}
	if m.search.editing {
		return m.searchKey(msg)
	}
	k, nav := m.km.Logs, m.km.Detail.Nav
	switch {
	case key.Matches(msg, nav.Up):
		m.scrollUp(1)
	case key.Matches(msg, nav.Down):
		m.scrollDown(1)
	case key.Matches(msg, nav.PageUp):
		m.scrollUp(max(m.bodyHeight()-1, 1))
	case key.Matches(msg, nav.PageDown):
		m.scrollDown(max(m.bodyHeight()-1, 1))
	case key.Matches(msg, nav.Top):
		m.follow, m.top = false, logAnchor{seq: m.buf.FirstSeq()}
		if m.atBottom() {
			// Everything fits on screen: the top is the bottom too.
			m.resumeFollow()
		}
	case key.Matches(msg, nav.Bottom):
		m.resumeFollow()
	case key.Matches(msg, k.Autoscroll):
		if m.follow {
			m.top, m.follow = m.bottomAnchor(), false
		} else {
			m.resumeFollow()
		}
	case key.Matches(msg, k.Timestamps):
		m.timestamps = !m.timestamps
	case key.Matches(msg, k.Wrap):
		m.wrap = !m.wrap
		m.top.row = 0
	case key.Matches(msg, k.Colors):
		m.colors = !m.colors
	case key.Matches(msg, k.Previous):
		return m.SetPrevious(!m.previous)
	case key.Matches(msg, k.Container):
		m.picker = openLogPicker(m.pod, m.target, m.pinned, m.opts.Now())
	case key.Matches(msg, k.Search):
		m.search.editing = true
		m.search.input.SetValue(m.search.query)
		m.search.input.CursorEnd()
		return m, m.search.input.Focus()
	case key.Matches(msg, k.NextMatch):
		m.jumpMatch(1)
	case key.Matches(msg, k.PrevMatch):
		m.jumpMatch(-1)
	case key.Matches(msg, k.MoreTail):
		return m.setTail(logNextTail(m.tail, 1))
	case key.Matches(msg, k.LessTail):
		return m.setTail(logNextTail(m.tail, -1))
	}
	return m, nil
}

func (m Model) handleMouse(msg tea.MouseMsg) Model {
	if msg.Action != tea.MouseActionPress {
		return m
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		m.scrollUp(3)
	case tea.MouseButtonWheelDown:
		m.scrollDown(3)
	}
	return m
}

func (m *Model) resumeFollow() {
	m.follow, m.unseen = true, 0
}

// setTail restarts the stream with another initial tail.
func (m Model) setTail(n int64) (Model, tea.Cmd) {
	if n == m.tail {
		return m, nil
	}
	m.tail = n
	m.clear()
	return m, m.connect()
}

// logNextTail steps the tail up (dir 1) or down (dir -1) through logTailSteps.
func logNextTail(cur int64, dir int) int64 {
	if cur < 0 {
		cur = logTailSteps[len(logTailSteps)-1] + 1
	}
	if dir > 0 {
		for _, s := range logTailSteps {
			if s > cur {
				return s
			}
		}
		return logTailSteps[len(logTailSteps)-1]
	}
	for i := len(logTailSteps) - 1; i >= 0; i-- {
		if logTailSteps[i] < cur {
			return logTailSteps[i]
		}
	}
	return logTailSteps[0]
}

// pickerKey drives the container picker.
func (m Model) pickerKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	nav := m.km.Detail.Nav
	switch {
	case key.Matches(msg, m.km.Global.Back):
		m.picker.open = false
	case key.Matches(msg, nav.Up):
		m.picker.move(-1)
	case key.Matches(msg, nav.Down):
		m.picker.move(1)
	case key.Matches(msg, nav.Top):
		m.picker.move(-len(m.picker.items))
	case key.Matches(msg, nav.Bottom):
		m.picker.move(len(m.picker.items))
	case msg.Type == tea.KeyEnter:
		choice := m.picker.choice()
		m.picker.open = false
		pinned, target := choice.name != "", choice.name
		if !pinned {
			target = logActiveContainer(m.pod, m.opts.Now())
		}
		m.pinned = pinned
		if target == m.target {
			return m, nil
		}
		m.target = target
		m.clear()
		return m, m.connect()
	}
	return m, nil
}

// searchKey edits the search query; matches update as it is typed.
func (m Model) searchKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	switch msg.Type {
	case tea.KeyEsc:
		m.search.editing = false
		m.search.input.Blur()
		m.search.setQuery("", m.buf)
		return m, nil
	case tea.KeyEnter:
		m.search.editing = false
		m.search.input.Blur()
		m.jumpMatch(0)
		return m, nil
	}
	var cmd tea.Cmd
	m.search.input, cmd = m.search.input.Update(msg)
	if q := m.search.input.Value(); q != m.search.query {
		m.search.setQuery(q, m.buf)
	}
	return m, cmd
}

// ShortHelp lists the main keys of the pane.
func (m Model) ShortHelp() []key.Binding {
	k := m.km.Logs
	return []key.Binding{k.Container, k.Previous, k.Autoscroll, k.Search, k.Timestamps, k.Wrap}
}

// FullHelp lists every key of the pane, in columns.
func (m Model) FullHelp() [][]key.Binding {
	k, nav := m.km.Logs, m.km.Detail.Nav
	return [][]key.Binding{
		{nav.Up, nav.Down, nav.PageUp, nav.PageDown, nav.Top, nav.Bottom},
		{k.Container, k.Previous, k.Autoscroll, k.MoreTail, k.LessTail},
		{k.Timestamps, k.Wrap, k.Colors},
		{k.Search, k.NextMatch, k.PrevMatch},
	}
}

// Package rollouts is the rollouts view of the terminal UI: the pods in
// scope summed up per workload by package rollout, and what the failing
// ones have in common (failure signatures: step, reason, exit code, message,
// nodes, image, an example pod). From a signature the user lists its pods,
// opens one in the pod detail view, reads the example's log of its failed
// run, or copies the summary for the incident channel (OSC 52).
//
// The summary is computed when the pods change (SetPods), never in View:
// View draws the rows on screen only.
package rollouts

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
)

// OpenPodMsg asks the root model to open a pod in the detail view; Logs
// opens it on its logs pane, Previous on the previous (failed) run.
type OpenPodMsg struct {
	Pod            rollout.PodRef
	Logs, Previous bool
}

// CopiedMsg reports a copy to the clipboard: what was copied, or why not.
type CopiedMsg struct {
	What string
	Err  error
}

// rowKind tells the rows of the signature list apart.
type rowKind int

const (
	rowWorkload rowKind = iota
	rowSignature
)

// row is one line of the signature list.
type row struct {
	kind rowKind
	// workload indexes Model.workloads; sig indexes Model.sigs.
	workload, sig int
}

// workloadGroup is one workload of the summary and its signatures.
type workloadGroup struct {
	ref   rollout.WorkloadRef
	w     *rollout.Workload
	sigs  []int // into Model.sigs, most pods first
	label string
}

// Model is the rollouts view. It is a pointer-receiver view.Component.
type Model struct {
	th   *themes.Theme
	keys *keymap.KeyMap

	width, height int
	now           time.Time
	synced        bool

	sum       rollout.Summary
	sigs      []rollout.Signature // every workload's, in row order
	workloads []workloadGroup
	access    []string // Access.Lines, sanitised
	rows      []row

	cursor, offset int
	// open is the signature whose pods are listed (-1: none); the pod
	// cursor and offset are its list's.
	open                 int
	podCursor, podOffset int

	// clip copies text to the terminal's clipboard (OSC 52).
	clip Clipboard
	// note is the last copy's outcome, shown on the status line.
	note string
	// facts are the lines drawn under the list: the selected workload's
	// panel (workloadPanel), or the selected signature as the copy key
	// copies it; computed when the cursor, the summary or the size
	// changes, not per frame.
	facts []string
}

// New returns an empty view; SetSize and SetPods fill it.
func New(th *themes.Theme, km *keymap.KeyMap, clip Clipboard) *Model {
	return &Model{th: th, keys: km, clip: clip, open: -1}
}

// SetSummary shows a new summary of the pods in scope (package rollout
// computes it, incrementally, outside View). The cursor stays on its
// workload or signature when they remain.
func (m *Model) SetSummary(sum rollout.Summary, synced bool, now time.Time) {
	var keepSig *rollout.Signature
	if s := m.selectedSig(); s != nil {
		c := *s
		keepSig = &c
	}
	keepWorkload, onWorkload := m.selectedWorkload()
	var openSig *rollout.Signature
	if m.open >= 0 && m.open < len(m.sigs) {
		c := m.sigs[m.open]
		openSig = &c
	}

	m.now, m.synced = now, synced
	m.sum = sum
	m.access = m.access[:0]
	for _, l := range sum.Fallback {
		m.access = append(m.access, model.Sanitize(l))
	}
	m.group()

	m.cursor = 0
	for i, r := range m.rows {
		switch {
		case keepSig != nil && r.kind == rowSignature && sameSignature(&m.sigs[r.sig], keepSig),
			keepSig == nil && onWorkload && r.kind == rowWorkload && m.workloads[r.workload].ref == keepWorkload:
			m.cursor = i
		default:
			continue
		}
		break
	}
	m.open = -1
	if openSig != nil {
		for i := range m.sigs {
			if sameSignature(&m.sigs[i], openSig) {
				m.open = i
				break
			}
		}
	}
	m.clamp()
}

// sameSignature tells whether two signatures are the same way of failing
// (their pods may differ).
func sameSignature(a, b *rollout.Signature) bool {
	return a.Workload == b.Workload && a.Step == b.Step && a.StepKind == b.StepKind &&
		a.Reason == b.Reason && a.Pattern == b.Pattern && eqInt32(a.ExitCode, b.ExitCode) && eqInt32(a.Signal, b.Signal)
}

func eqInt32(a, b *int32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// group builds the workload groups and the rows from the summary, in its
// order (rollouts in progress and in trouble first); each workload's
// signatures, most pods first, come under it.
func (m *Model) group() {
	m.workloads = m.workloads[:0]
	m.rows = m.rows[:0]
	m.sigs = m.sigs[:0]
	for i := range m.sum.Workloads {
		w := &m.sum.Workloads[i]
		g := workloadGroup{ref: w.Ref, w: w, label: model.Sanitize(w.Ref.String())}
		for j := range w.Signatures {
			g.sigs = append(g.sigs, len(m.sigs))
			m.sigs = append(m.sigs, w.Signatures[j])
		}
		m.workloads = append(m.workloads, g)
	}
	for w := range m.workloads {
		m.rows = append(m.rows, row{kind: rowWorkload, workload: w})
		for _, s := range m.workloads[w].sigs {
			m.rows = append(m.rows, row{kind: rowSignature, workload: w, sig: s})
		}
	}
}

// SetSize implements view.Component.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.clamp()
}

// Back leaves the pod list of a signature; it reports false when there is
// nothing to leave, and the root model goes back to the pod list.
func (m *Model) Back() bool {
	if m.open < 0 {
		return false
	}
	m.open = -1
	m.clamp()
	return true
}

// Update implements view.Component.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress {
			switch msg.Button {
			case tea.MouseButtonWheelUp:
				m.move(-3)
			case tea.MouseButtonWheelDown:
				m.move(3)
			}
		}
	case CopiedMsg:
		if msg.Err != nil {
			m.note = "copy failed: " + model.Sanitize(msg.Err.Error())
		} else {
			m.note = "copied " + msg.What + " to the clipboard (OSC 52)"
		}
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.keys.Rollouts
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-max(m.listRows()-1, 1))
	case key.Matches(msg, k.PageDown):
		m.move(max(m.listRows()-1, 1))
	case key.Matches(msg, k.Top):
		m.move(-m.count())
	case key.Matches(msg, k.Bottom):
		m.move(m.count())
	case key.Matches(msg, k.Open):
		return m.enter()
	case key.Matches(msg, k.Logs):
		if s := m.selectedSig(); s != nil {
			return openPod(s.Example, true, true)
		}
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	}
	return nil
}

func openPod(ref rollout.PodRef, logs, previous bool) tea.Cmd {
	return func() tea.Msg { return OpenPodMsg{Pod: ref, Logs: logs, Previous: previous} }
}

// enter lists the pods of the signature under the cursor, opens the pod
// under the cursor, or on a workload moves to its first signature.
func (m *Model) enter() tea.Cmd {
	if m.open >= 0 {
		pods := m.sigs[m.open].Pods
		if m.podCursor < len(pods) {
			return openPod(pods[m.podCursor], false, false)
		}
		return nil
	}
	if m.cursor >= len(m.rows) {
		return nil
	}
	r := m.rows[m.cursor]
	if r.kind == rowWorkload {
		m.move(1)
		return nil
	}
	m.open = r.sig
	m.podCursor, m.podOffset = 0, 0
	m.clamp()
	return nil
}

// copySelected copies the summary under the cursor as the view shows it.
func (m *Model) copySelected() tea.Cmd {
	text, what := m.selectedText()
	if text == "" {
		return nil
	}
	clip := m.clip
	return func() tea.Msg {
		if clip == nil {
			return CopiedMsg{What: what, Err: errNoClipboard}
		}
		return CopiedMsg{What: what, Err: clip.Copy(text)}
	}
}

// selectedText is the plain text of the workload or signature under the
// cursor (in a signature's pod list: the signature), and what it is.
func (m *Model) selectedText() (text, what string) {
	if s := m.selectedSig(); s != nil {
		return s.Text(m.now), "the signature"
	}
	if ref, ok := m.selectedWorkload(); ok {
		for w := range m.workloads {
			if m.workloads[w].ref == ref {
				return m.workloadText(w), "the workload's summary"
			}
		}
	}
	return "", ""
}

// workloadText is the workload as package rollout writes it for the
// incident channel: headline, counts and bar, kubectl's status, revisions,
// the step funnel and the signatures.
func (m *Model) workloadText(w int) string {
	return m.workloads[w].w.Text(m.now)
}

// selectedSig is the signature under the cursor, or whose pods are listed.
func (m *Model) selectedSig() *rollout.Signature {
	if m.open >= 0 && m.open < len(m.sigs) {
		return &m.sigs[m.open]
	}
	if m.cursor < len(m.rows) && m.rows[m.cursor].kind == rowSignature {
		return &m.sigs[m.rows[m.cursor].sig]
	}
	return nil
}

func (m *Model) selectedWorkload() (rollout.WorkloadRef, bool) {
	if m.open < 0 && m.cursor < len(m.rows) && m.rows[m.cursor].kind == rowWorkload {
		return m.workloads[m.rows[m.cursor].workload].ref, true
	}
	return rollout.WorkloadRef{}, false
}

// count is how many rows the current list has.
func (m *Model) count() int {
	if m.open >= 0 {
		return len(m.sigs[m.open].Pods)
	}
	return len(m.rows)
}

func (m *Model) move(d int) {
	if m.open >= 0 {
		m.podCursor += d
	} else {
		m.cursor += d
	}
	m.clamp()
}

// clamp keeps the cursors in their lists and on screen.
func (m *Model) clamp() {
	rows := m.listRows()
	fit := func(cursor, offset *int, n int) {
		*cursor = min(max(*cursor, 0), max(n-1, 0))
		if *cursor < *offset {
			*offset = *cursor
		}
		if rows > 0 && *cursor >= *offset+rows {
			*offset = *cursor - rows + 1
		}
		*offset = min(max(*offset, 0), max(n-rows, 0))
	}
	if m.open >= len(m.sigs) {
		m.open = -1
	}
	if m.open >= 0 {
		fit(&m.podCursor, &m.podOffset, len(m.sigs[m.open].Pods))
	}
	fit(&m.cursor, &m.offset, len(m.rows))
	m.facts = m.facts[:0]
	if ref, ok := m.selectedWorkload(); ok {
		for w := range m.workloads {
			if m.workloads[w].ref == ref {
				m.facts = append(m.facts, m.workloadPanel(m.workloads[w].w, m.width)...)
				return
			}
		}
	}
	if text, _ := m.selectedText(); text != "" {
		for _, l := range strings.Split(text, "\n") {
			m.facts = append(m.facts, model.Sanitize(l))
		}
	}
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	k := &m.keys.Rollouts
	return []key.Binding{k.Up, k.Down, k.Open, k.Logs, k.Copy}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	k := &m.keys.Rollouts
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Logs, k.Copy},
	}
}

// Status is the header's right-hand text for this view.
func (m *Model) Status() string {
	if m.open >= 0 {
		return "rollouts › pods of a signature"
	}
	return "rollouts"
}

// RowCount is how many rows the signature list has (workloads and their
// signatures).
func (m *Model) RowCount() int { return len(m.rows) }

package rollouts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// Clipboard takes the text the copy key puts on the user's clipboard.
type Clipboard interface {
	Copy(text string) error
}

var errNoClipboard = errors.New("no terminal to copy through")

const ellipsis = "…"

// detailMin is the least height at which the selected signature's facts
// are drawn under the list (below it the list alone fits).
const detailMin = 14

// chrome is the title line and the column line above the list, plus the
// status line under it.
func (m *Model) chrome() int { return 2 + len(m.access) + 1 }

// detailHeight is how many lines under the list are kept for the facts of
// the selected workload or signature (the list gives them more when it
// is shorter than the rest); none on short screens.
func (m *Model) detailHeight() int {
	if m.height < detailMin {
		return 0
	}
	return m.height * 11 / 20
}

// listRows is how many rows of the list fit.
func (m *Model) listRows() int {
	return max(m.height-m.chrome()-m.detailHeight(), 0)
}

// View implements view.Component: exactly height lines of at most width
// cells; only the rows on screen are drawn.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.th.Title.Render(m.fit(m.title())))
	for _, a := range m.access {
		// The fallback is stated on screen: counts come from what the pods
		// say about their owners.
		lines = append(lines, m.th.Warning.Render(m.fit("⚠ "+a)))
	}
	if m.open >= 0 {
		lines = m.podLines(lines)
	} else {
		lines = m.sigLines(lines)
	}
	// The facts follow the list's last row and take the rest of the
	// screen: at least detailHeight lines, more when the list is short.
	if m.detailHeight() > 0 {
		lines = append(lines, m.factLines(m.height-1-len(lines))...)
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), m.height-1)], m.th.Muted.Render(m.fit(m.statusLine())))
	return strings.Join(lines, "\n")
}

func (m *Model) title() string {
	if !m.synced && len(m.sigs) == 0 {
		return "Rollouts — waiting for the pod list…"
	}
	if m.open >= 0 {
		return "Pods of " + model.Sanitize(m.sigs[m.open].Headline())
	}
	rolling, stalled := 0, 0
	for i := range m.sum.Workloads {
		w := &m.sum.Workloads[i]
		if !w.Done {
			rolling++
		}
		if w.Stalled {
			stalled++
		}
	}
	return fmt.Sprintf("Rollouts — %s, %d rolling out, %d stalled · %s · %s",
		plural(len(m.workloads), "workload", "workloads"), rolling, stalled,
		plural(len(m.sigs), "failure signature", "failure signatures"), plural(m.sum.Pods, "pod", "pods"))
}

func (m *Model) statusLine() string {
	if m.note != "" {
		return m.note
	}
	if m.open >= 0 {
		return "enter: pod details · esc: back to the signatures · l: example's failed log · c: copy"
	}
	return "enter: the signature's pods · l: example's failed log · c: copy the workload's or signature's summary"
}

// Column widths of the signature list, from the right: PODS, NODES, LAST.
const (
	podsW  = 5
	lastW  = 5
	nodesW = 24
)

func (m *Model) sigLines(lines []string) []string {
	w := m.width
	nodes := nodesW
	if w < 100 {
		nodes = 0
	}
	left := max(w-podsW-lastW-2-(nodesW+1)*b2i(nodes > 0), 10)
	header := pad("WORKLOAD / FAILURE SIGNATURE", left) + " " + padLeft("PODS", podsW)
	if nodes > 0 {
		header += " " + pad("READY / NODES", nodesW)
	}
	header += " " + padLeft("LAST", lastW)
	lines = append(lines, m.th.ColumnHeader.Render(m.fit(header)))
	if len(m.rows) == 0 {
		msg := "No pods in scope."
		if !m.synced {
			msg = "Waiting for the pod list…"
		}
		return append(lines, m.th.Muted.Render(m.fit(msg)))
	}
	end := min(m.offset+m.listRows(), len(m.rows))
	for i := m.offset; i < end; i++ {
		r := m.rows[i]
		var text string
		if r.kind == rowWorkload {
			wl := m.workloads[r.workload].w
			text = pad(model.Sanitize(wl.Headline(m.now)), left) + " " + padLeft(strconv.Itoa(wl.Pods), podsW)
			if nodes > 0 {
				text += " " + pad(rollout.Bar(wl.Progress, nodesW-7), nodesW)
			}
			last := ""
			if !wl.LastProgress.IsZero() {
				last = model.Since(wl.LastProgress, m.now)
			}
			text += " " + padLeft(last, lastW)
		} else {
			s := &m.sigs[r.sig]
			text = pad("  "+model.Sanitize(headlineNoCount(s)), left) + " " + padLeft(strconv.Itoa(s.Count), podsW)
			if nodes > 0 {
				text += " " + pad(nodesCell(s), nodesW)
			}
			text += " " + padLeft(model.Since(s.LastSeen, m.now), lastW)
		}
		text = m.fit(text)
		switch {
		case i == m.cursor:
			text = m.th.SelectedRow.Render(pad(text, w))
		case r.kind == rowWorkload:
			text = m.th.HeaderValue.Render(text)
		default:
			text = m.th.StatusFailing.Render(text)
		}
		lines = append(lines, text)
	}
	return lines
}

func (m *Model) podLines(lines []string) []string {
	s := &m.sigs[m.open]
	nameW := max(m.width-26, 10)
	lines = append(lines, m.th.ColumnHeader.Render(m.fit(pad("POD", nameW)+" NODE")))
	end := min(m.podOffset+m.listRows(), len(s.Pods))
	for i := m.podOffset; i < end; i++ {
		p := s.Pods[i]
		node := p.Node
		if node == "" {
			node = "<none>"
		}
		text := m.fit(pad(model.Sanitize(p.String()), nameW) + " " + model.Sanitize(node))
		if i == m.podCursor {
			text = m.th.SelectedRow.Render(pad(text, m.width))
		}
		lines = append(lines, text)
	}
	return lines
}

// factLines draws the facts (the workload's panel, or the signature as
// the copy key copies it) in at most h lines, a rule above.
func (m *Model) factLines(h int) []string {
	if h <= 0 {
		return nil
	}
	out := []string{m.th.Muted.Render(strings.Repeat("─", m.width))}
	for _, l := range m.facts {
		if len(out) == h {
			break
		}
		out = append(out, m.fit(l))
	}
	return out
}

// headlineNoCount is the signature's step and cause, and its node when all
// pods share one; the count has its own column.
func headlineNoCount(s *rollout.Signature) string {
	h := s.Headline()
	if i := strings.LastIndex(h, " — "); i >= 0 {
		h = h[:i]
	}
	if first, _, _ := strings.Cut(s.Message, "\n"); first != "" {
		h += ": " + first
	}
	return h
}

func nodesCell(s *rollout.Signature) string {
	if node, ok := s.OnOneNode(); ok {
		return fmt.Sprintf("all %d on %s", s.Count, model.Sanitize(node))
	}
	if len(s.Nodes) == 1 && s.Nodes[0].Node == "" {
		return "not scheduled"
	}
	return plural(len(s.Nodes), "node", "nodes")
}

func (m *Model) fit(s string) string {
	if ansi.StringWidth(s) > m.width {
		return ansi.Truncate(s, m.width, ellipsis)
	}
	return s
}

func pad(s string, w int) string {
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, ellipsis)
	}
	return s + strings.Repeat(" ", w-n)
}

func padLeft(s string, w int) string {
	n := ansi.StringWidth(s)
	if n >= w {
		return s
	}
	return strings.Repeat(" ", w-n) + s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

package logs

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// logAnchor is a scroll position: a row within the entry numbered seq
// (rows count wrapped continuation lines). Sequence numbers survive the
// buffer's evictions, so the view stays put while lines stream in.
type logAnchor struct {
	seq uint64
	row int
}

// logChrome is the header line above the lines and the status line below.
const logChrome = 2

// logTimeFormat shows the kubelet's timestamp to the millisecond, in UTC
// like the kubelet writes it.
const logTimeFormat = "2006-01-02T15:04:05.000Z07:00"

func (m *Model) bodyHeight() int { return max(m.height-logChrome, 1) }

// View draws the pane: a header (container, run, toggles), the lines, and a
// status line (stream state, or the search field). It reads the buffer but
// only the rows on screen are rendered.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	w, h := m.width, m.bodyHeight()
	var body []string
	if m.picker.open {
		body = m.pickerView(w, h)
	} else {
		body = m.bodyRows(w, h)
	}
	rows := make([]string, 0, m.height)
	if m.height > 1 {
		rows = append(rows, m.headerLine(w))
	}
	rows = append(rows, body...)
	for len(rows) < m.height-1 {
		rows = append(rows, strings.Repeat(" ", w))
	}
	if m.height > 2 {
		rows = append(rows, m.statusLine(w))
	}
	if len(rows) > m.height {
		rows = rows[:m.height]
	}
	return strings.Join(rows, "\n")
}

// headerLine: "init-db  init 2/3 · CrashLoopBackOff (last exit 1) · restarts 3"
// on the left, the pane's modes on the right.
func (m *Model) headerLine(w int) string {
	th := &m.th
	if m.target == "" {
		return logFit(th.Muted.Render("no container"), w)
	}
	cs := logContainerStatus(m.pod, m.target)
	left := th.Title.Render(logSanitizedName(m.target))
	if role := logRoleOf(m.pod, m.target); role != "" {
		left += " " + th.Muted.Render(role)
	}
	left += th.Muted.Render(" · ") + logStateSummary(cs)
	if rc := logRestartCount(cs); rc > 0 {
		left += th.Muted.Render(fmt.Sprintf(" · restarts %d", rc))
	}
	var modes []string
	if m.pinned {
		modes = append(modes, "pinned")
	} else {
		modes = append(modes, "auto")
	}
	if m.previous {
		modes = append(modes, th.Warning.Render("previous run"))
	}
	if m.tail < 0 {
		modes = append(modes, "tail all")
	} else {
		modes = append(modes, fmt.Sprintf("tail %d", m.tail))
	}
	modes = append(modes, logToggle("ts", m.timestamps), logToggle("wrap", m.wrap), logToggle("colours", m.colors))
	right := th.Muted.Render(strings.Join(modes, " · "))
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 2 {
		return logFit(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

func logToggle(name string, on bool) string {
	if on {
		return name + " on"
	}
	return name + " off"
}

// statusLine tells where the stream stands, or shows the search field.
func (m *Model) statusLine(w int) string {
	th := &m.th
	if m.search.editing {
		return logFit(m.search.input.View()+th.Muted.Render(m.matchCount()), w)
	}
	var s string
	hint := ""
	switch m.phase {
	case logPhaseWaiting:
		s = th.Warning.Render(m.note)
	case logPhaseRetrying:
		s = th.Error.Render(m.note)
	case logPhaseConnecting, logPhaseEnded:
		s = th.Muted.Render(m.note)
	case logPhaseIdle:
		s = th.Muted.Render(logOr(m.note, "not streaming"))
	default:
		if m.follow {
			s = th.StatusReady.Render("● following")
		} else {
			s = th.Warning.Render("⏸ paused")
			if m.unseen > 0 {
				s += th.Warning.Render(fmt.Sprintf(" · %d new lines", m.unseen))
			}
			hint = th.Muted.Render(" · G: resume")
		}
	}
	if m.search.query != "" {
		s += th.Muted.Render(" · /"+m.search.query) + th.Muted.Render(m.matchCount())
	}
	// Least useful last: dropped first when the pane is narrow.
	for _, extra := range []string{th.Muted.Render(fmt.Sprintf(" · %d lines", m.buf.Len())), hint} {
		if ansi.StringWidth(s)+ansi.StringWidth(extra) <= w {
			s += extra
		}
	}
	return logFit(s, w)
}

func (m *Model) matchCount() string {
	n := len(m.search.matches)
	if m.search.query == "" {
		return ""
	}
	if m.search.current >= 0 && m.search.current < n {
		return fmt.Sprintf(" %d/%d", m.search.current+1, n)
	}
	return fmt.Sprintf(" %d matches", n)
}

func logOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// bodyRows renders the h rows of lines on screen: the last ones when
// following, else from the scroll logAnchor.
func (m *Model) bodyRows(w, h int) []string {
	if m.buf.Len() == 0 {
		msg := "no log lines yet"
		switch m.phase {
		case logPhaseWaiting, logPhaseRetrying, logPhaseEnded:
			msg = m.note
		}
		return []string{logFit(m.th.Muted.Render(msg), w)}
	}
	if m.follow {
		return m.rowsEndingAtBottom(w, h)
	}
	start, ok := m.buf.Index(m.top.seq)
	skip := m.top.row
	if !ok {
		start, skip = 0, 0
	}
	rows := make([]string, 0, h)
	for i := start; i < m.buf.Len() && len(rows) < h; i++ {
		r := m.renderEntry(m.buf.At(i), w)
		if skip > 0 {
			r = r[min(skip, len(r)-1):]
			skip = 0
		}
		rows = append(rows, r...)
	}
	if len(rows) > h {
		rows = rows[:h]
	}
	return rows
}

// rowsEndingAtBottom renders the newest entries, walking back only as far
// as the screen needs.
func (m *Model) rowsEndingAtBottom(w, h int) []string {
	var chunks [][]string
	n := 0
	for i := m.buf.Len() - 1; i >= 0 && n < h; i-- {
		r := m.renderEntry(m.buf.At(i), w)
		chunks = append(chunks, r)
		n += len(r)
	}
	rows := make([]string, 0, n)
	for i := len(chunks) - 1; i >= 0; i-- {
		rows = append(rows, chunks[i]...)
	}
	if len(rows) > h {
		rows = rows[len(rows)-h:]
	}
	return rows
}

// renderEntry turns one entry into screen rows of width w: wrapped, or cut
// with an ellipsis.
func (m *Model) renderEntry(e *logEntry, w int) []string {
	th := &m.th
	var s string
	switch e.kind {
	case logKindRestart:
		s = th.Warning.Render(logRule(fmt.Sprintf("── restart %d ", e.count), w))
		return []string{s}
	case logKindGap:
		s = th.Warning.Render(logRule(fmt.Sprintf("┄┄ %d lines skipped: they came faster than they could be shown ", e.count), w))
		return []string{logFit(s, w)}
	case logKindNote:
		return []string{logFit(th.Muted.Render(logRule("── "+e.plain+" ", w)), w)}
	}
	if m.timestamps && !e.time.IsZero() {
		s = th.Muted.Render(e.time.UTC().Format(logTimeFormat)) + " "
	}
	switch {
	case m.search.query != "" && m.search.isMatch(e.seq):
		s += m.highlight(e.plain)
	case m.colors:
		s += e.text
	default:
		s += e.plain
	}
	if e.cut > 0 {
		s += th.Muted.Render(fmt.Sprintf(" ✂ %s more not shown", logBytes(e.cut)))
	}
	if !m.wrap {
		return []string{logFit(s, w)}
	}
	wrapped := strings.Split(ansi.Hardwrap(s, w, true), "\n")
	for i := range wrapped {
		wrapped[i] = logFit(wrapped[i], w)
	}
	return wrapped
}

// highlight marks the search matches in plain.
func (m *Model) highlight(plain string) string {
	spans := m.search.spans(plain)
	if len(spans) == 0 {
		return plain
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(plain[last:sp[0]])
		b.WriteString(m.th.Match.Render(plain[sp[0]:sp[1]]))
		last = sp[1]
	}
	b.WriteString(plain[last:])
	return b.String()
}

// logRule pads a marker with a line to width w.
func logRule(s string, w int) string {
	if pad := w - ansi.StringWidth(s); pad > 0 {
		return s + strings.Repeat("─", pad)
	}
	return s
}

func logBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// logFit truncates s to width w (with an ellipsis) and pads it to exactly
// w. A row carrying escape sequences ends with a reset, so a colour left
// open by a wrapped line never bleeds into what is drawn next to the pane.
func logFit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	if strings.IndexByte(s, 0x1b) >= 0 {
		s += "\x1b[0m"
	}
	return s
}

// entryRows is how many screen rows entry i takes.
func (m *Model) entryRows(i int) int {
	if !m.wrap {
		return 1
	}
	return len(m.renderEntry(m.buf.At(i), m.width))
}

// bottomAnchor is the top row of the view when it follows the newest line.
func (m *Model) bottomAnchor() logAnchor {
	h := m.bodyHeight()
	n := 0
	for i := m.buf.Len() - 1; i >= 0; i-- {
		r := m.entryRows(i)
		if n+r >= h {
			return logAnchor{seq: m.buf.At(i).seq, row: n + r - h}
		}
		n += r
	}
	return logAnchor{seq: m.buf.FirstSeq()}
}

// scrollUp moves the view k rows up; autoscroll pauses.
func (m *Model) scrollUp(k int) {
	if m.buf.Len() == 0 {
		return
	}
	if m.follow {
		m.top, m.follow = m.bottomAnchor(), false
	}
	i, ok := m.buf.Index(m.top.seq)
	if !ok {
		i, m.top.row = 0, 0
	}
	row := min(m.top.row, m.entryRows(i)-1)
	for ; k > 0; k-- {
		if row > 0 {
			row--
			continue
		}
		if i == 0 {
			break
		}
		i--
		row = m.entryRows(i) - 1
	}
	m.top = logAnchor{seq: m.buf.At(i).seq, row: row}
}

// scrollDown moves the view k rows down; reaching the bottom resumes
// autoscroll.
func (m *Model) scrollDown(k int) {
	if m.follow || m.buf.Len() == 0 {
		return
	}
	i, ok := m.buf.Index(m.top.seq)
	if !ok {
		i, m.top.row = 0, 0
	}
	row := min(m.top.row, m.entryRows(i)-1)
	for ; k > 0; k-- {
		if row+1 < m.entryRows(i) {
			row++
			continue
		}
		if i+1 >= m.buf.Len() {
			break
		}
		i, row = i+1, 0
	}
	m.top = logAnchor{seq: m.buf.At(i).seq, row: row}
	if m.atBottom() {
		m.resumeFollow()
	}
}

// atBottom reports whether the rows from the logAnchor to the newest line logFit
// on screen, counting at most a screenful.
func (m *Model) atBottom() bool {
	h := m.bodyHeight()
	i, ok := m.buf.Index(m.top.seq)
	if !ok {
		return false
	}
	n := -m.top.row
	for ; i < m.buf.Len(); i++ {
		n += m.entryRows(i)
		if n > h {
			return false
		}
	}
	return true
}

// showSeq scrolls so that the entry numbered seq is on screen, a few rows
// below the top for context.
func (m *Model) showSeq(seq uint64) {
	if _, ok := m.buf.Index(seq); !ok {
		return
	}
	m.follow = false
	m.top = logAnchor{seq: seq}
	m.scrollUp(min(3, m.bodyHeight()/3))
	if m.atBottom() {
		m.resumeFollow()
	}
}

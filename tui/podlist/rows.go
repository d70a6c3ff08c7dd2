package podlist

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/view"
)

// staleMark follows the context of a row whose cluster is not answering.
const staleMark = " stale"

// rowStyles are the paints of one kind of row (plain or under the cursor),
// derived once from the theme: a selected row repeats every style on the
// selection background.
type rowStyles struct {
	base, muted, match, title, stale paint
	status                           [model.CategoryDone + 1]paint
	steps                            stepStyles
}

func newRowStyles(th themes.Theme, selected bool) rowStyles {
	base := th.Row
	if selected {
		base = th.SelectedRow
	}
	on := func(s lipgloss.Style) lipgloss.Style {
		if selected {
			return s.Inherit(th.SelectedRow)
		}
		return s
	}
	return rowStyles{
		base:  newPaint(base),
		muted: newPaint(on(th.Muted)),
		match: newPaint(on(th.Match)),
		title: newPaint(on(th.Title)),
		stale: newPaint(on(th.Warning)),
		status: [model.CategoryDone + 1]paint{
			model.CategoryFailing:      newPaint(on(th.StatusFailing)),
			model.CategoryInitializing: newPaint(on(th.StatusInitializing)),
			model.CategoryNotReady:     newPaint(on(th.StatusNotReady)),
			model.CategoryReady:        newPaint(on(th.StatusReady)),
			model.CategoryDone:         newPaint(on(th.StatusDone)),
		},
		steps: newStepStyles(th, func() lipgloss.Style {
			if selected {
				return th.SelectedRow
			}
			return lipgloss.NewStyle()
		}()),
	}
}

// statusStyle picks the STATUS paint of a category.
func (st *rowStyles) statusStyle(c model.Category) paint {
	if c < 0 || int(c) >= len(st.status) {
		return st.base
	}
	return st.status[c]
}

// writeCell writes text (plain, width textW) in w cells followed by gap
// spaces, cut with "…" when too wide: at the end, or in the middle when
// middle is set (pod names differ in their last characters, the
// ReplicaSet hash and the random suffix). hl are byte offsets of characters
// to emphasise with match. The last cell of a row is not padded unless fill
// is set (the selected row is one bar across the screen).
func writeCell(b *strings.Builder, text string, textW, w, gap int, fill, middle bool, style, match paint, hl []int) {
	if w <= 0 {
		return
	}
	if textW > w {
		text, hl = fitCell(text, textW, w, middle, hl)
		textW = ansi.StringWidth(text)
	}
	pad := ""
	if gap > 0 || fill {
		pad = strings.Repeat(" ", max(w-textW, 0)+gap)
	}
	if len(hl) == 0 {
		style.write(b, text+pad)
		return
	}
	start := 0
	for i := 0; i < len(hl); {
		at := hl[i]
		if at < start || at >= len(text) {
			i++
			continue
		}
		// Extend over adjacent matched characters.
		end := at
		for i < len(hl) && hl[i] == end && end < len(text) {
			_, size := utf8.DecodeRuneInString(text[end:])
			end += size
			i++
		}
		if at > start {
			style.write(b, text[start:at])
		}
		match.write(b, text[at:end])
		start = end
	}
	style.write(b, text[start:]+pad)
}

// fitCell cuts text (textW cells) to at most w cells with "…", and moves the
// highlight offsets along; offsets of characters cut away are dropped.
func fitCell(text string, textW, w int, middle bool, hl []int) (string, []int) {
	if !middle || w < 5 {
		head := strings.TrimSuffix(ansi.Truncate(text, w, view.Ellipsis), view.Ellipsis)
		return head + view.Ellipsis, keepBelow(hl, len(head))
	}
	headW := (w - 1) / 2
	head := ansi.Truncate(text, headW, "")
	room := w - 1 - ansi.StringWidth(head)
	tail := ansi.TruncateLeft(text, textW-room, "")
	// A wide character at the cut can leave the tail a cell too wide.
	for tail != "" && ansi.StringWidth(tail) > room {
		_, size := utf8.DecodeRuneInString(tail)
		tail = tail[size:]
	}
	cut := len(text) - len(tail)
	var out []int
	for _, h := range hl {
		switch {
		case h < len(head):
			out = append(out, h)
		case h >= cut:
			out = append(out, h-cut+len(head)+len(view.Ellipsis))
		}
	}
	return head + view.Ellipsis + tail, out
}

func keepBelow(hl []int, n int) []int {
	var out []int
	for _, h := range hl {
		if h < n {
			out = append(out, h)
		}
	}
	return out
}

// highlightsIn returns the offsets of hl that fall in search[from:to],
// shifted to be relative to from.
func highlightsIn(hl []int, from, to int) []int {
	var out []int
	for _, h := range hl {
		if h >= from && h < to {
			out = append(out, h-from)
		}
	}
	return out
}

// renderPodRow draws one pod. Only rows on screen are drawn, so the ages
// (which change with the clock) are computed here.
//
// hl are the byte offsets of e's search that the filter matches
// (podList.highlightOf). stale marks a row whose cluster is not answering:
// its CONTEXT cell says so (the header says since when).
func renderPodRow(b *strings.Builder, e *podEntry, hl []int, ly *layout, st *rowStyles, now time.Time, width int, fill, stale bool) {
	start := b.Len()
	var ctxHL, nsHL, nameHL []int
	if len(hl) > 0 {
		// search is "context/namespace/name", or "namespace/name".
		at := 0
		if e.ctx != "" {
			ctxHL = highlightsIn(hl, 0, len(e.ctx))
			at = len(e.ctx) + 1
		}
		nsHL = highlightsIn(hl, at, at+len(e.ns))
		nameHL = highlightsIn(hl, at+len(e.ns)+1, len(e.search))
	}
	v := &e.view
	cell := func(c column, text string, textW int, style paint, hl []int) {
		writeCell(b, text, textW, ly.w[c], ly.gapAfter(c), fill, c == colName, style, st.match, hl)
	}
	if ly.shown(colCtx) {
		if stale {
			t := e.ctx + staleMark
			cell(colCtx, t, ansi.StringWidth(t), st.stale, ctxHL)
		} else {
			cell(colCtx, e.ctx, ansi.StringWidth(e.ctx), st.base, ctxHL)
		}
	}
	if ly.shown(colNS) {
		cell(colNS, e.ns, int(e.cells.ns), st.base, nsHL)
	}
	if ly.shown(colName) {
		cell(colName, e.name, int(e.cells.name), st.base, nameHL)
	}
	if ly.shown(colReady) {
		cell(colReady, v.ready, len(v.ready), st.base, nil)
	}
	if ly.shown(colStatus) {
		cell(colStatus, e.status, int(e.cells.status), st.statusStyle(e.view.Category), nil)
	}
	if ly.shown(colRestarts) {
		var last time.Time
		if v.lastRestartAt != nil {
			last = *v.lastRestartAt
		}
		r := model.RestartsText(v.restarts, last, now)
		cell(colRestarts, r, len(r), st.base, nil)
	}
	if ly.shown(colAge) {
		age := model.Since(e.cells.created, now)
		cell(colAge, age, len(age), st.base, nil)
	}
	if e.cells.steps == 0 && !fill {
		// Nothing to show in INIT, the last column: no trailing blanks.
		return
	}
	if ly.shown(colBar) {
		renderBar(b, e.bar, ly.w[colBar], &st.steps, st.base)
		if g := ly.gapAfter(colBar); g > 0 {
			st.base.write(b, strings.Repeat(" ", g))
		}
	}
	if ly.shown(colFraction) {
		f := fraction(e.progress())
		cell(colFraction, f, len(f), st.muted, nil)
	}
	if ly.shown(colStep) {
		cell(colStep, e.stepName, int(e.cells.stepName), st.steps.style[e.active], nil)
	}
	finishRow(b, start, st, width, fill)
}

// finishRow pads a selected row to the full width so the selection shows as
// one bar.
func finishRow(b *strings.Builder, start int, st *rowStyles, width int, fill bool) {
	if !fill {
		return
	}
	if w := ansi.StringWidth(b.String()[start:]); w < width {
		st.base.write(b, strings.Repeat(" ", width-w))
	}
}

// renderGroupRow draws an owner group's header: owner, namespace and how
// many of its pods are in each state.
func renderGroupRow(b *strings.Builder, g *ownerGroup, st *rowStyles, width int, fill bool) {
	start := b.Len()
	name := g.owner
	if name == "" {
		name = "(no owner)"
	}
	var parts strings.Builder
	switch {
	case g.sub:
		st.muted.write(&parts, "  ◦ ")
		st.title.write(&parts, g.revision)
	default:
		st.title.write(&parts, "▾ "+name)
	}
	if g.ctx != "" && !g.sub {
		st.muted.write(&parts, "  "+g.ctx)
	}
	if g.ns != "" && !g.sub {
		st.muted.write(&parts, "  "+g.ns)
	}
	c := g.counts
	st.muted.write(&parts, "  "+strconv.Itoa(c.total)+plural(c.total, " pod", " pods"))
	for _, n := range []struct {
		count int
		word  string
		cat   model.Category
	}{{c.failing, " failing", model.CategoryFailing}, {c.initializing, " initializing", model.CategoryInitializing}, {c.ready, " ready", model.CategoryReady}} {
		if n.count > 0 {
			st.muted.write(&parts, " · ")
			st.status[n.cat].write(&parts, strconv.Itoa(n.count)+n.word)
		}
	}
	b.WriteString(ansi.Truncate(parts.String(), width, view.Ellipsis))
	finishRow(b, start, st, width, fill)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// renderColumnHeader draws the column titles.
func renderColumnHeader(b *strings.Builder, ly *layout, style lipgloss.Style) {
	var line strings.Builder
	for c := colCtx; c < colCount; c++ {
		if !ly.shown(c) {
			continue
		}
		title := columnTitles[c]
		w := ly.w[c]
		if c == colBar {
			// INIT spans the bar, the fraction and the step name.
			w = ly.w[colBar]
			for n := colFraction; n < colCount; n++ {
				if ly.shown(n) {
					w += partGap + ly.w[n]
				}
			}
			line.WriteString(ansi.Truncate(title, w, view.Ellipsis))
			break
		}
		line.WriteString(padRight(ansi.Truncate(title, w, view.Ellipsis), w+ly.gapAfter(c)))
	}
	b.WriteString(style.Render(strings.TrimRight(line.String(), " ")))
}

// padRight pads plain s with spaces to w cells.
func padRight(s string, w int) string {
	if sw := ansi.StringWidth(s); sw < w {
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

package rollouts

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// funnelCol is one column of the step funnel: its header, its width, and
// whether its cells are numbers (right-aligned).
type funnelCol struct {
	header string
	w      int
	num    bool
	cell   func(st *rollout.Step) string
}

// Widths of the funnel's fixed columns.
const (
	durW   = 5 // "4m51s", "123ms"
	sparkW = rollout.HistogramBuckets
	// stepMin is the least width of the STEP column; the optional columns
	// (restarts, the waiting reasons) give way first.
	stepMin = 12
	// inItWide is the IN IT column's width when it can say what the pods
	// wait for: "8 (8 CrashLoopBackOff)".
	inItWide = 30
)

// Row-end marks of the bottleneck and the slowest step.
const (
	markBottleneck = "◀ bottleneck"
	markSlowest    = "◀ slowest"
)

// funnelColumns picks the funnel's columns for a width: the counts, the
// durations and their distribution always; the restarts and what the
// pods wait for when they fit next to a STEP column of stepMin cells.
func funnelColumns(width int) []funnelCol {
	cols := []funnelCol{
		{"DONE", 4, true, func(st *rollout.Step) string { return strconv.Itoa(st.Done) }},
		{"IN IT", 5, true, func(st *rollout.Step) string { return strconv.Itoa(st.Running + st.Waiting + st.CrashLooping) }},
		{"FAILED", 6, true, func(st *rollout.Step) string { return strconv.Itoa(st.Failed) }},
		{"NOT YET", 7, true, func(st *rollout.Step) string { return strconv.Itoa(st.NotReached) }},
		{"P50", durW, true, func(st *rollout.Step) string { return rollout.DurationText(st.Durations.P50, st.Durations.Count) }},
		{"P95", durW, true, func(st *rollout.Step) string { return rollout.DurationText(st.Durations.P95, st.Durations.Count) }},
		{"MAX", durW, true, func(st *rollout.Step) string { return rollout.DurationText(st.Durations.Max, st.Durations.Count) }},
		{"DISTRIB.", sparkW, false, func(st *rollout.Step) string { return rollout.Sparkline(st.Durations.Histogram) }},
	}
	used := func() int {
		n := 3 + stepMin // "#" column and the step
		for _, c := range cols {
			n += 1 + c.w
		}
		return n
	}
	restarts := funnelCol{"RESTARTS", 8, true, func(st *rollout.Step) string { return strconv.FormatInt(st.Restarts, 10) }}
	if used()+1+restarts.w+len(markBottleneck)+1 <= width {
		cols = append(cols[:4], append([]funnelCol{restarts}, cols[4:]...)...)
	}
	if extra := inItWide - cols[1].w; used()+extra+len(markBottleneck)+1 <= width {
		cols[1] = funnelCol{"IN IT", inItWide, false, func(st *rollout.Step) string { return st.InIt() }}
	}
	return cols
}

// funnelLines draws the new revision's init steps in spec order: what its
// pods have done, how long the finished runs took (p50, p95, max and
// their distribution from 0 to max, so a long tail shows), and the
// bottleneck (most pods held) and slowest (p95) steps marked in words,
// not colour alone. When the words do not fit at the rows' end, a "◀"
// marks the rows and the legend under the table names both steps.
func (m *Model) funnelLines(w *rollout.Workload, width int) []string {
	if len(w.Steps) == 0 {
		return nil
	}
	cols := funnelColumns(width)
	cells := make([][]string, len(w.Steps))
	widths := make([]int, len(cols))
	for c := range cols {
		widths[c] = len(cols[c].header)
	}
	header := "INIT STEP"
	if len(w.Revisions) > 1 {
		// The funnel is the new revision's; the old ones are past it.
		header = "INIT STEP (new revision)"
	}
	stepNeed, marksW := len(header), 0
	for i := range w.Steps {
		st := &w.Steps[i]
		cells[i] = make([]string, len(cols))
		for c := range cols {
			cells[i][c] = cols[c].cell(st)
			widths[c] = min(max(widths[c], ansi.StringWidth(cells[i][c])), cols[c].w)
		}
		stepNeed = max(stepNeed, stepWidth(st))
		marksW = max(marksW, len([]rune(marks(w, i))))
	}
	fixed := 3
	for _, cw := range widths {
		fixed += 1 + cw
	}
	// The words at the rows' end when they fit next to the whole step
	// names, else a one-cell mark.
	short := fixed+stepNeed+1+marksW > width
	if short && marksW > 0 {
		marksW = 1
	}
	stepW := min(stepNeed, max(width-fixed-marksW-b2i(marksW > 0), stepMin))

	var hb strings.Builder
	hb.WriteString(" # " + pad(header, stepW))
	for c, col := range cols {
		hb.WriteByte(' ')
		if col.num {
			hb.WriteString(padLeft(col.header, widths[c]))
		} else {
			hb.WriteString(pad(col.header, widths[c]))
		}
	}
	out := []string{m.th.ColumnHeader.Render(m.fit(hb.String()))}

	for i := range w.Steps {
		st := &w.Steps[i]
		var b strings.Builder
		b.WriteString(padLeft(strconv.Itoa(i+1), 2) + " ")
		b.WriteString(stepCell(st, stepW))
		for c, col := range cols {
			b.WriteByte(' ')
			if col.num {
				b.WriteString(padLeft(cells[i][c], widths[c]))
			} else {
				b.WriteString(pad(cells[i][c], widths[c]))
			}
		}
		if mk := marks(w, i); mk != "" {
			if short {
				mk = "◀"
			}
			b.WriteString(" " + mk)
		}
		line := m.fit(b.String())
		switch {
		case i == w.Bottleneck:
			line = m.th.Warning.Render(line)
		case st.Sidecar:
			line = m.th.StepSidecar.Render(line)
		}
		out = append(out, line)
	}
	for _, l := range funnelLegend(w, width) {
		out = append(out, m.th.Muted.Render(m.fit(l)))
	}
	return out
}

// stepWidth is the cells the step's name takes unshortened.
func stepWidth(st *rollout.Step) int {
	n := ansi.StringWidth(model.Sanitize(st.Name))
	if st.Sidecar {
		n += len(sidecarTag)
	}
	return n
}

// sidecarTag follows a sidecar's name.
const sidecarTag = " (sidecar)"

// stepCell is the step's name in w cells, " (sidecar)" kept when the name
// must be shortened.
func stepCell(st *rollout.Step, w int) string {
	name := model.Sanitize(st.Name)
	if !st.Sidecar {
		return pad(name, w)
	}
	if w <= len(sidecarTag)+1 {
		return pad(name+sidecarTag, w)
	}
	return pad(pad(name, min(ansi.StringWidth(name), w-len(sidecarTag)))+sidecarTag, w)
}

// marks is the row-end mark of step i: bottleneck, slowest, both or none.
func marks(w *rollout.Workload, i int) string {
	switch {
	case i == w.Bottleneck && i == w.Slowest:
		return markBottleneck + ", slowest"
	case i == w.Bottleneck:
		return markBottleneck
	case i == w.Slowest:
		return markSlowest
	}
	return ""
}

// funnelLegend names the bottleneck and the slowest step in words, and
// what the distribution shows: on one line when it fits, else one line
// each.
func funnelLegend(w *rollout.Workload, width int) []string {
	var parts []string
	if i := w.Bottleneck; i >= 0 && i < len(w.Steps) {
		st := &w.Steps[i]
		parts = append(parts, "◀ bottleneck (most pods held): "+strconv.Itoa(i+1)+" "+model.Sanitize(st.Name)+", "+plural(st.Held(), "pod", "pods"))
	}
	if i := w.Slowest; i >= 0 && i < len(w.Steps) {
		st := &w.Steps[i]
		parts = append(parts, "◀ slowest (p95): "+strconv.Itoa(i+1)+" "+model.Sanitize(st.Name)+", "+rollout.DurationText(st.Durations.P95, st.Durations.Count))
	}
	parts = append(parts, "distribution: finished runs, 0 to max")
	if one := "   " + strings.Join(parts, " · "); ansi.StringWidth(one) <= width {
		return []string{one}
	}
	for i := range parts {
		parts[i] = "   " + parts[i]
	}
	return parts
}

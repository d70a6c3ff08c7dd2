package detail

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/initwatch/initwatch/model"
)

// detailArrow joins statuses in the history summary.
const detailArrow = " → "

// historyLines renders the History pane: the chain of STATUS values the pod
// went through while watched, then each with when it began (absolute and
// relative) and how long the pod stayed in it.
func (d *Model) historyLines(f *detailFacts) []string {
	th := d.theme
	w := d.width
	if len(d.history) == 0 {
		return []string{
			detailStyled(th.Muted, "No STATUS change recorded yet: history starts when initwatch first sees the pod."),
			detailStyled(th.HeaderLabel, "Current STATUS: ") + detailStyled(detailCategoryStyle(th, f.category), detailClean(f.printed.Status)),
		}
	}
	h := model.History{Limit: len(d.history)}
	for _, t := range d.history {
		h.Observe(detailClean(t.Status), t.At)
	}
	spans := h.Spans(f.now)

	// The chain, wrapped between statuses rather than inside one.
	var out []string
	line, lineW := "", 0
	for i, s := range spans {
		text := s.Status
		if i < len(spans)-1 {
			text += detailArrow
		}
		tw := lipgloss.Width(text)
		if lineW > 0 && lineW+tw > w {
			out = append(out, line)
			line, lineW = "", 0
		}
		styled := detailStyled(d.statusStyle(s.Status), s.Status)
		if i < len(spans)-1 {
			styled += detailStyled(th.Muted, detailArrow)
		}
		line += styled
		lineW += tw
	}
	out = append(out, line, "")

	cols := []detailColumn{{title: "STATUS"}, {title: "SINCE", spill: true}, {title: "AGO", spill: true}, {title: "FOR"}}
	rows := make([][]detailCell, 0, len(spans))
	for _, s := range spans {
		st := d.statusStyle(s.Status)
		dur := model.HumanDuration(s.For)
		if s.Open {
			dur += " (current)"
		}
		rows = append(rows, []detailCell{
			{text: s.Status, style: &st},
			{text: detailClock(s.From, f.now)},
			{text: detailAgo(s.From, f.now)},
			{text: dur},
		})
	}
	return append(out, detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, w)...)
}

// statusStyle colours a recorded STATUS by the category it implies. Only
// the string was recorded, not readiness, so Running is coloured as ready;
// READY in the title line tells the present truth.
func (d *Model) statusStyle(status string) lipgloss.Style {
	p := model.Printed{Status: status, ReadyCount: 1, TotalCount: 1}
	return detailCategoryStyle(d.theme, model.Categorize("", p, nil))
}

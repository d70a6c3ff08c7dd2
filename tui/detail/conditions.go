package detail

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/initwatch/initwatch/model"
)

// conditionLines renders the Conditions pane: every condition the server
// sent, in the model's order (the order a pod goes through them).
func (d *Model) conditionLines(f *detailFacts) []string {
	th := d.theme
	conds := model.Conditions(d.pod)
	if len(conds) == 0 {
		return []string{detailStyled(th.Muted, "No conditions reported yet.")}
	}
	cols := []detailColumn{{title: "TYPE"}, {title: "STATUS"}, {title: "REASON", spill: true}, {title: "MESSAGE", wrap: true}, {title: "LAST TRANSITION", spill: true}}
	rows := make([][]detailCell, 0, len(conds))
	for _, c := range conds {
		last := "-"
		if c.LastTransitionTime != nil {
			last = detailAgo(*c.LastTransitionTime, f.now)
		}
		rows = append(rows, []detailCell{
			{text: detailClean(c.Type)},
			{text: detailClean(c.Status), style: d.conditionStyle(c.Status)},
			{text: detailClean(c.Reason)},
			{text: strings.Join(detailCleanLines(c.Message), "\n")},
			{text: last},
		})
	}
	return detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, d.width)
}

// conditionStyle colours True green, False as a warning, Unknown muted.
func (d *Model) conditionStyle(status string) *lipgloss.Style {
	th := d.theme
	switch status {
	case "True":
		return &th.StatusReady
	case "False":
		return &th.Warning
	}
	return &th.Muted
}

package detail

// eventLines renders the Events pane as kubectl describe lists events:
// TYPE REASON AGE FROM MESSAGE, newest first, repeats folded in AGE.
func (d *Model) eventLines(f *detailFacts) []string {
	th := d.theme
	if len(f.events) == 0 {
		// kubectl describe's word for it.
		return []string{detailStyled(th.Muted, "<none>")}
	}
	cols := []detailColumn{{title: "TYPE"}, {title: "REASON"}, {title: "AGE"}, {title: "FROM", spill: true}, {title: "MESSAGE", wrap: true}}
	rows := make([][]detailCell, 0, len(f.events))
	for i := range f.events {
		e := &f.events[i]
		row := []detailCell{
			{text: detailClean(e.Type)},
			{text: detailClean(e.Reason)},
			{text: detailClean(e.Age)},
			{text: detailClean(e.From)},
			{text: detailClean(e.Message)},
		}
		if e.Type != "Normal" {
			row[0].style = &th.Warning
			row[1].style = &th.Warning
		}
		rows = append(rows, row)
	}
	return detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, d.width)
}

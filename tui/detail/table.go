package detail

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// detailCell is one table cell: plain text and how to colour it.
type detailCell struct {
	text  string
	style *lipgloss.Style // nil: the row style
}

// detailColumn describes a table column. At most one column wraps: the one
// holding free text (MESSAGE). Spill columns leave the row for a line under
// it, rightmost first, when the window is too narrow for every column.
type detailColumn struct {
	title string
	wrap  bool
	spill bool
}

const (
	detailColumnGap = 2
	// detailMinWrap is the narrowest a wrapping column may be before its
	// text moves under the row instead: a message in a 10-cell column is
	// unreadable.
	detailMinWrap = 16
	// detailMinColumn is how far a fixed column shrinks when the window is
	// too narrow for every column at its natural width.
	detailMinColumn = 4
	// detailUnderIndent indents text moved under its row.
	detailUnderIndent = 4
)

// detailTable lays rows out in aligned columns within w cells. Fixed columns
// keep their natural width; the wrapping column takes what is left and
// wraps, or, when too little is left, leaves the row and goes on indented
// lines below it. When even the fixed columns do not fit, spill columns move
// under the row ("title: value"), then the widest columns are cut.
func detailTable(base, header, muted lipgloss.Style, cols []detailColumn, rows [][]detailCell, w int) []string {
	if w <= 0 || len(cols) == 0 {
		return nil
	}
	wrapCol := -1
	for i, c := range cols {
		if c.wrap {
			wrapCol = i
			break
		}
	}
	widths := make([]int, len(cols))
	for i, c := range cols {
		if i != wrapCol {
			widths[i] = lipgloss.Width(c.title)
		}
	}
	for _, r := range rows {
		for i := range cols {
			if i != wrapCol && i < len(r) {
				widths[i] = max(widths[i], lipgloss.Width(r[i].text))
			}
		}
	}
	spilled := make([]bool, len(cols))
	// visible lists the columns drawn on the row line.
	visible := func(under bool) []int {
		out := make([]int, 0, len(cols))
		for i := range cols {
			if (i != wrapCol || !under) && !spilled[i] {
				out = append(out, i)
			}
		}
		return out
	}
	fixedWidth := func(cs []int) int {
		s := detailColumnGap * max(len(cs)-1, 0)
		for _, i := range cs {
			if i != wrapCol {
				s += widths[i]
			}
		}
		return s
	}

	under := false
	if wrapCol >= 0 {
		widths[wrapCol] = w - fixedWidth(visible(false))
		if widths[wrapCol] < detailMinWrap {
			under = true
		}
	}
	shown := visible(under)
	for i := len(cols) - 1; i >= 0 && fixedWidth(shown) > w; i-- {
		if cols[i].spill && i != wrapCol {
			spilled[i] = true
			shown = visible(under)
		}
	}
	var spill []int
	for i := range cols {
		if spilled[i] {
			spill = append(spill, i)
		}
	}
	for fixedWidth(shown) > w {
		widest := -1
		for _, i := range shown {
			if i != wrapCol && widths[i] > detailMinColumn && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
	}

	// Text under a row is indented, unless the window is so narrow that
	// the indent would leave almost nothing.
	indentW := detailUnderIndent
	if w < 3*detailUnderIndent {
		indentW = 0
	}
	indent := strings.Repeat(" ", indentW)
	underW := max(w-indentW, 1)

	render := func(cells []detailCell, st lipgloss.Style, isHeader bool) []string {
		cell := func(i int) (string, lipgloss.Style) {
			if i >= len(cells) {
				return "", st
			}
			if cells[i].style != nil {
				return cells[i].text, *cells[i].style
			}
			return cells[i].text, st
		}
		var wrapped []string
		var wrapStyle lipgloss.Style
		if wrapCol >= 0 {
			text, ws := cell(wrapCol)
			wrapStyle = ws
			switch {
			case isHeader && !under:
				wrapped = []string{detailFit(text, widths[wrapCol])}
			case isHeader:
			case under:
				wrapped = detailWrap(text, underW)
			default:
				wrapped = detailWrap(text, widths[wrapCol])
			}
		}
		lines := 1
		if !under && len(wrapped) > 1 {
			lines = len(wrapped)
		}
		out := make([]string, 0, lines+len(wrapped))
		for j := 0; j < lines; j++ {
			var b strings.Builder
			for k, i := range shown {
				if k > 0 {
					b.WriteString(strings.Repeat(" ", detailColumnGap))
				}
				var text string
				cs := st
				switch {
				case i == wrapCol:
					if j < len(wrapped) {
						text = wrapped[j]
					}
					cs = wrapStyle
				case j == 0:
					text, cs = cell(i)
					text = detailFit(text, widths[i])
				}
				b.WriteString(detailStyled(cs, text))
				if k < len(shown)-1 {
					b.WriteString(strings.Repeat(" ", max(widths[i]-lipgloss.Width(text), 0)))
				}
			}
			out = append(out, detailFit(strings.TrimRight(b.String(), " "), w))
		}
		if len(spill) > 0 && !isHeader {
			var parts []string
			for _, i := range spill {
				// An absent value ("-", "") is not worth a line.
				if text, _ := cell(i); text != "" && text != "-" {
					parts = append(parts, strings.ToLower(cols[i].title)+": "+text)
				}
			}
			for _, l := range detailPack(parts, underW) {
				out = append(out, indent+detailStyled(muted, l))
			}
		}
		if under {
			for _, l := range wrapped {
				if l != "" {
					out = append(out, indent+detailStyled(wrapStyle, l))
				}
			}
		}
		return out
	}

	titles := make([]detailCell, len(cols))
	for i, c := range cols {
		titles[i] = detailCell{text: c.title}
	}
	lines := render(titles, header, true)
	for _, r := range rows {
		lines = append(lines, render(r, base, false)...)
	}
	return lines
}

// detailPack puts parts on as few lines of w cells as it can, two spaces
// apart, breaking a part only when it is longer than a line.
func detailPack(parts []string, w int) []string {
	w = max(w, 1)
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
		case lipgloss.Width(line)+detailColumnGap+lipgloss.Width(p) <= w:
			line += strings.Repeat(" ", detailColumnGap) + p
			continue
		default:
			out = append(out, line)
		}
		if lipgloss.Width(p) <= w {
			line = p
			continue
		}
		wrapped := detailWrap(p, w)
		out = append(out, wrapped[:len(wrapped)-1]...)
		line = wrapped[len(wrapped)-1]
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

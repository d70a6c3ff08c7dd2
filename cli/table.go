package cli

import (
	"io"
	"strings"
	"unicode/utf8"
)

// kubectl's tab writer settings (k8s.io/cli-runtime printers): a column is at
// least 6 wide, padding included, and cells are separated by 3 spaces.
const (
	tableMinWidth = 6
	tablePadding  = 3
)

// table aligns rows into columns the way kubectl's tab writer does, and
// remembers column widths between writes, so the lines `get --watch` prints
// after the first table stay under their headers (kubectl's
// RememberWidths). Widths only ever grow.
//
// Cell width is counted in runes, as text/tabwriter counts it; cells are
// sanitized before they get here, so every rune is one printable character.
type table struct {
	w      io.Writer
	widths []int
}

func newTable(w io.Writer) *table { return &table{w: w} }

// write prints rows, widening the remembered columns to fit them first. The
// last column is not padded, so lines carry no trailing spaces.
func (t *table) write(rows [][]string) error {
	for _, row := range rows {
		for i, cell := range row {
			if i == len(row)-1 {
				continue
			}
			width := max(utf8.RuneCountInString(cell)+tablePadding, tableMinWidth)
			for len(t.widths) <= i {
				t.widths = append(t.widths, 0)
			}
			t.widths[i] = max(t.widths[i], width)
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(cell)))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

package view

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
)

// Ellipsis marks every cut the root model and the pod list make.
const Ellipsis = "…"

// CellText makes a string from the cluster safe for one table cell: no
// escape sequences or controls (model.Sanitize), and no tabs, whose width
// depends on the terminal.
func CellText(s string) string {
	s = model.Sanitize(s)
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", " ")
	}
	return s
}

// ClipLines cuts lines to width cells and keeps at most height of them.
func ClipLines(lines []string, width, height int) []string {
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, Ellipsis)
		}
	}
	return lines
}

// NewHelp is bubbles/help styled by the theme, for the footer and the `?`
// overlay.
func NewHelp(th themes.Theme) help.Model {
	h := help.New()
	h.Styles = help.Styles{
		Ellipsis:       th.Footer,
		ShortKey:       th.Title,
		ShortDesc:      th.Footer,
		ShortSeparator: th.Footer,
		FullKey:        th.Title,
		FullDesc:       th.Base,
		FullSeparator:  th.Muted,
	}
	return h
}

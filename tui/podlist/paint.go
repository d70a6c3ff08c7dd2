package podlist

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// paint is a lipgloss style reduced to the escape sequences it puts around
// a piece of text. Rows are drawn with paints, not with Style.Render: a row
// is a dozen styled runs, and Render re-derives the sequences (and
// allocates) for each; a paint writes two strings. Paints are taken from the
// colour profile in force when the App is built.
type paint struct {
	open, close string
}

// newPaint renders a sentinel with s and keeps what surrounds it. It suits
// styles of colours and attributes only (no padding, width or borders),
// applied to text without newlines or tabs, which is what rows hold.
func newPaint(s lipgloss.Style) paint {
	const sentinel = "x"
	out := s.Render(sentinel)
	i := strings.Index(out, sentinel)
	if i < 0 {
		return paint{}
	}
	return paint{open: out[:i], close: out[i+len(sentinel):]}
}

// write writes text painted; nothing for empty text.
func (p paint) write(b *strings.Builder, text string) {
	if text == "" {
		return
	}
	b.WriteString(p.open)
	b.WriteString(text)
	b.WriteString(p.close)
}

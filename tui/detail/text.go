package detail

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/model"
)

// detailEllipsis marks every cut the detail view makes.
const detailEllipsis = "…"

// detailTabWidth is how many spaces stand for a tab in cluster text: tabs have
// no fixed width on a terminal, so they would break column alignment.
const detailTabWidth = 4

// detailClean makes one cluster string safe and single-line for a cell.
// model.Sanitize keeps tabs, which the detail view cannot measure, so they
// become spaces here.
func detailClean(s string) string {
	s = model.Sanitize(s)
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", strings.Repeat(" ", detailTabWidth))
	}
	return s
}

// detailCleanLines is detailClean for text that may span lines (termination
// and condition messages): each line is returned on its own, trailing blank
// lines dropped.
func detailCleanLines(s string) []string {
	s = model.SanitizeMultiline(strings.TrimRight(s, " \t\r\n"))
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, "\t", strings.Repeat(" ", detailTabWidth))
	}
	return lines
}

// detailFit cuts s (plain or styled) to at most w cells, ending a cut line
// with an ellipsis.
func detailFit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, detailEllipsis)
}

// detailPad fits plain s to w cells and pads it with spaces to exactly w.
func detailPad(s string, w int) string {
	s = detailFit(s, w)
	if gap := w - lipgloss.Width(s); gap > 0 {
		s += strings.Repeat(" ", gap)
	}
	return s
}

// detailPadLeft is detailPad aligned right.
func detailPadLeft(s string, w int) string {
	s = detailFit(s, w)
	if gap := w - lipgloss.Width(s); gap > 0 {
		s = strings.Repeat(" ", gap) + s
	}
	return s
}

// detailWrap breaks plain s into lines of at most w cells, at spaces where
// it can and inside words where it must. Newlines in s are kept.
func detailWrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if lipgloss.Width(para) <= w {
			out = append(out, para)
			continue
		}
		for _, l := range strings.Split(ansi.Wrap(para, w, ""), "\n") {
			// Wrap keeps a wide character whole even when it overflows a
			// narrow limit; the cut keeps the promise of w cells.
			out = append(out, detailFit(strings.TrimRight(l, " "), w))
		}
	}
	return out
}

// detailStyled renders plain text with a style, leaving empty text alone so
// that no stray escape sequences frame nothing.
func detailStyled(st lipgloss.Style, s string) string {
	if s == "" {
		return ""
	}
	return st.Render(s)
}

// detailAgo renders how long ago t was at now, kubectl style ("12s ago").
func detailAgo(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return model.Since(t, now) + " ago"
}

// detailTimestamp renders an absolute time the way kubectl describe does,
// in the zone of the clock so that a fixed clock gives fixed text.
func detailTimestamp(t, now time.Time) string {
	return t.In(now.Location()).Format(time.RFC1123Z)
}

// detailClock renders an absolute time compactly: the time of day, with the
// date in front when it is not the day of now.
func detailClock(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	if t.Year() == now.Year() {
		return t.Format("Jan 02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

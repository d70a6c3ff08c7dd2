package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/podlist"
	"github.com/initwatch/initwatch/tui/view"
)

// headerInfo is what the two header lines show.
type headerInfo struct {
	context, cluster, scope string         // sanitized
	conn                    kube.ConnState // Err and Forbidden sanitized
	synced                  bool
	// list is the pod list's counts, order and narrowing.
	list podlist.Status
	// clusters, when several are shown, replace context, cluster and conn.
	clusters []clusterConn
}

// renderHeader draws the header in at most lines lines of width cells.
//
// Line 1: where we are (context, cluster, namespace scope) and, on the
// right, the connection state. Line 2: the counts and, on the right, how the
// list is ordered and narrowed.
func renderHeader(b *strings.Builder, h *headerInfo, th *themes.Theme, width, lines int, now time.Time) {
	if lines <= 0 || width <= 0 {
		return
	}
	label := func(s string) string { return th.HeaderLabel.Render(s) }
	value := func(s string) string { return th.HeaderValue.Render(s) }

	var left strings.Builder
	left.WriteString(th.Title.Render("initwatch"))
	if len(h.clusters) > 0 {
		left.WriteString(label("  ns ") + value(scopeText(h.scope)))
		b.WriteString(joinEnds(left.String(), clustersText(h.clusters, th, now), width))
		if lines > 1 {
			b.WriteByte('\n')
			b.WriteString(countsLine(h, th, width))
		}
		return
	}
	if h.context != "" {
		left.WriteString(label("  ctx ") + value(h.context))
	}
	if h.cluster != "" && h.cluster != h.context {
		left.WriteString(label("  cluster ") + value(h.cluster))
	}
	left.WriteString(label("  ns ") + value(scopeText(h.scope)))
	b.WriteString(joinEnds(left.String(), connText(h, th, now), width))
	if lines == 1 {
		return
	}
	b.WriteByte('\n')
	b.WriteString(countsLine(h, th, width))
}

func scopeText(scope string) string {
	if scope == "" {
		return "all namespaces"
	}
	return scope
}

// countsLine is the header's second line: the counts and, on the right,
// how the list is ordered and narrowed.
func countsLine(h *headerInfo, th *themes.Theme, width int) string {
	view := viewText(h, th)
	cnt := countsText(h, th, false)
	if ansi.StringWidth(cnt)+1+ansi.StringWidth(view) > width {
		cnt = countsText(h, th, true)
	}
	return joinEnds(cnt, view, width)
}

// connText is the connection state, with a "stale" mark whenever what is
// shown may no longer be true. A forbidden scope is not stale: it is never
// watched, and everything shown comes from scopes that are live.
func connText(h *headerInfo, th *themes.Theme, now time.Time) string {
	c := h.conn
	stale := ""
	if !c.Since.IsZero() {
		stale = " " + model.Since(c.Since, now)
	}
	switch c.Phase {
	case kube.ConnLive:
		return th.ConnLive.Render("● live")
	case kube.ConnReconnecting:
		msg := "reconnecting"
		if c.Err != "" {
			msg += ": " + c.Err
		}
		return th.ConnReconnecting.Render("◌ "+msg) + th.Warning.Render(" · stale"+stale)
	case kube.ConnForbidden:
		return th.ConnForbidden.Render("✗ " + forbiddenText(c.Forbidden))
	}
	if h.synced {
		return th.ConnLive.Render("● live")
	}
	return th.Warning.Render("◌ connecting…")
}

// countsText is the pod counts; compact uses short words for narrow screens.
func countsText(h *headerInfo, th *themes.Theme, compact bool) string {
	c := h.list.Counts
	var s strings.Builder
	num := func(n int, word string, style func(...string) string) {
		if s.Len() > 0 {
			s.WriteString(th.Muted.Render("  "))
		}
		t := strconv.Itoa(n) + " " + word
		if n == 0 {
			s.WriteString(th.Muted.Render(t))
			return
		}
		s.WriteString(style(t))
	}
	initWord, failWord := "initializing", "failing"
	if compact {
		initWord, failWord = "init", "fail"
	}
	num(c.Initializing, initWord, th.StatusInitializing.Render)
	num(c.Failing, failWord, th.StatusFailing.Render)
	num(c.Ready, "ready", th.StatusReady.Render)
	num(c.Total, "total", th.HeaderValue.Render)
	return s.String()
}

// viewText says how the list is ordered and narrowed.
func viewText(h *headerInfo, th *themes.Theme) string {
	l := &h.list
	var parts []string
	if l.Query != "" {
		parts = append(parts, th.Match.Render("/"+l.Query)+th.Muted.Render(" ("+strconv.Itoa(l.Matches)+")"))
	}
	only := ""
	switch {
	case l.OnlyInit && l.OnlyFailing:
		only = "only initializing+failing"
	case l.OnlyInit:
		only = "only initializing"
	case l.OnlyFailing:
		only = "only failing"
	}
	if only != "" {
		t := th.HeaderValue.Render(only)
		if l.Query == "" {
			t += th.Muted.Render(" (" + strconv.Itoa(l.Matches) + ")")
		}
		parts = append(parts, t)
	}
	if l.Grouped {
		parts = append(parts, th.HeaderValue.Render("by owner"))
	}
	parts = append(parts, th.HeaderLabel.Render("sort ")+th.HeaderValue.Render(l.Order))
	return strings.Join(parts, th.Muted.Render(" · "))
}

// joinEnds puts left and right on one line of width cells, right-aligned
// right. When both do not fit, right (the state) keeps its place and left is
// cut with "…"; when right alone is too wide it is cut too.
func joinEnds(left, right string, width int) string {
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if rw > width {
		return ansi.Truncate(right, width, view.Ellipsis)
	}
	if lw+1+rw > width {
		room := width - rw - 1
		if room < 10 {
			// Too narrow for both: the state matters more than the title.
			return ansi.Truncate(right, width, view.Ellipsis)
		}
		left = ansi.Truncate(left, room, view.Ellipsis)
		lw = ansi.StringWidth(left)
	}
	return left + strings.Repeat(" ", width-lw-rw) + right
}

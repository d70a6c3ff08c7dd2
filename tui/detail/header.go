package detail

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
)

// detailTabLabel is a tab's text in its long and short forms; the tab line
// uses the longest forms that fit.
type detailTabLabel struct {
	key   string // "1"
	long  string // "Init 2/4"
	short string // "Init"
}

// detailSegment is one labelled value of the title line.
type detailSegment struct {
	label string
	value string
	style lipgloss.Style
}

// detailMinName is the fewest cells the pod name keeps in the title line
// before STATUS is cut instead.
const detailMinName = 12

// renderTitle builds the title line: namespace/name, STATUS (coloured by
// category), READY, RESTARTS, AGE and node, dropping what does not fit from
// the right, STATUS last.
func (d *Model) renderTitle(f *detailFacts) string {
	w := d.width
	th := d.theme
	if d.pod == nil {
		return detailStyled(th.Title, detailFit("Pod detail", w))
	}
	pod := d.pod
	printed := f.printed

	name := detailClean(pod.Namespace) + "/" + detailClean(pod.Name)
	if ctx := model.ContextOf(pod); ctx != "" {
		// Several clusters: which one this pod is in.
		name = detailClean(ctx) + ": " + name
	}
	status := detailClean(printed.Status)
	statusStyle := detailCategoryStyle(th, f.category)
	if d.gone {
		status += " (deleted)"
		statusStyle = th.Error
	}

	nameWidth := lipgloss.Width(name)
	if room := w - lipgloss.Width(status) - detailColumnGap; nameWidth > room {
		nameWidth = max(room, min(detailMinName, nameWidth))
	}
	nameWidth = min(nameWidth, w)
	name = detailFit(name, nameWidth)
	line := detailStyled(th.Title, name)
	used := lipgloss.Width(name)
	add := func(s string, width int) bool {
		if used+detailColumnGap+width > w {
			return false
		}
		line += strings.Repeat(" ", detailColumnGap) + s
		used += detailColumnGap + width
		return true
	}
	if !add(detailStyled(statusStyle, status), lipgloss.Width(status)) {
		if room := w - used - detailColumnGap; room > 0 {
			add(detailStyled(statusStyle, detailFit(status, room)), min(room, lipgloss.Width(status)))
		}
		return line
	}
	segments := []detailSegment{
		{"ready", printed.Ready, th.HeaderValue},
		{"restarts", detailClean(printed.Restarts), th.HeaderValue},
		{"age", printed.Age, th.HeaderValue},
	}
	if node := pod.Spec.NodeName; node != "" {
		segments = append(segments, detailSegment{"node", detailClean(node), th.HeaderValue})
	}
	for _, s := range segments {
		text := detailStyled(th.HeaderLabel, s.label) + " " + detailStyled(s.style, s.value)
		if !add(text, lipgloss.Width(s.label)+1+lipgloss.Width(s.value)) {
			break
		}
	}
	return line
}

// detailCategoryStyle colours a STATUS by the category of its pod.
func detailCategoryStyle(th themes.Theme, c model.Category) lipgloss.Style {
	switch c {
	case model.CategoryFailing:
		return th.StatusFailing
	case model.CategoryInitializing:
		return th.StatusInitializing
	case model.CategoryReady:
		return th.StatusReady
	case model.CategoryDone:
		return th.StatusDone
	}
	return th.StatusNotReady
}

// renderTabs computes the tab labels, which carry counts: init progress,
// number of events.
func (d *Model) renderTabs(f *detailFacts) {
	keyOf := func(b []string) string {
		if len(b) == 0 {
			return "?"
		}
		// The last key of a binding is the digit ("l", "6" for logs).
		return b[len(b)-1]
	}
	k := d.keys
	keys := [detailPaneCount]string{
		keyOf(k.InitPane.Keys()), keyOf(k.Conditions.Keys()), keyOf(k.Events.Keys()),
		keyOf(k.History.Keys()), keyOf(k.Resources.Keys()), keyOf(k.Logs.Keys()),
	}
	d.tabs = [detailPaneCount]detailTabLabel{
		{long: "Init containers", short: "Init"},
		{long: "Conditions", short: "Cond"},
		{long: "Events", short: "Evts"},
		{long: "History", short: "Hist"},
		{long: "Resources", short: "Res"},
		{long: "Logs", short: "Logs"},
	}
	if f != nil {
		if p := f.progress; p.Total > 0 {
			d.tabs[PaneInit].long = fmt.Sprintf("Init containers %d/%d", p.Done, p.Total)
		}
		if n := len(f.events); n > 0 {
			d.tabs[PaneEvents].long = fmt.Sprintf("Events (%d)", n)
		}
		if d.previousLogs && d.logs == nil {
			d.tabs[PaneLogs].long = "Logs (previous)"
		}
	}
	for i := range d.tabs {
		d.tabs[i].key = keys[i]
	}
}

// tabLine draws the tabs, the active one in brackets (visible without
// colour), and on the right the scroll position when the pane overflows.
func (d Model) tabLine() string {
	w := d.width
	th := d.theme
	pos := ""
	if d.active != PaneLogs || d.logs == nil {
		if n, body := len(d.content[d.active]), d.bodyHeight(); n > body && body > 0 {
			off := d.offsets[d.active]
			pos = fmt.Sprintf("%d-%d/%d", off+1, min(off+body, n), n)
		}
	}
	room := w
	if pos != "" {
		room -= lipgloss.Width(pos) + 1
	}
	// Widest form first: every tab long; then every tab short; then only the
	// active tab named, the others by their key.
	forms := []func(i int, t detailTabLabel) string{
		func(_ int, t detailTabLabel) string { return t.key + " " + t.long },
		func(_ int, t detailTabLabel) string { return t.key + " " + t.short },
		func(i int, t detailTabLabel) string {
			if Pane(i) == d.active {
				return t.key + " " + t.short
			}
			return t.key
		},
	}
	var plain []string
	for _, form := range forms {
		plain = plain[:0]
		width := 0
		for i, t := range d.tabs {
			label := form(i, t)
			if Pane(i) == d.active {
				label = "[" + label + "]"
			} else {
				label = " " + label + " "
			}
			plain = append(plain, label)
			width += lipgloss.Width(label)
		}
		if width <= room {
			break
		}
	}
	var b strings.Builder
	used := 0
	for i, label := range plain {
		label = detailFit(label, room-used)
		if label == "" {
			break
		}
		used += lipgloss.Width(label)
		if Pane(i) == d.active {
			b.WriteString(th.ActiveTab.Render(label))
		} else {
			b.WriteString(th.InactiveTab.Render(label))
		}
	}
	if pos != "" && w-used > lipgloss.Width(pos) {
		b.WriteString(strings.Repeat(" ", w-used-lipgloss.Width(pos)))
		b.WriteString(th.Muted.Render(pos))
	}
	return b.String()
}

package logs

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// logPicker is the container chooser opened with the container key: an
// "auto" entry (follow the active init container) and every container of
// the pod.
type logPicker struct {
	open    bool
	items   []logPickerItem
	cursor  int
	current string // container shown when the picker opened
	pod     string // namespace/name, sanitized, for the title
}

type logPickerItem struct {
	name  string // "" for auto
	label string
	state string
}

func openLogPicker(pod *corev1.Pod, current string, pinned bool, now time.Time) logPicker {
	p := logPicker{open: true, current: current, pod: model.Sanitize(pod.Namespace + "/" + pod.Name)}
	active := logActiveContainer(pod, now)
	p.items = append(p.items, logPickerItem{label: "auto", state: "follow the active step: " + model.Sanitize(active)})
	for _, c := range logContainers(pod) {
		if pinned && c.name == current {
			p.cursor = len(p.items)
		}
		p.items = append(p.items, logPickerItem{
			name:  c.name,
			label: model.Sanitize(c.name),
			state: c.role + " · " + logStateSummary(logContainerStatus(pod, c.name)),
		})
	}
	return p
}

func (p *logPicker) move(d int) {
	p.cursor = min(max(p.cursor+d, 0), len(p.items)-1)
}

func (p *logPicker) choice() logPickerItem {
	if len(p.items) == 0 {
		return logPickerItem{}
	}
	return p.items[p.cursor]
}

// view draws the picker in h rows of width w.
func (m Model) pickerView(w, h int) []string {
	p := &m.picker
	rows := make([]string, 0, h)
	// The pod first, so a narrow pane cuts the key hints, not the name.
	title := "Show the log of a container of " + p.pod
	rows = append(rows, logFit(m.th.Title.Render(title)+m.th.Muted.Render("  (enter: choose · esc: cancel)"), w))
	// Keep the cursor visible when the list is taller than the pane.
	first := 0
	if room := h - 1; room > 0 && p.cursor >= room {
		first = p.cursor - room + 1
	}
	for i := first; i < len(p.items) && len(rows) < h; i++ {
		it := p.items[i]
		mark := "  "
		if it.name != "" && it.name == p.current {
			mark = "● "
		}
		line := fmt.Sprintf("%s%-20s %s", mark, it.label, it.state)
		if i == p.cursor {
			rows = append(rows, m.th.SelectedRow.Render(logFit(line, w)))
		} else {
			rows = append(rows, logFit(line, w))
		}
	}
	return rows
}

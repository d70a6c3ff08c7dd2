package rollouts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// sideBySideMin is the least width at which the new revision and the old
// ones are drawn in two columns; below it they are stacked, one labelled
// line each.
const sideBySideMin = 120

// gutter separates the two revision columns.
const gutter = " │ "

// workloadPanel draws the selected workload under the list, in the cells
// of a width-wide panel: its counts and kubectl's status sentence, the new
// revision next to the old ones (what the on-call watches: the new one
// progressing, the old one draining), and the funnel of the new revision's
// init steps with their durations' distribution, the bottleneck and the
// slowest step named. It is computed when the cursor, the summary or the
// size changes, never per frame.
func (m *Model) workloadPanel(w *rollout.Workload, width int) []string {
	if width <= 0 {
		return nil
	}
	out := []string{
		// The workload's name is on the selected row, right above.
		m.th.HeaderValue.Render(m.fit(w.Counts())),
		m.fit(statusSentence(w)),
	}
	out = append(out, m.revisionLines(w, width)...)
	out = append(out, m.funnelLines(w, width)...)
	return out
}

func statusSentence(w *rollout.Workload) string {
	s := model.Sanitize(w.Status)
	if w.Inferred && !strings.Contains(s, "owner not read") {
		s += " (owner not read: resolved from the pods)"
	}
	return s
}

// revisionLabels names the new and old revisions as the workload's kind
// does: a StatefulSet has an update and a current revision.
func revisionLabels(kind string) (newLabel, oldLabel string) {
	if kind == rollout.KindStatefulSet {
		return "update", "current"
	}
	return "new", "old"
}

// hasRevisions tells whether the kind rolls out from one revision to
// another, so "no old revision left" means the drain is over.
func hasRevisions(kind string) bool {
	switch kind {
	case rollout.KindDeployment, rollout.KindStatefulSet, rollout.KindDaemonSet:
		return true
	}
	return false
}

// revisionLines draws the revisions: side by side when the width allows
// and there is an old revision to watch drain, else stacked.
func (m *Model) revisionLines(w *rollout.Workload, width int) []string {
	if len(w.Revisions) == 0 || (len(w.Revisions) == 1 && w.Revisions[0].Name == "") {
		return nil
	}
	if width >= sideBySideMin && hasRevisions(w.Ref.Kind) {
		return m.sideBySide(w, width)
	}
	return m.stacked(w, width)
}

// capacity is what the bars are drawn against: the desired replicas, else
// every pod of the workload.
func capacity(w *rollout.Workload) int {
	if w.Desired != nil && *w.Desired > 0 {
		return int(*w.Desired)
	}
	return w.Pods
}

// share is n over the workload's capacity, 0 to 1.
func share(n int, w *rollout.Workload) float64 {
	c := capacity(w)
	if c == 0 {
		return 0
	}
	return float64(n) / float64(c)
}

// revisionName is "revision 2 · web-5d8f9c7b6", or the bare name when the
// number is unknown.
func revisionName(r *rollout.Revision) string {
	name := model.Sanitize(r.Name)
	if r.Number > 0 {
		return "revision " + strconv.FormatInt(r.Number, 10) + " · " + name
	}
	return name
}

// revisionCounts is the revision's pods and where they are: "8 pods, 0
// initialized, 0 ready, 8 failing". An old revision's initialized pods
// are left out (they all were, to serve), and so are the new one's when
// withInit is false (the stacked lines, under the counts line that has
// them); its terminating pods are said even when none, since the drain
// is what an old revision is watched for.
func revisionCounts(r *rollout.Revision, old, withInit bool) string {
	parts := []string{plural(r.Pods, "pod", "pods")}
	if !old && withInit {
		parts = append(parts, strconv.Itoa(r.Initialized)+" initialized")
	}
	parts = append(parts, strconv.Itoa(r.Ready)+" ready")
	if r.Succeeded > 0 {
		parts = append(parts, strconv.Itoa(r.Succeeded)+" completed")
	}
	if r.Failing > 0 {
		parts = append(parts, strconv.Itoa(r.Failing)+" failing")
	}
	if r.Failed > 0 {
		parts = append(parts, strconv.Itoa(r.Failed)+" failed")
	}
	if r.Terminating > 0 || old {
		parts = append(parts, strconv.Itoa(r.Terminating)+" terminating")
	}
	return strings.Join(parts, ", ")
}

// barLine is a labelled bar of n pods over the workload's capacity:
// "ready    [###.......]  30%  3 of 10 desired".
func barLine(label string, n int, w *rollout.Workload, barW int) string {
	of := "desired"
	if w.Desired == nil || *w.Desired == 0 {
		of = "pods"
	}
	return fmt.Sprintf("%-8s %s  %d of %d %s", label, rollout.Bar(share(n, w), barW), n, capacity(w), of)
}

// oldTotals sums the old revisions.
func oldTotals(w *rollout.Workload) (pods, ready, terminating int) {
	for i := 1; i < len(w.Revisions); i++ {
		r := &w.Revisions[i]
		pods += r.Pods
		ready += r.Ready
		terminating += r.Terminating
	}
	return pods, ready, terminating
}

// sideBySide puts the new revision in the left column and the old ones in
// the right: each with its counts and a bar against the desired replicas,
// the new one's ready pods growing, the old ones' serving pods draining.
func (m *Model) sideBySide(w *rollout.Workload, width int) []string {
	colW := (width - len([]rune(gutter))) / 2
	barW := max(min(colW-32, 30), 5)
	newLabel, oldLabel := revisionLabels(w.Ref.Kind)
	nr := &w.Revisions[0]

	left := []string{
		m.th.Title.Render(pad(strings.ToUpper(newLabel)+"  "+revisionName(nr), colW)),
		pad("  "+revisionCounts(nr, false, true), colW),
		m.th.StatusReady.Render(pad("  "+barLine("ready", nr.Ready, w, barW), colW)),
	}
	var right []string
	if len(w.Revisions) == 1 {
		right = append(right,
			m.th.Title.Render(pad(strings.ToUpper(oldLabel), colW)),
			m.th.Muted.Render(pad("  no "+oldLabel+" revision left: nothing to drain", colW)))
	} else {
		for i := 1; i < len(w.Revisions); i++ {
			r := &w.Revisions[i]
			right = append(right,
				m.th.Title.Render(pad(strings.ToUpper(oldLabel)+"  "+revisionName(r), colW)),
				pad("  "+revisionCounts(r, true, true), colW))
		}
		_, ready, _ := oldTotals(w)
		label := "serving"
		right = append(right, m.th.StatusNotReady.Render(pad("  "+barLine(label, ready, w, barW), colW)))
	}
	n := max(len(left), len(right))
	out := make([]string, 0, n)
	blank := strings.Repeat(" ", colW)
	for i := 0; i < n; i++ {
		l, r := blank, ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, l+m.th.Muted.Render(gutter)+r)
	}
	return out
}

// stacked is one line per revision, the new one first, each labelled "new"
// or "old" ("update"/"current" for a StatefulSet), with a bar of its ready
// pods against the desired replicas when the width leaves room for it.
func (m *Model) stacked(w *rollout.Workload, width int) []string {
	newLabel, oldLabel := revisionLabels(w.Ref.Kind)
	labelW := len(oldLabel)
	if len(newLabel) > labelW {
		labelW = len(newLabel)
	}
	const barW = 10
	withBar := width >= 60
	textW := width
	if withBar {
		textW = width - (barW + 9) // two spaces, "[", the bar, "] ", "100%"
	}
	out := make([]string, 0, len(w.Revisions))
	for i := range w.Revisions {
		r := &w.Revisions[i]
		label, style := newLabel, m.th.StatusReady
		if i > 0 {
			label, style = oldLabel, m.th.StatusNotReady
		}
		text := pad(fmt.Sprintf("%-*s  %s: %s", labelW, label, shortRevisionName(r), revisionCounts(r, i > 0, false)), textW)
		if withBar {
			text += "  " + rollout.Bar(share(r.Ready, w), barW)
		}
		out = append(out, style.Render(m.fit(text)))
	}
	return out
}

// shortRevisionName is "rev 2 web-5d8f9c7b6", for the stacked lines.
func shortRevisionName(r *rollout.Revision) string {
	name := model.Sanitize(r.Name)
	if r.Number > 0 {
		return "rev " + strconv.FormatInt(r.Number, 10) + " " + name
	}
	return name
}

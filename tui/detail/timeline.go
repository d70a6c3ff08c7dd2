package detail

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// detailSpan is one stretch of a step on the timeline.
type detailSpan struct {
	from, to time.Time
	glyph    string
	style    lipgloss.Style
	// open spans (running sidecars) last as long as the axis.
	open bool
}

const (
	// detailMinBar is the narrowest timeline bar worth drawing.
	detailMinBar = 4
	// detailMinTimelineName is the fewest cells a step name keeps.
	detailMinTimelineName = 8
)

// timelineLines draws one bar per init container on a common time axis:
// each run from its start to its end (running steps up to now), a crash
// looping step's last run followed by its back-off, sidecars until the end
// of initialization; the duration and restarts are printed after the bar.
func (d *Model) timelineLines(f *detailFacts) []string {
	th := d.theme
	w := d.width
	spans := make([][]detailSpan, len(f.steps))
	var origin, end time.Time
	extend := func(t time.Time, toEnd bool) {
		if origin.IsZero() || t.Before(origin) {
			origin = t
		}
		if toEnd && (end.IsZero() || t.After(end)) {
			end = t
		}
	}
	for i := range f.steps {
		spans[i] = d.stepSpans(&f.steps[i], f.now)
		for _, sp := range spans[i] {
			extend(sp.from, !sp.open)
			if !sp.open {
				extend(sp.to, true)
			}
		}
	}
	title := detailStyled(th.Title, "Timeline")
	if origin.IsZero() {
		return []string{title + detailStyled(th.Muted, "  no init container has started yet")}
	}
	if st := d.pod.Status.StartTime; st != nil && !st.IsZero() && st.Time.Before(origin) {
		// From the kubelet's admission of the pod: the gap before the first
		// bar is image pulls and volume set-up.
		origin = st.Time
	}
	if phase := d.pod.Status.Phase; end.IsZero() ||
		(!f.progress.Initialized && phase != corev1.PodFailed && phase != corev1.PodSucceeded) {
		// Initialization is under way: the axis runs to now, so a
		// running or backing-off step grows as time passes.
		end = f.now
	}
	if !end.After(origin) {
		end = origin.Add(time.Second)
	}
	span := end.Sub(origin)

	labels := make([]string, len(f.steps))
	nameW, labelW := 0, 0
	for i := range f.steps {
		labels[i] = detailTimelineLabel(&f.steps[i], spans[i])
		labelW = max(labelW, lipgloss.Width(labels[i]))
		nameW = max(nameW, lipgloss.Width(detailClean(f.steps[i].Name)))
	}
	spanText := model.HumanDuration(span)
	labelW = max(labelW, lipgloss.Width(spanText))
	nameW = min(nameW, max(detailMinTimelineName, w/3))
	barW := w - 1 - nameW - 1 - 1 - labelW
	if barW < detailMinBar {
		// Too narrow for bars: names and durations still say a lot.
		barW = 0
	}

	from := "first start"
	if st := d.pod.Status.StartTime; st != nil && st.Time.Equal(origin) {
		from = "pod start"
	}
	out := []string{title + detailStyled(th.Muted, fmt.Sprintf("  from %s (%s)", detailClock(origin, f.now), from))}
	for i := range f.steps {
		s := &f.steps[i]
		line := " " + detailStyled(d.phaseStyle(s.Phase), detailPad(detailClean(s.Name), nameW)) + " "
		if barW > 0 {
			line += d.bar(spans[i], origin, span, barW) + " "
		}
		line += detailStyled(th.Muted, labels[i])
		out = append(out, strings.TrimRight(line, " "))
	}
	if barW > 0 {
		axis := strings.Repeat(" ", 1+nameW+1) + "0s"
		axis += strings.Repeat(" ", max(barW-2-lipgloss.Width(spanText), 1)) + spanText
		out = append(out, detailStyled(th.Muted, axis))
	}
	return out
}

// stepSpans lists the stretches of time a step occupies.
func (d *Model) stepSpans(s *model.InitStep, now time.Time) []detailSpan {
	th := d.theme
	g := th.Glyphs
	st, last := s.State, s.LastState
	// The run before the current one, when the kubelet reported it: a
	// step that failed, then succeeded, shows both.
	var before []detailSpan
	hasLast := last.Kind == model.StateTerminated && last.StartedAt != nil && last.FinishedAt != nil
	if hasLast {
		before = []detailSpan{{from: *last.StartedAt, to: *last.FinishedAt, glyph: g.Failed, style: th.StepFailed}}
	}
	switch {
	case st.Kind == model.StateTerminated && st.StartedAt != nil && st.FinishedAt != nil:
		glyph, style := g.Succeeded, th.StepSucceeded
		if st.ExitCode == nil || *st.ExitCode != 0 {
			glyph, style = g.Failed, th.StepFailed
		}
		return append(before, detailSpan{from: *st.StartedAt, to: *st.FinishedAt, glyph: glyph, style: style})
	case st.Kind == model.StateRunning && st.StartedAt != nil:
		if s.Kind == model.KindSidecar {
			return append(before, detailSpan{from: *st.StartedAt, to: now, glyph: g.Sidecar, style: th.StepSidecar, open: true})
		}
		return append(before, detailSpan{from: *st.StartedAt, to: now, glyph: g.Running, style: th.StepRunning})
	case hasLast:
		// Waiting to run again: the last run, then the wait (back-off),
		// drawn first so that the run keeps its cell when both round
		// to the same one.
		return []detailSpan{
			{from: *last.FinishedAt, to: now, glyph: g.Waiting, style: th.StepWaiting},
			{from: *last.StartedAt, to: *last.FinishedAt, glyph: g.Failed, style: th.StepFailed},
		}
	}
	return nil
}

// bar draws spans on a line of width cells covering [origin, origin+span].
func (d *Model) bar(spans []detailSpan, origin time.Time, span time.Duration, width int) string {
	type cell struct {
		glyph string
		style *lipgloss.Style
	}
	cells := make([]cell, width)
	col := func(t time.Time) float64 {
		return float64(t.Sub(origin)) / float64(span) * float64(width)
	}
	for i := range spans {
		sp := &spans[i]
		to := sp.to
		if sp.open {
			to = origin.Add(span)
		}
		a := int(col(sp.from))
		b := int(col(to) + 0.999)
		a = min(max(a, 0), width-1)
		b = min(max(b, a+1), width)
		for c := a; c < b; c++ {
			cells[c] = cell{glyph: sp.glyph, style: &sp.style}
		}
	}
	var b strings.Builder
	for i := 0; i < width; {
		j := i + 1
		for j < width && cells[j].style == cells[i].style && cells[j].glyph == cells[i].glyph {
			j++
		}
		run := strings.Repeat(cells[i].glyph, j-i)
		if cells[i].style == nil {
			run = strings.Repeat(" ", j-i)
		} else {
			run = cells[i].style.Render(run)
		}
		b.WriteString(run)
		i = j
	}
	return b.String()
}

// detailTimelineLabel is the text after a bar: how long the step took, and
// how often it restarted.
func detailTimelineLabel(s *model.InitStep, spans []detailSpan) string {
	var text string
	switch {
	case len(spans) == 0:
		text = "-"
	case s.Kind == model.KindSidecar && s.State.Kind == model.StateRunning:
		text = "running"
	default:
		run := spans[len(spans)-1]
		text = model.HumanDuration(max(run.to.Sub(run.from), 0))
	}
	if s.RestartCount > 0 {
		text += fmt.Sprintf(" ↻%d", s.RestartCount)
	}
	return text
}

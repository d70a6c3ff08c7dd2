package rollout

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/initwatch/initwatch/model"
)

// Text renders the summary as plain text, as `initwatch rollouts` prints
// it: the fallback notes first (what could not be read), then each
// workload (Workload.Text) separated by a blank line. It ends with a newline.
func (s *Summary) Text(now time.Time) string {
	var b strings.Builder
	for _, line := range s.Fallback {
		b.WriteString("note: " + line + "\n")
	}
	if len(s.Fallback) > 0 {
		b.WriteByte('\n')
	}
	if len(s.Workloads) == 0 {
		b.WriteString("No pods found.\n")
		return b.String()
	}
	for i := range s.Workloads {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.Workloads[i].Text(now))
		b.WriteByte('\n')
	}
	return b.String()
}

// Text renders one workload as plain text for the incident channel and the
// CLI: the headline, counts and progress, kubectl's status sentence, the
// revisions, the step funnel of the newest revision, and the failure
// signatures. No colour, no trailing newline; strings from the cluster are
// sanitised.
func (w *Workload) Text(now time.Time) string {
	var b strings.Builder
	b.WriteString(w.Headline(now))
	fmt.Fprintf(&b, "\n  %s  %s", w.Counts(), Bar(w.Progress, 20))
	fmt.Fprintf(&b, "\n  %s", model.Sanitize(w.Status))
	if w.Inferred && !strings.Contains(w.Status, noteFromPods) {
		b.WriteString("\n  (owner not read: resolved from the pods' ownerReferences and pod-template-hash)")
	}
	if len(w.Revisions) > 1 || (len(w.Revisions) == 1 && w.Revisions[0].Name != "") {
		b.WriteString("\n  revisions:")
		for _, r := range w.Revisions {
			b.WriteString("\n    " + r.line())
		}
	}
	if len(w.Steps) > 0 {
		b.WriteString("\n  init steps (newest revision):\n    ")
		b.WriteString(indentLines(w.stepTable(), "    "))
	}
	if len(w.Signatures) > 0 {
		b.WriteString("\n  failures:")
		for i := range w.Signatures {
			sig := &w.Signatures[i]
			b.WriteString("\n    " + sig.Headline())
			if sig.Message != "" {
				b.WriteString("\n      message: " + indentLines(sig.Message, "               "))
			}
			fmt.Fprintf(&b, "\n      %s; seen first %s ago, last %s ago; example %s",
				sig.stateText(), model.Since(sig.FirstSeen, now), model.Since(sig.LastSeen, now), sig.Example.Name)
			if _, one := sig.OnOneNode(); !one && len(sig.Nodes) > 0 {
				b.WriteString("\n      nodes: " + nodesText(sig.Nodes))
			}
		}
	}
	return b.String()
}

// Headline is the workload on one line: its name, the newest revision,
// and whether the rollout is done, failed, moving or stalled, since when.
func (w *Workload) Headline(now time.Time) string {
	var b strings.Builder
	b.WriteString(w.Ref.String())
	if len(w.Revisions) > 0 && w.Revisions[0].Number > 0 {
		fmt.Fprintf(&b, "  revision %d", w.Revisions[0].Number)
	}
	switch {
	case w.Ref.Kind == KindNone:
		// Pods without owner have no rollout to time.
		fmt.Fprintf(&b, "  %d of %d ready", w.Ready, w.Pods)
		return b.String()
	case w.Failed:
		b.WriteString("  FAILED")
	case w.Done:
		b.WriteString("  done")
	case w.Stalled:
		fmt.Fprintf(&b, "  STALLED for %s, rolling out for %s", stalledFor(w, now), model.HumanDuration(w.Running))
	default:
		fmt.Fprintf(&b, "  rolling out for %s", model.HumanDuration(w.Running))
	}
	if w.Moving && !w.Done {
		fmt.Fprintf(&b, ", moving (last step finished %s ago)", model.Since(w.LastProgress, now))
	}
	return b.String()
}

func stalledFor(w *Workload, now time.Time) string {
	if w.LastProgress.IsZero() || w.LastProgress.Before(w.Started) {
		return model.HumanDuration(w.Running)
	}
	return model.Since(w.LastProgress, now)
}

// Counts is the workload's numbers on one line: desired ("?" when
// unknown), updated, initialized, ready, and its pods.
func (w *Workload) Counts() string {
	desired := "?"
	if w.Desired != nil {
		desired = fmt.Sprint(*w.Desired)
	}
	return fmt.Sprintf("desired %s  updated %d  initialized %d  ready %d  (%d pods)",
		desired, w.Updated, w.Initialized, w.Ready, w.Pods)
}

// Bar draws progress (0 to 1) as an ASCII bar of width cells and a
// percentage: "[#######.............]  35%".
func Bar(progress float64, width int) string {
	progress = min(max(progress, 0), 1)
	n := int(progress*float64(width) + 0.5)
	return fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", n), strings.Repeat(".", width-n), int(progress*100+0.5))
}

func (r *Revision) line() string {
	tag := "old"
	if r.New {
		tag = "new"
	}
	name := model.Sanitize(r.Name)
	if r.Number > 0 {
		name = fmt.Sprintf("%s (revision %d)", name, r.Number)
	}
	s := fmt.Sprintf("%s  %s: %s, %d initialized, %d ready", tag, name, plural(r.Pods, "pod", "pods"), r.Initialized, r.Ready)
	if r.Failing > 0 {
		s += fmt.Sprintf(", %d failing", r.Failing)
	}
	if r.Terminating > 0 {
		s += fmt.Sprintf(", %d terminating", r.Terminating)
	}
	return s
}

// stepTable is the funnel as an aligned table.
func (w *Workload) stepTable() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTEP\tDONE\tIN IT\tFAILED\tNOT REACHED\tP50\tP95\tMAX\tDISTRIBUTION\tRESTARTS")
	for i := range w.Steps {
		st := &w.Steps[i]
		name := model.Sanitize(st.Name)
		if st.Sidecar {
			name += " (sidecar)"
		}
		marks := ""
		if i == w.Bottleneck {
			marks += "  <- bottleneck"
		}
		if i == w.Slowest {
			marks += "  <- slowest"
		}
		d := st.Durations
		// The marks share the last cell, so no column pads after them.
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d%s\n", i+1, name, st.Done, st.InIt(), st.Failed, st.NotReached,
			DurationText(d.P50, d.Count), DurationText(d.P95, d.Count), DurationText(d.Max, d.Count), Sparkline(d.Histogram), st.Restarts, marks)
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n")
}

// InIt is the pods in the step and what they do there:
// "5 (3 running, 2 CrashLoopBackOff)", or "0".
func (st *Step) InIt() string {
	n := st.Running + st.Waiting + st.CrashLooping
	if n == 0 {
		return "0"
	}
	var parts []string
	if st.Running > 0 {
		parts = append(parts, fmt.Sprintf("%d running", st.Running))
	}
	for _, r := range st.Reasons {
		parts = append(parts, fmt.Sprintf("%d %s", r.Count, model.Sanitize(r.Reason)))
	}
	if rest := st.Waiting + st.CrashLooping - reasonTotal(st.Reasons); rest > 0 {
		parts = append(parts, fmt.Sprintf("%d waiting", rest))
	}
	return fmt.Sprintf("%d (%s)", n, strings.Join(parts, ", "))
}

func reasonTotal(rs []ReasonCount) int {
	n := 0
	for _, r := range rs {
		n += r.Count
	}
	return n
}

// DurationText is one duration of a step's finished runs as the funnel
// shows it: "-" when there were none (n is their count), milliseconds
// under a second, else kubectl's short form ("4s", "3m2s").
func DurationText(d time.Duration, n int) string {
	if n == 0 {
		return "-"
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return model.HumanDuration(d)
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws a histogram as one block character per bucket, the
// tallest bucket full height, empty buckets blank; an empty histogram is "-".
func Sparkline(h []int) string {
	top := 0
	for _, n := range h {
		top = max(top, n)
	}
	if top == 0 {
		return "-"
	}
	out := make([]rune, len(h))
	for i, n := range h {
		switch {
		case n == 0:
			out[i] = ' '
		default:
			out[i] = sparks[min((n*len(sparks)-1)/top, len(sparks)-1)]
		}
	}
	return string(out)
}

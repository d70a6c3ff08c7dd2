package detail

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

const (
	// detailValueCol is the column where field values start, as kubectl
	// describe's tab writer aligns "Restart Count:" and friends.
	detailValueCol = 18
	// detailMinValueWrap is the narrowest a wrapped value may be; in a
	// window narrower than detailValueCol plus this, message lines are cut
	// rather than wrapped into slivers.
	detailMinValueWrap = 12
)

// initLines renders the Init containers pane: the restart policy and
// progress, the timeline, then one block per init container in spec order,
// grouped as kubectl describe groups them.
func (d *Model) initLines(f *detailFacts) []string {
	th := d.theme
	pod := d.pod
	var out []string
	if len(f.steps) == 0 {
		out = append(out, detailStyled(th.Muted, "This pod has no init containers."))
		return append(out, d.restartPolicyLine())
	}
	out = append(out, d.progressLine(f), d.restartPolicyLine(), "")
	out = append(out, d.timelineLines(f)...)

	reported := make(map[string]bool, len(pod.Status.InitContainerStatuses))
	for _, cs := range pod.Status.InitContainerStatuses {
		reported[cs.Name] = true
	}
	for i := range f.steps {
		s := &f.steps[i]
		out = append(out, "")
		out = append(out, d.stepHeader(f, s))
		if s.WillNotRetry {
			out = append(out, "  "+detailStyled(th.Error, "✗ will not retry ("+d.noRetryCause(s)+")"))
		}
		out = append(out, d.field(2, "Image", detailClean(s.Image), th.Base, false)...)
		if s.StatusImage != "" && detailImageDiffers(s.Image, s.StatusImage) {
			// The kubelet keeps running the old image until the next run
			// after a spec edit: say which one ran.
			out = append(out, d.field(2, "Image (status)", detailClean(s.StatusImage)+" (spec edited: next run uses Image)", th.Warning, false)...)
		}
		if s.ImageID != "" {
			out = append(out, d.field(2, "Image ID", detailClean(s.ImageID), th.Base, false)...)
		}
		if reported[s.Name] {
			out = append(out, d.stateLines("State", s.State, s, f.now)...)
			if s.LastState.Kind == model.StateTerminated {
				out = append(out, d.stateLines("Last State", s.LastState, s, f.now)...)
			}
			out = append(out, d.field(2, "Ready", detailBool(s.Ready), th.Base, false)...)
			out = append(out, d.field(2, "Restart Count", fmt.Sprint(s.RestartCount), th.Base, false)...)
		} else {
			out = append(out, d.field(2, "State", "no status reported yet", th.Muted, false)...)
		}
	}
	return out
}

// progressLine says how far initialization got and what holds it up.
func (d *Model) progressLine(f *detailFacts) string {
	th := d.theme
	p := f.progress
	line := detailStyled(th.HeaderValue, fmt.Sprintf("%d of %d complete", p.Done, p.Total))
	switch {
	case p.Initialized:
		line += " · " + detailStyled(th.StatusReady, "initialized")
	case p.Active >= 0 && p.Active < len(f.steps):
		s := &f.steps[p.Active]
		line += " · now: " + detailStyled(th.Title, fmt.Sprintf("%d/%d %s", p.Active+1, p.Total, detailClean(s.Name))) +
			" (" + detailStyled(d.phaseStyle(s.Phase), detailPhaseText(s.Phase)) + ")"
	}
	return line
}

// restartPolicyLine states the pod's restart policy and what it means for a
// failed init container.
func (d *Model) restartPolicyLine() string {
	th := d.theme
	policy := d.pod.Spec.RestartPolicy
	name := string(policy)
	if policy == "" {
		name = string(corev1.RestartPolicyAlways) + " (default)"
	}
	meaning := "failed init containers restart, with back-off"
	if policy == corev1.RestartPolicyNever {
		meaning = "a failed init container fails the pod"
	}
	return detailStyled(th.HeaderLabel, "restartPolicy: ") + detailStyled(th.HeaderValue, detailClean(name)) +
		detailStyled(th.Muted, " — "+meaning)
}

// noRetryCause names what stops the kubelet from running a failed step again.
func (d *Model) noRetryCause(s *model.InitStep) string {
	pod := d.pod
	if s.Index < len(pod.Spec.InitContainers) {
		c := &pod.Spec.InitContainers[s.Index]
		if len(c.RestartPolicyRules) > 0 {
			return "container restartPolicyRules"
		}
		if c.RestartPolicy != nil {
			return "container restartPolicy: " + detailClean(string(*c.RestartPolicy))
		}
	}
	if pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
		return "restartPolicy: Never"
	}
	return "pod " + detailClean(string(pod.Status.Phase))
}

// stepHeader is the first line of a step's block: position, name, phase,
// kind and duration; the step holding initialization up is marked ▶.
func (d *Model) stepHeader(f *detailFacts, s *model.InitStep) string {
	th := d.theme
	marker := "  "
	if s.Index == f.progress.Active {
		marker = detailStyled(th.Title, "▶ ")
	}
	parts := []string{detailStyled(d.phaseStyle(s.Phase), detailPhaseText(s.Phase)), d.kindText(s)}
	if t := detailDurationText(s); t != "" {
		parts = append(parts, detailStyled(th.Muted, t))
	}
	return marker + detailStyled(th.Title, fmt.Sprintf("%d/%d %s", s.Index+1, len(f.steps), detailClean(s.Name))) +
		"  " + strings.Join(parts, detailStyled(th.Muted, " · "))
}

// kindText tells a classic init container from a sidecar, which keeps
// running beside the app and may have probes.
func (d *Model) kindText(s *model.InitStep) string {
	if s.Kind != model.KindSidecar {
		return detailStyled(d.theme.Muted, "init")
	}
	text := "sidecar (restartPolicy: Always)"
	if s.HasStartupProbe {
		text += ", startup probe"
	}
	return detailStyled(d.theme.StepSidecar, text)
}

// detailPhaseText is a step phase in words.
func detailPhaseText(p model.StepPhase) string {
	switch p {
	case model.PhaseSidecarStarted:
		return "started, not ready"
	case model.PhaseSidecarReady:
		return "started, ready"
	case "":
		return string(model.PhaseWaiting)
	}
	return string(p)
}

// detailDurationText is how long a step's current (or, while it waits to be
// restarted, last) run took.
func detailDurationText(s *model.InitStep) string {
	if s.Duration != nil {
		switch s.State.Kind {
		case model.StateRunning:
			return "running for " + model.HumanDuration(*s.Duration)
		case model.StateTerminated:
			return "took " + model.HumanDuration(*s.Duration)
		}
	}
	if l := s.LastState; l.Kind == model.StateTerminated && l.StartedAt != nil && l.FinishedAt != nil {
		return "last run took " + model.HumanDuration(max(l.FinishedAt.Sub(*l.StartedAt), 0))
	}
	return ""
}

func (d *Model) phaseStyle(p model.StepPhase) lipgloss.Style {
	th := d.theme
	switch p {
	case model.PhaseSucceeded:
		return th.StepSucceeded
	case model.PhaseRunning:
		return th.StepRunning
	case model.PhaseFailed, model.PhaseCrashLooping:
		return th.StepFailed
	case model.PhaseSidecarStarted, model.PhaseSidecarReady:
		return th.StepSidecar
	}
	return th.StepWaiting
}

// stateLines renders a "State:" or "Last State:" block as kubectl describe
// does, plus the waiting message describe leaves out, signal names, and how
// long ago each timestamp was.
func (d *Model) stateLines(label string, st model.ContainerState, s *model.InitStep, now time.Time) []string {
	th := d.theme
	kind := string(st.Kind)
	if st.Kind == model.StateNone {
		kind = string(model.StateWaiting)
	}
	out := d.field(2, label, kind, th.HeaderValue, false)
	reasonStyle := th.Base
	if label == "State" {
		reasonStyle = d.phaseStyle(s.Phase)
	}
	if st.Reason != "" {
		out = append(out, d.field(3, "Reason", detailClean(st.Reason), reasonStyle, false)...)
	}
	if st.Message != "" {
		out = append(out, d.field(3, "Message", st.Message, th.Base, true)...)
	}
	if st.Kind == model.StateTerminated && st.ExitCode != nil {
		codeStyle := th.StepSucceeded
		if *st.ExitCode != 0 {
			codeStyle = th.Error
		}
		out = append(out, d.field(3, "Exit Code", detailExitCode(*st.ExitCode), codeStyle, false)...)
		if st.Signal != nil && *st.Signal > 0 {
			out = append(out, d.field(3, "Signal", detailSignal(*st.Signal), th.Error, false)...)
		}
	}
	if st.StartedAt != nil {
		out = append(out, d.field(3, "Started", detailTimestamp(*st.StartedAt, now)+" ("+detailAgo(*st.StartedAt, now)+")", th.Base, false)...)
	}
	if st.FinishedAt != nil {
		out = append(out, d.field(3, "Finished", detailTimestamp(*st.FinishedAt, now)+" ("+detailAgo(*st.FinishedAt, now)+")", th.Base, false)...)
	}
	return out
}

// field renders "Label:  value" indented for its describe level, the value
// aligned on detailValueCol. Values that wrap (messages) keep every line,
// aligned under the first.
func (d *Model) field(level int, label, value string, st lipgloss.Style, wrap bool) []string {
	th := d.theme
	indent := strings.Repeat("  ", max(level-1, 0))
	head := indent + label + ":"
	pad := max(detailValueCol-lipgloss.Width(head), 1)
	first := detailStyled(th.HeaderLabel, head) + strings.Repeat(" ", pad)
	if !wrap {
		return []string{first + detailStyled(st, detailClean(value))}
	}
	col := lipgloss.Width(head) + pad
	room := d.width - col
	var lines []string
	for _, l := range detailCleanLines(value) {
		if room >= detailMinValueWrap {
			lines = append(lines, detailWrap(l, room)...)
		} else {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return []string{strings.TrimRight(first, " ")}
	}
	out := []string{first + detailStyled(st, lines[0])}
	cont := strings.Repeat(" ", col)
	for _, l := range lines[1:] {
		out = append(out, cont+detailStyled(st, l))
	}
	return out
}

// detailBool prints a boolean as kubectl describe does.
func detailBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// detailSignalNames names the signals a container is commonly killed by.
var detailSignalNames = map[int32]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
	9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
}

func detailSignal(sig int32) string {
	if name, ok := detailSignalNames[sig]; ok {
		return fmt.Sprintf("%d (%s)", sig, name)
	}
	return fmt.Sprint(sig)
}

// detailExitCode prints an exit code, decoding the shell convention
// 128+N for a process killed by signal N (137 is an OOM or a kill -9).
func detailExitCode(code int32) string {
	if name, ok := detailSignalNames[code-128]; ok && code > 128 {
		return fmt.Sprintf("%d (128+%d, %s)", code, code-128, name)
	}
	return fmt.Sprint(code)
}

// detailImageDiffers reports whether the image the runtime reports is
// another image than the spec's, not merely its normalised spelling
// ("busybox:1.36" is "docker.io/library/busybox:1.36").
func detailImageDiffers(spec, status string) bool {
	norm := func(s string) string {
		s = strings.TrimPrefix(s, "docker.io/")
		s = strings.TrimPrefix(s, "library/")
		if !strings.ContainsAny(s[strings.LastIndex(s, "/")+1:], ":@") {
			s += ":latest"
		}
		return s
	}
	return norm(spec) != norm(status)
}

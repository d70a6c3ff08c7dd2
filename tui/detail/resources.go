package detail

import (
	"fmt"

	"github.com/charmbracelet/lipgloss"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// resourceLines renders the Resources pane: the pod's effective requests
// and limits, the init and app sides they come from and which one wins, in
// a table, in sentences, then the per-container values from the spec.
func (d *Model) resourceLines(_ *detailFacts) []string {
	th := d.theme
	w := d.width
	r := model.EffectiveResources(d.pod)
	figures := []struct {
		name string
		f    model.ResourceFigure
	}{
		{"cpu request", r.CPURequest},
		{"cpu limit", r.CPULimit},
		{"memory request", r.MemoryRequest},
		{"memory limit", r.MemoryLimit},
	}
	out := []string{detailStyled(th.Title, "Effective requests and limits")}
	for _, l := range detailWrap("effective = max(init, app) + overhead; init = the largest init container plus the sidecars started before it; app = the app containers plus every sidecar", w) {
		out = append(out, detailStyled(th.Muted, l))
	}
	out = append(out, "")
	cols := []detailColumn{{title: "RESOURCE"}, {title: "INIT"}, {title: "APP"}, {title: "OVERHEAD", spill: true}, {title: "EFFECTIVE"}, {title: "SET BY", spill: true}}
	rows := make([][]detailCell, 0, len(figures))
	for _, fg := range figures {
		side := string(fg.f.Dominant)
		if side == "" {
			side = "-"
		}
		rows = append(rows, []detailCell{
			{text: fg.name},
			{text: detailQuantity(fg.f.Init)},
			{text: detailQuantity(fg.f.App)},
			{text: detailQuantity(fg.f.Overhead)},
			{text: detailQuantity(fg.f.Effective), style: &th.HeaderValue},
			{text: side, style: d.sideStyle(fg.f.Dominant)},
		})
	}
	out = append(out, detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, w)...)
	out = append(out, "")
	for _, fg := range figures {
		for i, l := range detailWrap(detailResourceSentence(fg.name, fg.f), w-2) {
			prefix := "• "
			if i > 0 {
				prefix = "  "
			}
			out = append(out, prefix+detailStyled(*d.sideStyle(fg.f.Dominant), l))
		}
	}
	out = append(out, "", detailStyled(th.Title, "Containers (spec)"))
	return append(out, d.containerResourceTable()...)
}

// detailQuantity prints an absent quantity as kubectl prints an absent value.
func detailQuantity(q string) string {
	if q == "" {
		return "-"
	}
	return detailClean(q)
}

// sideStyle highlights the init side when it wins: that is the surprise the
// pane exists to show (an init container inflating what the pod reserves).
func (d *Model) sideStyle(s model.Side) *lipgloss.Style {
	th := d.theme
	switch s {
	case model.SideInit:
		return &th.Warning
	case model.SideNone:
		return &th.Muted
	}
	return &th.Base
}

// detailResourceSentence explains in one sentence where a figure comes from.
func detailResourceSentence(name string, f model.ResourceFigure) string {
	orNone := func(q string) string {
		if q == "" {
			return "none"
		}
		return detailClean(q)
	}
	var s string
	switch f.Dominant {
	case model.SideInit:
		s = fmt.Sprintf("init containers set the %s: %s > %s (app)", name, orNone(f.Init), orNone(f.App))
	case model.SideApp:
		s = fmt.Sprintf("app containers set the %s: %s > %s (init)", name, orNone(f.App), orNone(f.Init))
	case model.SideTie:
		s = fmt.Sprintf("init and app containers tie on the %s: %s", name, orNone(f.App))
	case model.SidePod:
		s = fmt.Sprintf("pod-level resources (spec.resources) set the %s: %s", name, orNone(f.Effective))
	default:
		return fmt.Sprintf("no container sets a %s", name)
	}
	if f.Overhead != "" {
		s += fmt.Sprintf(", plus overhead %s = %s", detailClean(f.Overhead), orNone(f.Effective))
	}
	return s
}

// containerResourceTable lists each container's own requests and limits, as
// written in the spec: init containers in order (sidecars marked), then app
// containers.
func (d *Model) containerResourceTable() []string {
	th := d.theme
	pod := d.pod
	cols := []detailColumn{{title: "CONTAINER"}, {title: "KIND", spill: true}, {title: "CPU REQ"}, {title: "CPU LIM", spill: true}, {title: "MEM REQ"}, {title: "MEM LIM", spill: true}}
	var rows [][]detailCell
	add := func(c *corev1.Container, kind string, style *lipgloss.Style) {
		q := func(l corev1.ResourceList, n corev1.ResourceName) string {
			if v, ok := l[n]; ok {
				return detailClean(v.String())
			}
			return "-"
		}
		rows = append(rows, []detailCell{
			{text: detailClean(c.Name)},
			{text: kind, style: style},
			{text: q(c.Resources.Requests, corev1.ResourceCPU)},
			{text: q(c.Resources.Limits, corev1.ResourceCPU)},
			{text: q(c.Resources.Requests, corev1.ResourceMemory)},
			{text: q(c.Resources.Limits, corev1.ResourceMemory)},
		})
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			add(c, "sidecar", &th.StepSidecar)
		} else {
			add(c, "init", &th.Muted)
		}
	}
	for i := range pod.Spec.Containers {
		add(&pod.Spec.Containers[i], "app", &th.Base)
	}
	if len(rows) == 0 {
		return []string{detailStyled(th.Muted, "no containers")}
	}
	return detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, d.width)
}

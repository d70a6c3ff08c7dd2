package logs

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// logDefaultContainerAnnotation names the container kubectl logs shows when
// none is given; initwatch honours it once initialization is over.
const logDefaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// logContainerRef is one container the logs pane can show.
type logContainerRef struct {
	name string
	role string // "init 2/3", "sidecar 1/3", "app", "ephemeral"
}

// logContainers lists every container of pod in the order a user thinks of
// them: init containers (sidecars among them) in spec order, then app
// containers, then ephemeral ones.
func logContainers(pod *corev1.Pod) []logContainerRef {
	if pod == nil {
		return nil
	}
	n := len(pod.Spec.InitContainers)
	refs := make([]logContainerRef, 0, n+len(pod.Spec.Containers)+len(pod.Spec.EphemeralContainers))
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		role := fmt.Sprintf("init %d/%d", i+1, n)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			role = fmt.Sprintf("sidecar %d/%d", i+1, n)
		}
		refs = append(refs, logContainerRef{name: c.Name, role: role})
	}
	for i := range pod.Spec.Containers {
		refs = append(refs, logContainerRef{name: pod.Spec.Containers[i].Name, role: "app"})
	}
	for i := range pod.Spec.EphemeralContainers {
		refs = append(refs, logContainerRef{name: pod.Spec.EphemeralContainers[i].Name, role: "ephemeral"})
	}
	return refs
}

// logRoleOf returns the role of the named container, "" if pod has none.
func logRoleOf(pod *corev1.Pod, name string) string {
	for _, r := range logContainers(pod) {
		if r.name == name {
			return r.role
		}
	}
	return ""
}

// logActiveContainer is the container the pane follows unless the user picked
// one: the init step that holds initialization up (running, or the one that
// failed last), and once initialization is over the app container kubectl
// would pick.
func logActiveContainer(pod *corev1.Pod, now time.Time) string {
	if pod == nil {
		return ""
	}
	steps := model.InitSteps(pod, now)
	p := model.InitProgress(pod, steps)
	if p.Active >= 0 {
		return steps[p.Active].Name
	}
	if !p.Initialized {
		// Before the kubelet reports any step (pending, scheduling), the
		// first step is the one the user waits for: the pane says it is
		// waiting, then attaches when it starts.
		for i := range steps {
			if !steps[i].Done() {
				return steps[i].Name
			}
		}
	}
	if name := pod.Annotations[logDefaultContainerAnnotation]; name != "" {
		for i := range pod.Spec.Containers {
			if pod.Spec.Containers[i].Name == name {
				return name
			}
		}
	}
	if len(pod.Spec.Containers) > 0 {
		return pod.Spec.Containers[0].Name
	}
	return ""
}

// logContainerStatus finds the status of the named container, nil if the
// kubelet has not reported it.
func logContainerStatus(pod *corev1.Pod, name string) *corev1.ContainerStatus {
	if pod == nil {
		return nil
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

// logHasCurrent reports whether the kubelet would serve a current log for
// cs (it serves the running run, a terminated one, or in back-off the last
// terminated run), and otherwise the reason it waits for.
func logHasCurrent(cs *corev1.ContainerStatus) (bool, string) {
	if cs == nil {
		return false, "PodInitializing"
	}
	if cs.State.Running != nil || cs.State.Terminated != nil || cs.LastTerminationState.Terminated != nil {
		return true, ""
	}
	if w := cs.State.Waiting; w != nil && w.Reason != "" {
		return false, w.Reason
	}
	return false, "PodInitializing"
}

// logHasPrevious reports whether the container has a terminated run the
// kubelet keeps (kubectl logs -p).
func logHasPrevious(cs *corev1.ContainerStatus) bool {
	return cs != nil && cs.LastTerminationState.Terminated != nil
}

// logIsRunning reports whether the container runs now: a follow that ends
// while it does was cut, not finished.
func logIsRunning(cs *corev1.ContainerStatus) bool {
	return cs != nil && cs.State.Running != nil
}

// logRestartCount is the run number of the container's current (or last) run.
func logRestartCount(cs *corev1.ContainerStatus) int32 {
	if cs == nil {
		return 0
	}
	return cs.RestartCount
}

// logStateSummary is a few words on where the container stands, for the
// pane's header: "Running", "CrashLoopBackOff (exit 1)", "Completed".
func logStateSummary(cs *corev1.ContainerStatus) string {
	if cs == nil {
		return "no status yet"
	}
	switch s := cs.State; {
	case s.Running != nil:
		return "Running"
	case s.Terminated != nil:
		reason := s.Terminated.Reason
		if reason == "" {
			reason = "Terminated"
		}
		return fmt.Sprintf("%s (exit %d)", model.Sanitize(reason), s.Terminated.ExitCode)
	case s.Waiting != nil:
		reason := s.Waiting.Reason
		if reason == "" {
			reason = "Waiting"
		}
		if t := cs.LastTerminationState.Terminated; t != nil {
			return fmt.Sprintf("%s (last exit %d)", model.Sanitize(reason), t.ExitCode)
		}
		return model.Sanitize(reason)
	}
	return "no state"
}

// logSanitizedName prints a container name: the API restricts names to DNS
// labels, but the pane never trusts cluster strings.
func logSanitizedName(name string) string { return model.Sanitize(name) }

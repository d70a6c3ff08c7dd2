package wait

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// Rule names a reason to stop waiting before the timeout.
type Rule string

const (
	// RuleFailedPod: a pod failed for good (phase Failed), typically an init
	// container that exited non-zero under restartPolicy: Never
	// (Init:Error). Relaxed by --stop-on-failed-pod=false.
	RuleFailedPod Rule = "failed-pod"
	// RuleMaxRestarts: a container (init containers included) restarted
	// more than --max-restarts times. -1 turns it off.
	RuleMaxRestarts Rule = "max-restarts"
	// RuleCrashLoop: with --fail-fast, a container waits in
	// CrashLoopBackOff (Init:CrashLoopBackOff).
	RuleCrashLoop Rule = "crash-loop"
	// RuleImagePull: an image could not be pulled for --pull-grace
	// (ErrImagePull, ImagePullBackOff); an invalid image name, or a
	// missing image under imagePullPolicy: Never, stops at once. 0 turns
	// it off.
	RuleImagePull Rule = "image-pull"
	// RuleUnschedulable: a pod was unschedulable for --schedule-grace.
	// 0 turns it off.
	RuleUnschedulable Rule = "unschedulable"
	// RuleProgressDeadline: the Deployment reports ProgressDeadlineExceeded
	// (what makes `kubectl rollout status` fail). Relaxed by
	// --stop-on-progress-deadline=false.
	RuleProgressDeadline Rule = "progress-deadline"
	// RuleJobFailed: the Job's Failed condition is True (backoff limit,
	// deadline, failure policy). A failed Job never completes, so this rule
	// is always on.
	RuleJobFailed Rule = "job-failed"
)

// Rules are the stop rules in force (the flags of `initwatch wait`).
type Rules struct {
	MaxRestarts            int           // -1: never stop for restarts
	FailFast               bool          // stop on CrashLoopBackOff
	PullGrace              time.Duration // 0: never stop for pull errors
	ScheduleGrace          time.Duration // 0: never stop for unschedulable pods
	StopOnFailedPod        bool
	StopOnProgressDeadline bool
}

// DefaultRules are the flags' defaults.
var DefaultRules = Rules{
	MaxRestarts:            3,
	PullGrace:              2 * time.Minute,
	ScheduleGrace:          5 * time.Minute,
	StopOnFailedPod:        true,
	StopOnProgressDeadline: true,
}

// Trip is one stop rule that fired.
type Trip struct {
	Rule Rule `json:"rule"`
	// Context is the cluster where it fired, when a wait spans several.
	Context   string `json:"context,omitempty"`
	Target    string `json:"target"`              // "deployment/app"
	Namespace string `json:"namespace,omitempty"` // of the pod, when a pod tripped it
	Pod       string `json:"pod,omitempty"`
	Container string `json:"container,omitempty"`
	// Detail says what happened, in one line, with the flag that relaxes
	// the rule.
	Detail string `json:"detail"`
}

// podMemory is what the watch remembers about a pod between updates: when
// each container was first seen failing to pull its image.
type podMemory struct {
	firstSeen time.Time
	pullSince map[string]time.Time
}

// observe updates the memory with the pod as it is now.
func (m *podMemory) observe(pod *corev1.Pod, now time.Time) {
	if m.firstSeen.IsZero() {
		m.firstSeen = now
	}
	seen := map[string]bool{}
	for _, cs := range allStatuses(pod) {
		if cs.State.Waiting == nil || !isPullError(cs.State.Waiting.Reason) {
			continue
		}
		seen[cs.Name] = true
		if m.pullSince == nil {
			m.pullSince = map[string]time.Time{}
		}
		if _, ok := m.pullSince[cs.Name]; !ok {
			m.pullSince[cs.Name] = now
		}
	}
	for name := range m.pullSince {
		if !seen[name] {
			delete(m.pullSince, name)
		}
	}
}

func allStatuses(pod *corev1.Pod) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(pod.Status.InitContainerStatuses)+len(pod.Status.ContainerStatuses))
	out = append(out, pod.Status.InitContainerStatuses...)
	return append(out, pod.Status.ContainerStatuses...)
}

func isPullError(reason string) bool {
	switch reason {
	case "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable":
		return true
	}
	return false
}

// neverPulls are pull errors a retry cannot fix.
func neverPulls(reason string) bool {
	return reason == "InvalidImageName" || reason == "ErrImageNeverPull"
}

// checkPod applies the pod rules. target names the target for the Trip.
func (r Rules) checkPod(target string, pod *corev1.Pod, steps []model.InitStep, mem *podMemory, now time.Time) []Trip {
	var trips []Trip
	trip := func(rule Rule, container, format string, args ...any) {
		trips = append(trips, Trip{Rule: rule, Target: target, Namespace: pod.Namespace, Pod: pod.Name,
			Container: container, Detail: fmt.Sprintf(format, args...)})
	}
	if r.StopOnFailedPod {
		if name, detail, failed := failedForGood(pod, steps); failed {
			trip(RuleFailedPod, name, "%s (relax with --stop-on-failed-pod=false)", detail)
		}
	}
	for _, cs := range allStatuses(pod) {
		what := containerWord(pod, cs.Name)
		if r.MaxRestarts >= 0 && int(cs.RestartCount) > r.MaxRestarts {
			trip(RuleMaxRestarts, cs.Name, "%s %s restarted %d times, more than --max-restarts=%d", what, cs.Name, cs.RestartCount, r.MaxRestarts)
		}
		w := cs.State.Waiting
		if w == nil {
			continue
		}
		if r.FailFast && w.Reason == "CrashLoopBackOff" {
			trip(RuleCrashLoop, cs.Name, "%s %s is in CrashLoopBackOff after %d restarts (--fail-fast)", what, cs.Name, cs.RestartCount)
		}
		if r.PullGrace > 0 && isPullError(w.Reason) {
			since, ok := mem.pullSince[cs.Name]
			switch {
			case neverPulls(w.Reason):
				trip(RuleImagePull, cs.Name, "%s %s cannot start: %s, which no retry fixes (--pull-grace=0 waits on)", what, cs.Name, w.Reason)
			case ok && now.Sub(since) >= r.PullGrace:
				trip(RuleImagePull, cs.Name, "%s %s could not pull its image for %s (%s; --pull-grace=%s, 0 waits on)",
					what, cs.Name, model.HumanDuration(now.Sub(since)), w.Reason, r.PullGrace)
			}
		}
	}
	if r.ScheduleGrace > 0 {
		for _, c := range pod.Status.Conditions {
			if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable {
				continue
			}
			since := c.LastTransitionTime.Time
			if since.IsZero() {
				since = mem.firstSeen
			}
			if d := now.Sub(since); d >= r.ScheduleGrace {
				trip(RuleUnschedulable, "", "unschedulable for %s (--schedule-grace=%s, 0 waits on): %s",
					model.HumanDuration(d), r.ScheduleGrace, model.Sanitize(c.Message))
			}
		}
	}
	return trips
}

// failedForGood reports a pod that will never run again: phase Failed, or
// an init container that failed and will not be retried. It names the
// container that failed when there is one.
func failedForGood(pod *corev1.Pod, steps []model.InitStep) (container, detail string, failed bool) {
	for i := range steps {
		s := &steps[i]
		if s.WillNotRetry && s.Phase == model.PhaseFailed {
			return s.Name, fmt.Sprintf("init container %s failed%s and will not be retried (restartPolicy: %s)",
				s.Name, exitText(s.State), pod.Spec.RestartPolicy), true
		}
	}
	if pod.Status.Phase != corev1.PodFailed {
		return "", "", false
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			return cs.Name, fmt.Sprintf("container %s failed with exit code %d and the pod failed", cs.Name, t.ExitCode), true
		}
	}
	reason := pod.Status.Reason
	if reason == "" {
		reason = "Failed"
	}
	msg := model.Sanitize(pod.Status.Message)
	if msg != "" {
		msg = ": " + msg
	}
	return "", fmt.Sprintf("the pod failed (%s)%s", model.Sanitize(reason), msg), true
}

func exitText(st model.ContainerState) string {
	switch {
	case st.ExitCode != nil && st.Signal != nil && *st.Signal != 0:
		return fmt.Sprintf(" with exit code %d (signal %d)", *st.ExitCode, *st.Signal)
	case st.ExitCode != nil:
		return fmt.Sprintf(" with exit code %d", *st.ExitCode)
	case st.Reason != "":
		return " (" + st.Reason + ")"
	}
	return ""
}

// containerWord says "init container" or "container".
func containerWord(pod *corev1.Pod, name string) string {
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			if pod.Spec.InitContainers[i].RestartPolicy != nil && *pod.Spec.InitContainers[i].RestartPolicy == corev1.ContainerRestartPolicyAlways {
				return "sidecar"
			}
			return "init container"
		}
	}
	return "container"
}

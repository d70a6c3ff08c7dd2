package model

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

const (
	reasonCrashLoopBackOff  = "CrashLoopBackOff"
	reasonContainerCreating = "ContainerCreating"
)

// InitSteps lists every init container of pod in spec order, each joined to
// its status by name (the kubelet reports statuses in spec order, but nothing
// in the API promises it). now dates the running duration of a step.
func InitSteps(pod *corev1.Pod, now time.Time) []InitStep {
	return appendInitSteps(nil, pod, now)
}

// appendInitSteps is InitSteps appending to dst, whose room a caller that
// computes steps over and over (the pod list, on every change) reuses.
func appendInitSteps(dst []InitStep, pod *corev1.Pod, now time.Time) []InitStep {
	if len(pod.Spec.InitContainers) == 0 {
		return dst
	}
	statuses := make(map[string]*corev1.ContainerStatus, len(pod.Status.InitContainerStatuses))
	for i := range pod.Status.InitContainerStatuses {
		cs := &pod.Status.InitContainerStatuses[i]
		if _, dup := statuses[cs.Name]; !dup {
			statuses[cs.Name] = cs
		}
	}
	for i := range pod.Spec.InitContainers {
		dst = append(dst, initStep(pod, i, statuses[pod.Spec.InitContainers[i].Name], now))
	}
	return dst
}

func initStep(pod *corev1.Pod, i int, cs *corev1.ContainerStatus, now time.Time) InitStep {
	c := &pod.Spec.InitContainers[i]
	s := InitStep{
		Index:           i,
		Name:            c.Name,
		Image:           c.Image,
		Kind:            KindInit,
		Phase:           PhaseWaiting,
		HasStartupProbe: c.StartupProbe != nil,
	}
	sidecar := isRestartable(c)
	if sidecar {
		s.Kind = KindSidecar
	}
	if cs == nil {
		return s
	}
	s.StatusImage = cs.Image
	s.ImageID = cs.ImageID
	s.State = flattenState(cs.State)
	s.LastState = flattenState(cs.LastTerminationState)
	s.Ready = cs.Ready
	s.RestartCount = cs.RestartCount
	if cs.Started != nil {
		started := *cs.Started
		s.Started = &started
	}
	s.Phase = stepPhase(cs, sidecar)
	s.Duration = stepDuration(cs.State, now)
	if s.Phase == PhaseFailed || s.Phase == PhaseCrashLooping {
		// A failed pod runs nothing again; otherwise only an exit can be
		// final, image pulls and container creation are always retried.
		t := cs.State.Terminated
		s.WillNotRetry = pod.Status.Phase == corev1.PodFailed ||
			(t != nil && !containerRestarts(&pod.Spec, c, t.ExitCode))
	}
	return s
}

// stepPhase classifies a status with the same precedence as kubectl's
// printer, so a step shown as done is exactly one kubectl walks past.
func stepPhase(cs *corev1.ContainerStatus, sidecar bool) StepPhase {
	t, w := cs.State.Terminated, cs.State.Waiting
	switch {
	case t != nil && t.ExitCode == 0:
		return PhaseSucceeded
	case sidecar && cs.Started != nil && *cs.Started:
		if cs.Ready {
			return PhaseSidecarReady
		}
		return PhaseSidecarStarted
	case t != nil:
		return PhaseFailed
	case w != nil && w.Reason == reasonCrashLoopBackOff:
		return PhaseCrashLooping
	case w != nil && isErrorWaitingReason(w.Reason):
		return PhaseFailed
	case cs.State.Running != nil:
		return PhaseRunning
	default:
		return PhaseWaiting
	}
}

// isErrorWaitingReason tells a waiting reason that means "something is wrong"
// (ErrImagePull, CreateContainerConfigError, ...) from the ordinary ones a
// container passes through on its way to running.
func isErrorWaitingReason(reason string) bool {
	switch reason {
	case "", reasonPodInitializing, reasonContainerCreating:
		return false
	}
	return true
}

// stepDuration is how long the current run took (terminated) or has taken so
// far (running); nil when the start is unknown.
func stepDuration(st corev1.ContainerState, now time.Time) *time.Duration {
	var d time.Duration
	switch {
	case st.Terminated != nil:
		t := st.Terminated
		if t.StartedAt.IsZero() || t.FinishedAt.IsZero() {
			return nil
		}
		d = t.FinishedAt.Sub(t.StartedAt.Time)
	case st.Running != nil:
		if st.Running.StartedAt.IsZero() {
			return nil
		}
		d = now.Sub(st.Running.StartedAt.Time)
	default:
		return nil
	}
	d = max(d, 0)
	return &d
}

func flattenState(st corev1.ContainerState) ContainerState {
	switch {
	case st.Terminated != nil:
		t := st.Terminated
		code, sig := t.ExitCode, t.Signal
		out := ContainerState{
			Kind:       StateTerminated,
			Reason:     Sanitize(t.Reason),
			Message:    SanitizeMultiline(t.Message),
			ExitCode:   &code,
			StartedAt:  timePtr(t.StartedAt.Time),
			FinishedAt: timePtr(t.FinishedAt.Time),
		}
		if sig != 0 {
			out.Signal = &sig
		}
		return out
	case st.Running != nil:
		return ContainerState{Kind: StateRunning, StartedAt: timePtr(st.Running.StartedAt.Time)}
	case st.Waiting != nil:
		return ContainerState{
			Kind:    StateWaiting,
			Reason:  Sanitize(st.Waiting.Reason),
			Message: SanitizeMultiline(st.Waiting.Message),
		}
	}
	return ContainerState{}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// containerRestarts reports whether the kubelet restarts container c after
// it exits with exitCode: container-level restartPolicyRules first, then the
// container's restartPolicy, then the pod's (Kubernetes >= 1.34 semantics).
// A RestartAllContainers rule restarts the whole pod, the container included.
func containerRestarts(spec *corev1.PodSpec, c *corev1.Container, exitCode int32) bool {
	if c.RestartPolicy != nil {
		if rule, ok := matchingRestartRule(c, exitCode); ok {
			switch rule.Action {
			case corev1.ContainerRestartRuleActionRestart, corev1.ContainerRestartRuleActionRestartAllContainers:
				return true
			}
		}
		switch *c.RestartPolicy {
		case corev1.ContainerRestartPolicyAlways:
			return true
		case corev1.ContainerRestartPolicyOnFailure:
			return exitCode != 0
		case corev1.ContainerRestartPolicyNever:
			return false
		}
	}
	switch spec.RestartPolicy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	default: // Always, and the unset default
		return true
	}
}

// matchingRestartRule returns the first rule whose exit-code requirement
// matches exitCode.
func matchingRestartRule(c *corev1.Container, exitCode int32) (corev1.ContainerRestartRule, bool) {
	for _, rule := range c.RestartPolicyRules {
		if rule.ExitCodes == nil {
			continue
		}
		in := false
		for _, v := range rule.ExitCodes.Values {
			if v == exitCode {
				in = true
				break
			}
		}
		switch rule.ExitCodes.Operator {
		case corev1.ContainerRestartRuleOnExitCodesOpIn:
			if in {
				return rule, true
			}
		case corev1.ContainerRestartRuleOnExitCodesOpNotIn:
			if !in {
				return rule, true
			}
		}
	}
	return corev1.ContainerRestartRule{}, false
}

// InitProgress summarises steps (from InitSteps of the same pod): how many
// are done, which one holds initialization up, and whether it is over.
func InitProgress(pod *corev1.Pod, steps []InitStep) Progress {
	p := Progress{Total: len(steps), Active: -1}
	firstPending := -1
	for i := range steps {
		if steps[i].Done() {
			p.Done++
		} else if firstPending < 0 {
			firstPending = i
		}
	}
	p.Initialized = initializedConditionTrue(&pod.Status) || (len(steps) > 0 && firstPending < 0)
	// Before the kubelet reports any init container, what holds the pod is
	// scheduling or sandbox creation, not its first step.
	if !p.Initialized && firstPending >= 0 && len(pod.Status.InitContainerStatuses) > 0 {
		p.Active = firstPending
		p.ActiveName = steps[firstPending].Name
	}
	return p
}

// Done reports whether initialization has moved past this step: it exited
// 0, or it is a sidecar that has started.
func (s *InitStep) Done() bool {
	switch s.Phase {
	case PhaseSucceeded, PhaseSidecarStarted, PhaseSidecarReady:
		return true
	}
	return false
}

// ContainerRestarts reports whether the kubelet runs container c of a pod
// with spec again after it exits with exitCode (restartPolicyRules, then the
// container's restartPolicy, then the pod's). The rollout summary uses it to
// tell a step failed for good from one that will be retried.
func ContainerRestarts(spec *corev1.PodSpec, c *corev1.Container, exitCode int32) bool {
	return containerRestarts(spec, c, exitCode)
}

// IsErrorWaitingReason tells a waiting reason that means something is wrong
// (ErrImagePull, CreateContainerConfigError, ...) from the ones a container
// passes through on its way to running.
func IsErrorWaitingReason(reason string) bool { return isErrorWaitingReason(reason) }

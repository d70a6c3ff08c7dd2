package demo

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Condition reasons and messages of the kubelet v1.37
// (pkg/kubelet/status/generate.go, pkg/kubelet/types/constants.go).
const (
	condContainersNotInitialized = "ContainersNotInitialized"
	condContainersNotReady       = "ContainersNotReady"
	condPodCompleted             = "PodCompleted"
	condPodFailed                = "PodFailed"
	condSandboxNotReady          = "PodSandboxNotReady"
	msgNoSandbox                 = "no pod sandbox exists"
	msgSandboxNotReady           = "pod sandbox is not ready"
)

// conditionSet remembers the conditions last written, so that
// lastTransitionTime moves only when a condition's status changes, as the
// kubelet's status manager does.
type conditionSet []corev1.PodCondition

func (s conditionSet) find(t corev1.PodConditionType) *corev1.PodCondition {
	for i := range s {
		if s[i].Type == t {
			return &s[i]
		}
	}
	return nil
}

// writeStatus regenerates the pod status from the containers' states, as
// the kubelet's generateAPIPodStatus does, and writes it.
func (p *simPod) writeStatus() {
	c := p.c
	if p.gone || c.failed() {
		return
	}
	st := &p.pod.Status
	if p.admitted {
		st.InitContainerStatuses = st.InitContainerStatuses[:0]
		st.ContainerStatuses = st.ContainerStatuses[:0]
		for _, k := range p.ctrs {
			if k.init {
				st.InitContainerStatuses = append(st.InitContainerStatuses, k.status())
			} else {
				st.ContainerStatuses = append(st.ContainerStatuses, k.status())
			}
		}
		phase := p.phase()
		st.Phase = phase
		st.ObservedGeneration = p.pod.Generation
		p.conds = p.kubeletConditions(phase)
		st.Conditions = append([]corev1.PodCondition(nil), p.conds...)
	}
	c.updateStatus(p.pod)
	if !p.wasReady && p.isReady() {
		p.wasReady = true
		if p.onReady != nil {
			hook := p.onReady
			// The controller learns it from its informer, a moment later.
			c.after(c.jitter(100*time.Millisecond, 400*time.Millisecond), func() { hook(p) })
		}
	}
	if !p.wasDone && st.Phase == corev1.PodSucceeded {
		p.wasDone = true
		if p.onDone != nil {
			hook := p.onDone
			c.after(c.jitter(100*time.Millisecond, 400*time.Millisecond), func() { hook(p) })
		}
	}
}

func (p *simPod) isReady() bool {
	r := p.conds.find(corev1.PodReady)
	return r != nil && r.Status == corev1.ConditionTrue
}

// phase follows the kubelet's getPhase for the states the simulator
// produces.
func (p *simPod) phase() corev1.PodPhase {
	if p.failed {
		return corev1.PodFailed
	}
	initialized := p.anyAppStarted()
	pendingInit, pendingSidecar := false, false
	running, waiting, stopped, succeeded := 0, 0, 0, 0
	for _, k := range p.ctrs {
		switch {
		case k.init && !k.sidecar:
			if !k.succeeded() {
				pendingInit = true
			}
		case k.sidecar:
			switch {
			case k.state.Running != nil:
				if !k.started {
					pendingSidecar = true
				}
				running++
			case k.state.Waiting != nil && k.last.Terminated == nil:
				pendingSidecar = true
				waiting++
			}
		default:
			switch {
			case k.state.Running != nil:
				running++
			case k.state.Terminated != nil:
				stopped++
				if k.state.Terminated.ExitCode == 0 {
					succeeded++
				}
			case k.last.Terminated != nil:
				stopped++
			default:
				waiting++
			}
		}
	}
	switch {
	case pendingInit || (pendingSidecar && !initialized) || waiting > 0:
		return corev1.PodPending
	case running > 0:
		return corev1.PodRunning
	case stopped > 0 && !p.terminating && p.pod.Spec.RestartPolicy != corev1.RestartPolicyAlways:
		// Containers that are not restarted once they exit 0 (a Job's
		// pod): all done means the pod succeeded.
		if stopped == succeeded {
			return corev1.PodSucceeded
		}
	case stopped > 0 && p.terminating:
		if stopped == succeeded {
			return corev1.PodSucceeded
		}
		return corev1.PodFailed
	}
	return corev1.PodRunning
}

// anyAppStarted is kubecontainer.HasAnyRegularContainerStarted: once an app
// container has run, the pod stays initialized.
func (p *simPod) anyAppStarted() bool {
	for _, k := range p.ctrs {
		if !k.init && (k.state.Running != nil || k.state.Terminated != nil) {
			return true
		}
	}
	return false
}

// kubeletConditions generates the five conditions the kubelet owns, in the
// order it writes them, keeping transition times of unchanged statuses.
func (p *simPod) kubeletConditions(phase corev1.PodPhase) conditionSet {
	containersReady := p.containersReady(phase)
	ready := containersReady
	ready.Type = corev1.PodReady
	gen := conditionSet{
		p.readyToStart(),
		p.initialized(phase),
		ready,
		containersReady,
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
	}
	now := p.c.stamp()
	old := conditionSet(p.pod.Status.Conditions)
	for i := range gen {
		g := &gen[i]
		g.ObservedGeneration = p.pod.Generation
		if o := old.find(g.Type); o != nil && o.Status == g.Status {
			g.LastTransitionTime = o.LastTransitionTime
		} else {
			g.LastTransitionTime = now
		}
	}
	return gen
}

func (p *simPod) readyToStart() corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue}
	if !p.sandbox {
		c.Status = corev1.ConditionFalse
		c.Reason = condSandboxNotReady
		c.Message = msgNoSandbox
		if p.failed || p.finishing {
			c.Message = msgSandboxNotReady // killed, not yet removed
		}
	}
	return c
}

func (p *simPod) initialized(phase corev1.PodPhase) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}
	if phase == corev1.PodSucceeded {
		c.Reason = condPodCompleted
		return c
	}
	if p.anyAppStarted() {
		return c
	}
	var incomplete []string
	for _, k := range p.ctrs {
		if !k.init {
			continue
		}
		if (k.sidecar && !k.started) || (!k.sidecar && !k.ready) {
			incomplete = append(incomplete, k.spec.Name)
		}
	}
	if len(incomplete) > 0 {
		c.Status = corev1.ConditionFalse
		c.Reason = condContainersNotInitialized
		c.Message = fmt.Sprintf("containers with incomplete status: %s", incomplete)
	}
	return c
}

func (p *simPod) containersReady(phase corev1.PodPhase) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}
	switch phase {
	case corev1.PodFailed:
		c.Status, c.Reason = corev1.ConditionFalse, condPodFailed
		return c
	case corev1.PodSucceeded:
		c.Status, c.Reason = corev1.ConditionFalse, condPodCompleted
		return c
	}
	var unready []string
	for _, k := range p.ctrs {
		if k.sidecar && !k.ready {
			unready = append(unready, k.spec.Name)
		}
	}
	for _, k := range p.ctrs {
		if !k.init && !k.ready {
			unready = append(unready, k.spec.Name)
		}
	}
	if len(unready) > 0 {
		c.Status = corev1.ConditionFalse
		c.Reason = condContainersNotReady
		c.Message = fmt.Sprintf("containers with unready status: %s", unready)
	}
	return c
}

// qosClass is the apiserver's QoS classification (helper qos.GetPodQOS,
// for pods without pod-level resources).
func qosClass(spec *corev1.PodSpec) corev1.PodQOSClass {
	all := append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...)
	some, guaranteed := false, true
	for _, c := range all {
		req, lim := c.Resources.Requests, c.Resources.Limits
		if len(req) > 0 || len(lim) > 0 {
			some = true
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			l, ok := lim[r]
			if !ok {
				guaranteed = false
				continue
			}
			if q, ok := req[r]; ok && q.Cmp(l) != 0 {
				guaranteed = false
			}
		}
	}
	switch {
	case !some:
		return corev1.PodQOSBestEffort
	case guaranteed:
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}

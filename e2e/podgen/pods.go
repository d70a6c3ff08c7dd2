package podgen

import (
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// HoldFinalizer keeps a deleted pod in the apiserver (Terminating) until
// the test removes it; nothing else in a bare control plane would.
const HoldFinalizer = "initwatch.dev/e2e-hold"

// CaseAnnotation records, on each pod, what the generator meant it to be:
// a failing comparison names the case, not just the pod.
const CaseAnnotation = "initwatch.dev/case"

// NodeName is the (non-existent) node generated pods are bound to; without
// a kubelet nothing checks it.
const NodeName = "node-1"

// Case is one pod to create and the status to write for it.
type Case struct {
	Pod *corev1.Pod
	// Status, when set, is written through the status subresource after
	// the pod is created; nil leaves what the apiserver set on create.
	Status *corev1.PodStatus
	// Delete deletes the pod after its status is written; it carries
	// HoldFinalizer, so it stays, with a deletion timestamp.
	Delete bool
}

// Plan is what a generated status says about each container.
type Plan struct {
	Init         []State
	InitRestarts []Restart // by index into Init; may be shorter
	Apps         []State
	AppRestarts  []Restart

	Phase   corev1.PodPhase // derived when empty
	Reason  string          // pod-level status.reason (Evicted, NodeLost, ...)
	Message string

	// Initialized and Ready override the derived conditions when set.
	Initialized *bool
	Ready       *bool
	// ReverseInit reports init container statuses in reverse spec order;
	// kubectl walks them in status order.
	ReverseInit bool
	// ExtraInit appends a status for an init container the spec does not
	// have (the API does not forbid it; a printer must not crash on it).
	ExtraInit *State
}

func boolPtr(b bool) *bool { return &b }

// newPod copies t into a pod called name.
func newPod(t Template, name, namespace, desc string, labels map[string]string) *corev1.Pod {
	pod := t.Pod.DeepCopy()
	pod.Name = name
	pod.Namespace = namespace
	pod.Labels = maps.Clone(pod.Labels)
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	maps.Copy(pod.Labels, labels)
	pod.Labels["template"] = t.Name
	pod.Annotations = map[string]string{CaseAnnotation: desc}
	pod.Spec.NodeName = NodeName
	// No kubelet will ever stop these containers: deleting must not wait.
	grace := int64(0)
	pod.Spec.TerminationGracePeriodSeconds = &grace
	return pod
}

// BuildStatus derives the pod status a kubelet would report for plan at
// base: container statuses, phase and conditions.
func BuildStatus(pod *corev1.Pod, plan Plan, base time.Time) corev1.PodStatus {
	st := corev1.PodStatus{
		Reason:    plan.Reason,
		Message:   plan.Message,
		StartTime: ptrTime(base.Add(-30 * time.Minute)),
	}
	initDone, initFailed := true, false
	sidecarsReady := true
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		s := Absent
		if i < len(plan.Init) {
			s = plan.Init[i]
		}
		if !isDone(s) {
			initDone = false
		}
		if isFailure(s) {
			initFailed = true
		}
		if isSidecar(c) && !isReady(s) {
			sidecarsReady = false
		}
		if s == Absent {
			continue
		}
		st.InitContainerStatuses = append(st.InitContainerStatuses, status(c, s, restartAt(plan.InitRestarts, i), base))
	}
	if plan.ExtraInit != nil {
		ghost := &corev1.Container{Name: "removed-step", Image: "busybox:1.36"}
		st.InitContainerStatuses = append(st.InitContainerStatuses, status(ghost, *plan.ExtraInit, Restart{}, base))
	}
	if plan.ReverseInit {
		s := st.InitContainerStatuses
		for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
			s[i], s[j] = s[j], s[i]
		}
	}
	appsReady, appsTerminated, appsFailed := len(plan.Apps) > 0, len(plan.Apps) > 0, false
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		s := Absent
		if i < len(plan.Apps) {
			s = plan.Apps[i]
		}
		if !isReady(s) {
			appsReady = false
		}
		if !isTerminated(s) {
			appsTerminated = false
		}
		if isFailure(s) {
			appsFailed = true
		}
		if s == Absent {
			continue
		}
		st.ContainerStatuses = append(st.ContainerStatuses, status(c, s, restartAt(plan.AppRestarts, i), base))
	}

	st.Phase = plan.Phase
	if st.Phase == "" {
		switch {
		case !initDone && initFailed && pod.Spec.RestartPolicy == corev1.RestartPolicyNever:
			st.Phase = corev1.PodFailed
		case !initDone:
			st.Phase = corev1.PodPending
		case appsTerminated && !appsFailed && pod.Spec.RestartPolicy != corev1.RestartPolicyAlways:
			st.Phase = corev1.PodSucceeded
		case appsTerminated && appsFailed && pod.Spec.RestartPolicy == corev1.RestartPolicyNever:
			st.Phase = corev1.PodFailed
		default:
			st.Phase = corev1.PodRunning
		}
	}
	initialized := initDone
	if plan.Initialized != nil {
		initialized = *plan.Initialized
	}
	ready := initDone && appsReady && sidecarsReady
	if plan.Ready != nil {
		ready = *plan.Ready
	}
	cond := func(t corev1.PodConditionType, ok bool, reason string) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionFalse, LastTransitionTime: metav1.NewTime(base.Add(-20 * time.Minute))}
		if ok {
			c.Status = corev1.ConditionTrue
		} else {
			c.Reason = reason
		}
		return c
	}
	st.Conditions = []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, true, ""),
		cond(corev1.PodInitialized, initialized, "ContainersNotInitialized"),
		cond(corev1.PodReady, ready, "ContainersNotReady"),
		cond(corev1.ContainersReady, ready, "ContainersNotReady"),
		cond(corev1.PodScheduled, true, ""),
	}
	return st
}

func restartAt(r []Restart, i int) Restart {
	if i < len(r) {
		return r[i]
	}
	return Restart{}
}

func ptrTime(t time.Time) *metav1.Time {
	m := metav1.NewTime(t)
	return &m
}

// describe summarises a plan for CaseAnnotation.
func describe(template string, plan Plan) string {
	s := fmt.Sprintf("%s init=%v apps=%v", template, plan.Init, plan.Apps)
	if plan.Phase != "" || plan.Reason != "" {
		s += fmt.Sprintf(" phase=%s reason=%s", plan.Phase, plan.Reason)
	}
	if plan.Initialized != nil {
		s += fmt.Sprintf(" initialized=%v", *plan.Initialized)
	}
	if plan.Ready != nil {
		s += fmt.Sprintf(" ready=%v", *plan.Ready)
	}
	if plan.ReverseInit {
		s += " reversed"
	}
	if plan.ExtraInit != nil {
		s += fmt.Sprintf(" extra=%s", *plan.ExtraInit)
	}
	for i, r := range plan.InitRestarts {
		if r.Count > 0 || r.LastAgo != nil {
			s += fmt.Sprintf(" init%d-restarts=%d", i, r.Count)
		}
	}
	for i, r := range plan.AppRestarts {
		if r.Count > 0 || r.LastAgo != nil {
			s += fmt.Sprintf(" app%d-restarts=%d", i, r.Count)
		}
	}
	return s
}

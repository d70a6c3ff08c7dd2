package model

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Reasons and phases kubectl's pod printer treats specially.
const (
	reasonPodInitializing = "PodInitializing"
	reasonCompleted       = "Completed"
	reasonSchedulingGated = "SchedulingGated" // corev1.PodReasonSchedulingGated
	reasonNodeLost        = "NodeLost"        // the node controller's NodeUnreachablePodReason
	statusRunning         = "Running"
	statusNotReady        = "NotReady"
	statusTerminating     = "Terminating"
	statusUnknown         = "Unknown"
)

// Print computes the READY, STATUS, RESTARTS and AGE columns of
// `kubectl get pods` for pod at the instant now.
//
// It follows printPod of k8s.io/kubernetes v1.37
// (pkg/printers/internalversion/printers.go), which the apiserver runs to
// build the table kubectl shows, branch for branch, including its quirks:
// init container statuses are walked in status order (not spec order), the
// "N" of Init:N/M is the index in that list, sidecars only count as ready when
// the walk reaches them, and the first app container in the list has the last
// word on STATUS. STATUS is passed through Sanitize, which leaves every
// printable string unchanged, so a hostile reason cannot reach a terminal raw.
func Print(pod *corev1.Pod, now time.Time) Printed {
	st := &pod.Status

	status := string(st.Phase)
	if st.Reason != "" {
		status = st.Reason
	}
	for _, c := range st.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == reasonSchedulingGated {
			status = reasonSchedulingGated
		}
	}

	total := len(pod.Spec.Containers)
	for i := range pod.Spec.InitContainers {
		if isRestartable(&pod.Spec.InitContainers[i]) {
			total++
		}
	}

	var (
		ready, restarts, sidecarRestarts int
		lastRestart, sidecarLastRestart  time.Time
		blocked                          bool
	)
	for i := range st.InitContainerStatuses {
		cs := &st.InitContainerStatuses[i]
		restarts += int(cs.RestartCount)
		lastRestart = laterTermination(lastRestart, cs)
		isSidecar := isRestartable(specInitContainer(pod, cs.Name))
		if isSidecar {
			sidecarRestarts += int(cs.RestartCount)
			sidecarLastRestart = laterTermination(sidecarLastRestart, cs)
		}
		t := cs.State.Terminated
		if t != nil && t.ExitCode == 0 {
			continue
		}
		if isSidecar && cs.Started != nil && *cs.Started {
			if cs.Ready {
				ready++
			}
			continue
		}
		status = initBlockedStatus(cs, i, len(pod.Spec.InitContainers))
		blocked = true
		break
	}

	if !blocked || initializedConditionTrue(st) {
		// Once initialized, only sidecars' restarts stay in the column:
		// finished init containers never run again in this pod's life.
		restarts = sidecarRestarts
		lastRestart = sidecarLastRestart
		var hasRunning bool
		var errorReason string
		for i := len(st.ContainerStatuses) - 1; i >= 0; i-- {
			cs := &st.ContainerStatuses[i]
			restarts += int(cs.RestartCount)
			lastRestart = laterTermination(lastRestart, cs)
			switch {
			case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
				status = cs.State.Waiting.Reason
			case cs.State.Terminated != nil:
				t := cs.State.Terminated
				switch {
				case t.Reason != "":
					status = t.Reason
				case t.Signal != 0:
					status = fmt.Sprintf("Signal:%d", t.Signal)
				default:
					status = fmt.Sprintf("ExitCode:%d", t.ExitCode)
				}
				if t.ExitCode != 0 {
					errorReason = status
				}
			case cs.Ready && cs.State.Running != nil:
				hasRunning = true
				ready++
			}
		}
		if status == reasonCompleted {
			switch {
			case hasRunning && anyReadyConditionTrue(st):
				status = statusRunning
			case errorReason != "":
				status = errorReason
			case hasRunning:
				status = statusNotReady
			}
		}
	}

	if pod.DeletionTimestamp != nil {
		if st.Reason == reasonNodeLost {
			status = statusUnknown
		} else if st.Phase != corev1.PodSucceeded && st.Phase != corev1.PodFailed {
			status = statusTerminating
		}
	}

	p := Printed{
		Ready:        fmt.Sprintf("%d/%d", ready, total),
		Status:       Sanitize(status),
		Restarts:     RestartsText(restarts, lastRestart, now),
		Age:          Since(pod.CreationTimestamp.Time, now),
		ReadyCount:   ready,
		TotalCount:   total,
		RestartCount: restarts,
	}
	if restarts != 0 && !lastRestart.IsZero() {
		t := lastRestart
		p.LastRestartAt = &t
	}
	return p
}

// initBlockedStatus is the STATUS of a pod whose initialization is held up
// by init container status cs, at index i of the status list; the caller has
// already ruled out a clean exit and a started sidecar, as kubectl does first.
func initBlockedStatus(cs *corev1.ContainerStatus, i, specCount int) string {
	t, w := cs.State.Terminated, cs.State.Waiting
	switch {
	case t != nil && t.Reason != "":
		return "Init:" + t.Reason
	case t != nil && t.Signal != 0:
		return fmt.Sprintf("Init:Signal:%d", t.Signal)
	case t != nil:
		return fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
	case w != nil && w.Reason != "" && w.Reason != reasonPodInitializing:
		return "Init:" + w.Reason
	default:
		return fmt.Sprintf("Init:%d/%d", i, specCount)
	}
}

// laterTermination returns the later of last and the finish time of cs's
// previous run, the "(5m ago)" of RESTARTS.
func laterTermination(last time.Time, cs *corev1.ContainerStatus) time.Time {
	if prev := cs.LastTerminationState.Terminated; prev != nil && last.Before(prev.FinishedAt.Time) {
		return prev.FinishedAt.Time
	}
	return last
}

// specInitContainer finds the init container a status belongs to. kubectl
// indexes the spec in a map, so with duplicate names (which validation
// forbids) the last one wins; nil when the status names no spec entry, which
// then never counts as a sidecar.
func specInitContainer(pod *corev1.Pod, name string) *corev1.Container {
	for i := len(pod.Spec.InitContainers) - 1; i >= 0; i-- {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i]
		}
	}
	return nil
}

// isRestartable reports whether an init container is a native sidecar.
func isRestartable(c *corev1.Container) bool {
	return c != nil && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// initializedConditionTrue mirrors kubectl: only the first Initialized
// condition in the list counts.
func initializedConditionTrue(st *corev1.PodStatus) bool {
	for _, c := range st.Conditions {
		if c.Type == corev1.PodInitialized {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// anyReadyConditionTrue mirrors kubectl's hasPodReadyCondition, which, unlike
// the Initialized check, accepts any Ready=True entry.
func anyReadyConditionTrue(st *corev1.PodStatus) bool {
	for _, c := range st.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

package model

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// conditionRank orders the condition types a pod goes through, in the order
// it goes through them; any other type (readiness gates, DisruptionTarget,
// PodResizePending, ...) follows, alphabetically.
var conditionRank = map[corev1.PodConditionType]int{
	corev1.PodScheduled:              0,
	corev1.PodReadyToStartContainers: 1,
	corev1.PodInitialized:            2,
	corev1.ContainersReady:           3,
	corev1.PodReady:                  4,
}

// Conditions returns every condition of pod in a stable order: PodScheduled,
// PodReadyToStartContainers, Initialized, ContainersReady, Ready, then the
// others by type. Duplicates (the API does not forbid them) keep their
// relative order. Reasons and messages are sanitized for the terminal.
func Conditions(pod *corev1.Pod) []Condition {
	if len(pod.Status.Conditions) == 0 {
		return nil
	}
	out := make([]Condition, 0, len(pod.Status.Conditions))
	for _, c := range pod.Status.Conditions {
		out = append(out, Condition{
			Type:               string(c.Type),
			Status:             string(c.Status),
			Reason:             Sanitize(c.Reason),
			Message:            SanitizeMultiline(c.Message),
			LastTransitionTime: timePtr(c.LastTransitionTime.Time),
			LastProbeTime:      timePtr(c.LastProbeTime.Time),
		})
	}
	slices.SortStableFunc(out, func(a, b Condition) int {
		ra, knownA := conditionRank[corev1.PodConditionType(a.Type)]
		rb, knownB := conditionRank[corev1.PodConditionType(b.Type)]
		switch {
		case knownA && knownB:
			return cmp.Compare(ra, rb)
		case knownA:
			return -1
		case knownB:
			return 1
		}
		return cmp.Compare(a.Type, b.Type)
	})
	return out
}

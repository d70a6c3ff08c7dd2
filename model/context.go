package model

import corev1 "k8s.io/api/core/v1"

// ContextAnnotation marks, on initwatch's own in-memory copy of a pod, the
// kubeconfig context it was read from. It is set by the informer transform of
// a source that watches one of several clusters (never written to a cluster),
// so everything downstream — keys, rows, summaries — can tell two pods of the
// same namespace/name in two clusters apart without a second object type.
// With a single cluster it is absent and ContextOf returns "".
const ContextAnnotation = "initwatch.dev/context"

// ContextOf returns the kubeconfig context a pod was read from, or "" when
// initwatch watches a single cluster.
func ContextOf(pod *corev1.Pod) string {
	if pod == nil {
		return ""
	}
	return pod.Annotations[ContextAnnotation]
}

package rollout

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// Kinds of workload and owner objects, as the API spells them.
const (
	KindDeployment  = "Deployment"
	KindReplicaSet  = "ReplicaSet"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
	KindJob         = "Job"
	KindCronJob     = "CronJob"
	// KindNone is the Kind of the workload that gathers, per namespace, the
	// pods without a controller.
	KindNone = ""
)

// PodRef names one pod. Context is the kubeconfig context it was read from
// ("" when one cluster is watched); Node is where it was scheduled ("" when
// not yet).
type PodRef struct {
	Context   string `json:"context,omitempty"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Node      string `json:"node,omitempty"`
}

// RefOf returns the PodRef of pod.
func RefOf(pod *corev1.Pod) PodRef {
	return PodRef{
		Context:   model.ContextOf(pod),
		Namespace: pod.Namespace,
		Name:      pod.Name,
		Node:      pod.Spec.NodeName,
	}
}

// String is "namespace/name", prefixed with "context:" when there is one.
func (r PodRef) String() string {
	s := r.Namespace + "/" + r.Name
	if r.Context != "" {
		s = r.Context + ":" + s
	}
	return s
}

// WorkloadRef identifies a workload: the top owner of its pods (a
// Deployment rather than its ReplicaSets, a CronJob rather than its Jobs).
// Kind is KindNone, and Name empty, for the pods of a namespace that have no
// controller.
type WorkloadRef struct {
	Context   string `json:"context,omitempty"`
	Namespace string `json:"namespace"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
}

// String is what kubectl would accept ("deployment/web" in its namespace),
// as "namespace/kind/name": "shop/Deployment/web", "shop/(no owner)",
// prefixed with "context:" when there is one.
func (w WorkloadRef) String() string {
	var b strings.Builder
	if w.Context != "" {
		b.WriteString(w.Context)
		b.WriteByte(':')
	}
	b.WriteString(w.Namespace)
	b.WriteByte('/')
	if w.Kind == KindNone {
		b.WriteString("(no owner)")
		return b.String()
	}
	b.WriteString(w.Kind)
	b.WriteByte('/')
	b.WriteString(w.Name)
	return b.String()
}

// OwnerKey names an owner object (a Deployment, a ReplicaSet, ...).
type OwnerKey struct {
	Context   string `json:"context,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// ownerAnnotations are the annotations the rollout summary reads; every
// other annotation (last-applied-configuration can be tens of kilobytes) is
// dropped from cached owners.
var ownerAnnotations = []string{
	rollout.RevisionAnnotation,
	rollout.DesiredReplicasAnnotation,
	model.ContextAnnotation,
}

// ownerLabels are the labels kept on cached owners.
var ownerLabels = []string{rollout.PodTemplateHashLabel}

// stripOwnerMeta keeps of an owner's metadata what resolution and the
// summary read: identity, generation (for "spec update observed"),
// creation, deletion, owners, and the few labels and annotations above.
func stripOwnerMeta(in metav1.Object) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:              in.GetName(),
		Namespace:         internString(in.GetNamespace()),
		UID:               in.GetUID(),
		ResourceVersion:   in.GetResourceVersion(),
		Generation:        in.GetGeneration(),
		CreationTimestamp: in.GetCreationTimestamp(),
		DeletionTimestamp: in.GetDeletionTimestamp(),
		OwnerReferences:   in.GetOwnerReferences(),
		Labels:            pick(in.GetLabels(), ownerLabels),
		Annotations:       pick(in.GetAnnotations(), ownerAnnotations),
	}
}

func pick(m map[string]string, keys []string) map[string]string {
	var out map[string]string
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if out == nil {
				out = make(map[string]string, len(keys))
			}
			out[k] = v
		}
	}
	return out
}

// StripDeployment keeps what `kubectl rollout status` and the summary read:
// replicas, strategy, pause, progress deadline, and the whole status; the
// pod template (the bulk of the object) goes.
func StripDeployment(d *appsv1.Deployment) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   d.TypeMeta,
		ObjectMeta: stripOwnerMeta(d),
		Spec: appsv1.DeploymentSpec{
			Replicas:                d.Spec.Replicas,
			Strategy:                d.Spec.Strategy,
			MinReadySeconds:         d.Spec.MinReadySeconds,
			Paused:                  d.Spec.Paused,
			ProgressDeadlineSeconds: d.Spec.ProgressDeadlineSeconds,
		},
		Status: d.Status,
	}
}

// StripStatefulSet keeps replicas, the update strategy and the status
// (current and update revisions).
func StripStatefulSet(s *appsv1.StatefulSet) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		TypeMeta:   s.TypeMeta,
		ObjectMeta: stripOwnerMeta(s),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            s.Spec.Replicas,
			UpdateStrategy:      s.Spec.UpdateStrategy,
			PodManagementPolicy: s.Spec.PodManagementPolicy,
			MinReadySeconds:     s.Spec.MinReadySeconds,
		},
		Status: s.Status,
	}
}

// StripDaemonSet keeps the update strategy and the status.
func StripDaemonSet(s *appsv1.DaemonSet) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		TypeMeta:   s.TypeMeta,
		ObjectMeta: stripOwnerMeta(s),
		Spec: appsv1.DaemonSetSpec{
			UpdateStrategy:  s.Spec.UpdateStrategy,
			MinReadySeconds: s.Spec.MinReadySeconds,
		},
		Status: s.Status,
	}
}

// StripJob keeps completions, parallelism, the back-off limit, suspension
// and the status.
func StripJob(j *batchv1.Job) *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   j.TypeMeta,
		ObjectMeta: stripOwnerMeta(j),
		Spec: batchv1.JobSpec{
			Completions:    j.Spec.Completions,
			Parallelism:    j.Spec.Parallelism,
			BackoffLimit:   j.Spec.BackoffLimit,
			CompletionMode: j.Spec.CompletionMode,
			Suspend:        j.Spec.Suspend,
		},
		Status: j.Status,
	}
}

// StripMetadata turns an owner of which only metadata is needed
// (ReplicaSets, CronJobs) into a trimmed PartialObjectMetadata of kind,
// whether it came from a metadata-only informer or a typed one.
func StripMetadata(kind string, obj metav1.Object) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{Kind: kind, APIVersion: apiVersionOf(kind)},
		ObjectMeta: stripOwnerMeta(obj),
	}
}

func apiVersionOf(kind string) string {
	switch kind {
	case rollout.KindJob, rollout.KindCronJob:
		return "batch/v1"
	}
	return "apps/v1"
}

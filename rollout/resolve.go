package rollout

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
)

// Placement is where a pod sits: its workload and the revision inside it.
type Placement struct {
	Workload WorkloadRef `json:"workload"`
	// Revision names the pod's revision within the workload: its
	// ReplicaSet (Deployment), its controller-revision-hash (StatefulSet,
	// DaemonSet), its Job (CronJob); "" when the workload has none.
	Revision string `json:"revision,omitempty"`
	// Number is the Deployment revision number from the ReplicaSet's
	// deployment.kubernetes.io/revision annotation; 0 when unknown.
	Number int64 `json:"number,omitempty"`
	// Inferred is true when an owner could not be read and the placement
	// comes from the pod alone (ownerReferences, pod-template-hash).
	Inferred bool `json:"inferred,omitempty"`
}

// Resolve places pod in its workload. It never fails: an owner it cannot
// read is named as the pod names it.
func (o *Owners) Resolve(pod *corev1.Pod) Placement {
	return o.resolve(immediateOf(&pod.ObjectMeta))
}

// ResolveMeta is Resolve from a pod's metadata, which is all it reads.
func (o *Owners) ResolveMeta(pod *metav1.ObjectMeta) Placement {
	return o.resolve(immediateOf(pod))
}

// immediateOf names the controller a pod names itself in its metadata,
// with the label that tells its revision.
func immediateOf(pod *metav1.ObjectMeta) immediate {
	k := immediate{context: pod.Annotations[model.ContextAnnotation], namespace: pod.Namespace}
	if ref := controllerOf(pod.OwnerReferences); ref != nil {
		k.kind, k.name = ref.Kind, ref.Name
		switch ref.Kind {
		case KindReplicaSet:
			k.hash = pod.Labels[PodTemplateHashLabel]
		case KindStatefulSet, KindDaemonSet:
			k.hash = pod.Labels[ControllerRevisionHashLabel]
		}
	}
	return k
}

func (o *Owners) resolve(k immediate) Placement {
	w := WorkloadRef{Context: k.context, Namespace: k.namespace, Kind: k.kind, Name: k.name}
	switch k.kind {
	case KindNone:
		return Placement{Workload: w}
	case KindReplicaSet:
		return o.resolveReplicaSet(w, k.hash)
	case KindJob:
		return o.resolveJob(w)
	case KindStatefulSet, KindDaemonSet:
		return Placement{Workload: w, Revision: k.hash}
	}
	return Placement{Workload: w}
}

// resolveReplicaSet climbs from a ReplicaSet to its Deployment. Without the
// ReplicaSet (refused, or not listed yet) it reads the Deployment's name off
// the ReplicaSet's: the controller names it "<deployment>-<pod-template-hash>".
func (o *Owners) resolveReplicaSet(rs WorkloadRef, hash string) Placement {
	key := OwnerKey{Context: rs.Context, Kind: KindReplicaSet, Namespace: rs.Namespace, Name: rs.Name}
	if obj, ok := o.Get(key); ok {
		p := Placement{Workload: rs, Revision: rs.Name, Number: revisionOf(obj)}
		if c := controllerOf(obj.GetOwnerReferences()); c != nil {
			p.Workload.Kind, p.Workload.Name = c.Kind, c.Name
		}
		return p
	}
	p := Placement{Workload: rs, Revision: rs.Name, Inferred: true}
	if name, ok := strings.CutSuffix(rs.Name, "-"+hash); ok && hash != "" && name != "" {
		p.Workload.Kind, p.Workload.Name = KindDeployment, name
	}
	return p
}

// resolveJob climbs from a Job to the CronJob that created it, if any.
func (o *Owners) resolveJob(job WorkloadRef) Placement {
	key := OwnerKey{Context: job.Context, Kind: KindJob, Namespace: job.Namespace, Name: job.Name}
	obj, ok := o.Get(key)
	if !ok {
		return Placement{Workload: job, Revision: job.Name, Inferred: o.Access().Refuses(job.Context, KindJob, job.Namespace)}
	}
	p := Placement{Workload: job, Revision: job.Name}
	if c := controllerOf(obj.GetOwnerReferences()); c != nil && c.Kind == KindCronJob {
		p.Workload.Kind, p.Workload.Name = KindCronJob, c.Name
	}
	return p
}

package kube

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// defaultContainerAnnotation names the container kubectl logs/exec pick by
// default; the log view honours it, so it survives the transform.
const defaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// Transform is the informer transform (a cache.TransformFunc). It keeps, of
// a Pod, only what model/ and the views read, packed (a *PackedPod), so
// 10,000 cached pods cost a fraction of their API size; of an Event it drops the managed fields; of
// an owner (Deployment, ReplicaSet, ...) what the rollout summary reads
// (owners_transform.go), ReplicaSets and CronJobs as metadata only.
//
// It builds new objects rather than editing its input (the fake clientset
// hands the same object to several watchers), and it is idempotent. Equal
// labels, resource lists, container lists, images and names are shared
// between pods (see intern.go), so the result must be treated as read-only.
func Transform(obj any) (any, error) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return PackPod(o), nil
	case *PackedPod:
		return o, nil // packed already
	case *corev1.Event:
		return StripEvent(o), nil
	case *appsv1.Deployment:
		return StripDeployment(o), nil
	case *appsv1.StatefulSet:
		return StripStatefulSet(o), nil
	case *appsv1.DaemonSet:
		return StripDaemonSet(o), nil
	case *batchv1.Job:
		return StripJob(o), nil
	case *appsv1.ReplicaSet:
		return StripMetadata(rollout.KindReplicaSet, o), nil
	case *batchv1.CronJob:
		return StripMetadata(rollout.KindCronJob, o), nil
	case cache.DeletedFinalStateUnknown:
		inner, err := Transform(o.Obj)
		if err != nil {
			return nil, err
		}
		return cache.DeletedFinalStateUnknown{Key: o.Key, Obj: inner}, nil
	}
	return obj, nil
}

// ContextTransform is Transform for one of several clusters: it also stamps
// context (model.ContextAnnotation) on every pod, event and owner it keeps,
// so keys, rows and summaries downstream tell the clusters apart. The stamp
// is on initwatch's in-memory copies only; nothing is ever written back. An
// empty context is Transform itself.
func ContextTransform(context string) cache.TransformFunc {
	return stampContext(Transform, context)
}

// stampContext wraps a transform so that what it returns carries context.
func stampContext(inner cache.TransformFunc, context string) cache.TransformFunc {
	if context == "" {
		return inner
	}
	// Pods without annotations of their own share one read-only map.
	shared := map[string]string{model.ContextAnnotation: context}
	var stamp func(obj any) (any, error)
	stamp = func(obj any) (any, error) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			in, err := stamp(d.Obj)
			if err != nil {
				return nil, err
			}
			return cache.DeletedFinalStateUnknown{Key: d.Key, Obj: in}, nil
		}
		if ev, ok := obj.(*corev1.Event); ok && ev != nil {
			// StripEvent may return its input: stamp a copy.
			out := *StripEvent(ev)
			out.Annotations = withContext(ev.Annotations, context)
			return &out, nil
		}
		out, err := inner(obj)
		if err != nil {
			return nil, err
		}
		switch o := out.(type) {
		case *PackedPod:
			if o == nil {
				return o, nil
			}
			if len(o.Annotations) == 0 {
				o.Annotations = shared
			} else {
				o.Annotations = withContext(o.Annotations, context)
			}
		case metav1.Object:
			// Owners: the transforms built a new object.
			if o != nil && o.GetAnnotations()[model.ContextAnnotation] != context {
				o.SetAnnotations(withContext(o.GetAnnotations(), context))
			}
		}
		return out, nil
	}
	return stamp
}

func withContext(annotations map[string]string, context string) map[string]string {
	out := make(map[string]string, len(annotations)+1)
	for k, v := range annotations {
		out[k] = v
	}
	out[model.ContextAnnotation] = context
	return out
}

// EventContext is the context stamped on an event by ContextTransform, ""
// for one cluster.
func EventContext(ev *corev1.Event) string {
	if ev == nil {
		return ""
	}
	return ev.Annotations[model.ContextAnnotation]
}

// StripPod returns a copy of pod with only the fields initwatch shows:
//   - metadata: name, namespace, uid, resourceVersion, labels, owners,
//     creation and deletion times, finalizers (why a Terminating pod stays)
//     and the default-container annotation;
//   - spec: containers and init containers reduced to name, image,
//     restartPolicy (native sidecars), restart rules, resources and a marker
//     for a startup probe; the pod's restartPolicy, nodeName, overhead,
//     pod-level resources, scheduling and readiness gates;
//   - status: phase, reason, message, conditions, IPs, start time,
//     nominated node and the container statuses (state, last state, ready,
//     started, restarts, image, imageID, containerID).
//
// Pods from the apiserver arrive without the rest already: the lean
// decoder (podwire.go) leaves out what podWireTable does not list, so a
// field read here must be listed there too.
func StripPod(pod *corev1.Pod) *corev1.Pod {
	return PackPod(pod).Pod()
}

// stripMeta is the metadata StripPod keeps.
func stripMeta(in *metav1.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{
		Name:                       in.Name,
		Namespace:                  internString(in.Namespace),
		UID:                        in.UID,
		ResourceVersion:            in.ResourceVersion,
		CreationTimestamp:          in.CreationTimestamp,
		DeletionTimestamp:          in.DeletionTimestamp,
		DeletionGracePeriodSeconds: in.DeletionGracePeriodSeconds,
		Labels:                     internLabels(in.Labels),
		OwnerReferences:            ownerRefLists.intern(in.OwnerReferences),
		Finalizers:                 in.Finalizers,
	}
	if v, ok := in.Annotations[defaultContainerAnnotation]; ok {
		out.Annotations = map[string]string{defaultContainerAnnotation: v}
	}
	return out
}

func stripContainers(in []corev1.Container) []corev1.Container {
	if in == nil {
		return nil
	}
	out := make([]corev1.Container, len(in))
	for i := range in {
		c := &in[i]
		out[i] = corev1.Container{
			Name:               internString(c.Name),
			Image:              internString(c.Image),
			RestartPolicy:      c.RestartPolicy,
			RestartPolicyRules: c.RestartPolicyRules,
			Resources: corev1.ResourceRequirements{
				Requests: internResources(c.Resources.Requests),
				Limits:   internResources(c.Resources.Limits),
			},
		}
		if c.StartupProbe != nil {
			// Only its presence is shown ("has startup probe"); an empty
			// probe keeps that fact for a few bytes.
			out[i].StartupProbe = &corev1.Probe{}
		}
	}
	return out
}

// podIPs copies ips with the first address the pod IP's string, which it
// repeats (the decoder makes a second copy of it).
func podIPs(ips []corev1.PodIP, podIP string) []corev1.PodIP {
	if len(ips) == 0 || ips[0].IP != podIP {
		return ips
	}
	out := slices.Clone(ips)
	out[0].IP = podIP
	return out
}

// stripConditions copies the pod's conditions into a slice of their exact
// length, their type, status, reason and message shared between pods. The
// protobuf decoder grows the slice by doubling, so the usual five conditions
// held room for eight: 960 bytes a pod where 600 are used, and every pod
// had its own copy of "ContainersReady", "True", "ContainersNotReady"...
// (bench/tuiheap's heap profile at 50,000 pods: the conditions were the
// largest block the decoder left behind, 19 MB, and their strings 7 MB).
func stripConditions(in []corev1.PodCondition) []corev1.PodCondition {
	if in == nil {
		return nil
	}
	out := make([]corev1.PodCondition, len(in))
	for i, c := range in {
		c.Type = corev1.PodConditionType(internString(string(c.Type)))
		c.Status = corev1.ConditionStatus(internString(string(c.Status)))
		c.Reason = internString(c.Reason)
		c.Message = internString(c.Message)
		out[i] = c
	}
	return out
}

// stripState copies a container state with its reasons and messages shared
// between pods ("Completed", "PodInitializing", "CrashLoopBackOff" and the
// kubelet's back-off messages repeat over every pod of a workload), and a
// terminated container's ID, which repeats the status's own, pointing at
// that one string instead of a second copy (so does the last state's of a
// container waiting to restart). The states are small but there
// are about three a pod, and their strings were a tenth of what the decoder
// left behind per pod.
func stripState(in corev1.ContainerState, containerID string) corev1.ContainerState {
	var out corev1.ContainerState
	if w := in.Waiting; w != nil {
		out.Waiting = waitingStates.intern(w)
	}
	if r := in.Running; r != nil {
		out.Running = r // a start time only: nothing to share
	}
	if t := in.Terminated; t != nil {
		tt := *t
		tt.Reason = internString(t.Reason)
		tt.Message = internString(t.Message)
		if t.ContainerID == containerID {
			tt.ContainerID = containerID
		}
		out.Terminated = &tt
	}
	return out
}

// StripEvent returns event without its managed fields (a copy only when
// there is something to drop).
func StripEvent(event *corev1.Event) *corev1.Event {
	if event == nil || event.ManagedFields == nil {
		return event
	}
	out := *event
	out.ManagedFields = nil
	return &out
}

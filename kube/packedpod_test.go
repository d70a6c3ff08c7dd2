package kube

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/diff"
)

// strippedReference is what StripPod keeps of pod, written out field by
// field as plain copies (no packing, no sharing): the oracle the packed
// form must unpack to.
func strippedReference(pod *corev1.Pod) *corev1.Pod {
	in := &pod.ObjectMeta
	out := &corev1.Pod{
		TypeMeta: pod.TypeMeta,
		ObjectMeta: metav1.ObjectMeta{
			Name:                       in.Name,
			Namespace:                  in.Namespace,
			UID:                        in.UID,
			ResourceVersion:            in.ResourceVersion,
			CreationTimestamp:          in.CreationTimestamp,
			DeletionTimestamp:          in.DeletionTimestamp,
			DeletionGracePeriodSeconds: in.DeletionGracePeriodSeconds,
			Labels:                     in.Labels,
			OwnerReferences:            in.OwnerReferences,
			Finalizers:                 in.Finalizers,
		},
		Spec: corev1.PodSpec{
			InitContainers:  stripContainers(pod.Spec.InitContainers),
			Containers:      stripContainers(pod.Spec.Containers),
			RestartPolicy:   pod.Spec.RestartPolicy,
			NodeName:        pod.Spec.NodeName,
			Overhead:        pod.Spec.Overhead,
			Resources:       pod.Spec.Resources,
			SchedulingGates: pod.Spec.SchedulingGates,
			ReadinessGates:  pod.Spec.ReadinessGates,
		},
		Status: corev1.PodStatus{
			Phase:                 pod.Status.Phase,
			Conditions:            pod.Status.Conditions,
			Message:               pod.Status.Message,
			Reason:                pod.Status.Reason,
			NominatedNodeName:     pod.Status.NominatedNodeName,
			HostIP:                pod.Status.HostIP,
			PodIP:                 pod.Status.PodIP,
			PodIPs:                pod.Status.PodIPs,
			StartTime:             pod.Status.StartTime,
			InitContainerStatuses: referenceStatuses(pod.Status.InitContainerStatuses),
			ContainerStatuses:     referenceStatuses(pod.Status.ContainerStatuses),
		},
	}
	if v, ok := in.Annotations[defaultContainerAnnotation]; ok {
		out.Annotations = map[string]string{defaultContainerAnnotation: v}
	}
	return out
}

func referenceStatuses(in []corev1.ContainerStatus) []corev1.ContainerStatus {
	if in == nil {
		return nil
	}
	out := make([]corev1.ContainerStatus, len(in))
	for i, s := range in {
		out[i] = corev1.ContainerStatus{
			Name:                 s.Name,
			State:                s.State,
			LastTerminationState: s.LastTerminationState,
			Ready:                s.Ready,
			RestartCount:         s.RestartCount,
			Image:                s.Image,
			ImageID:              s.ImageID,
			ContainerID:          s.ContainerID,
			Started:              s.Started,
		}
	}
	return out
}

// TestPackedPodUnpacksToWhatStripPodKeeps: a packed pod unpacks to exactly
// the fields StripPod keeps, for every pod fixture of the repository, every
// pod e2e/podgen makes, random pods with every field filled (probe times,
// dual-stack addresses, gates, overhead...), unpacked anew and into an
// Unpacker's reused memory, and the edge cases of the packing: no conditions or statuses at all, empty lists, a lone address
// that is or is not the pod IP.
func TestPackedPodUnpacksToWhatStripPodKeeps(t *testing.T) {
	// One Unpacker for every pod: what one pod left in its memory must
	// never show in the next.
	var u Unpacker
	check := func(t *testing.T, name string, pod *corev1.Pod) {
		t.Helper()
		want := strippedReference(pod)
		packed := PackPod(pod)
		got := packed.Pod()
		if !reflect.DeepEqual(got, want) {
			d := diff.Diff(want, got)
			if d == "" {
				d = fmt.Sprintf("(nil and empty differ)\n got %#v\nwant %#v", got, want)
			}
			t.Fatalf("%s: unpacked pod differs from what StripPod keeps (- want, + got):\n%s", name, d)
		}
		if again := packed.Pod(); !reflect.DeepEqual(again, want) {
			t.Fatalf("%s: a second unpacking differs", name)
		}
		if copied := packed.DeepCopyObject().(*PackedPod).Pod(); !reflect.DeepEqual(copied, want) {
			t.Fatalf("%s: a deep copy unpacks differently", name)
		}
		if reused := u.Unpack(packed); !reflect.DeepEqual(reused, want) {
			t.Fatalf("%s: unpacked into reused memory it differs (- want, + got):\n%s", name, diff.Diff(want, reused))
		}
	}
	t.Run("fixtures", func(t *testing.T) {
		for name, pod := range repositoryPods(t) {
			check(t, name, pod)
		}
	})
	t.Run("podgen", func(t *testing.T) {
		for i, pod := range podgenPods(t) {
			check(t, fmt.Sprintf("podgen %d %s", i, pod.Name), pod)
		}
	})
	t.Run("random", func(t *testing.T) {
		probes := 0
		for i, pod := range randomPods(t, 1500) {
			for _, c := range pod.Status.Conditions {
				if !c.LastProbeTime.IsZero() {
					probes++
					break
				}
			}
			check(t, fmt.Sprintf("random pod %d", i), pod)
		}
		if probes == 0 {
			t.Fatal("no random pod had a probe time: the unpacked fallback went untested")
		}
	})
	at := metav1.NewTime(time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC))
	started := true
	for _, tc := range []struct {
		name string
		pod  corev1.Pod
	}{
		{"empty", corev1.Pod{}},
		{"empty lists", corev1.Pod{Status: corev1.PodStatus{
			Conditions: []corev1.PodCondition{}, InitContainerStatuses: []corev1.ContainerStatus{},
			ContainerStatuses: []corev1.ContainerStatus{}, PodIPs: []corev1.PodIP{}}}},
		{"the pod IP alone", corev1.Pod{Status: corev1.PodStatus{PodIP: "10.0.0.1", PodIPs: []corev1.PodIP{{IP: "10.0.0.1"}}}}},
		{"another address alone", corev1.Pod{Status: corev1.PodStatus{PodIP: "10.0.0.1", PodIPs: []corev1.PodIP{{IP: "10.0.0.2"}}}}},
		{"dual stack", corev1.Pod{Status: corev1.PodStatus{PodIP: "10.0.0.1", PodIPs: []corev1.PodIP{{IP: "10.0.0.1"}, {IP: "fd00::1"}}}}},
		{"probe time", corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastProbeTime: at, LastTransitionTime: at}}}}},
		{"status message", corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted", Message: "low on memory"}}},
		{"started unset, false, true", corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{
			{Name: "a"}, {Name: "b", Started: new(bool)}, {Name: "c", Started: &started, Ready: true, RestartCount: 3,
				State:       corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, ContainerID: "x://1"}},
				ContainerID: "x://1"}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.name, &tc.pod) })
	}
}

// TestPackedPodsShareShapes: pods of one workload at the same point of
// their start share the conditions' and statuses' shapes, and an unpacked
// pod is its own: writing to its lists changes neither the packed pod nor
// another unpacking.
func TestPackedPodsShareShapes(t *testing.T) {
	a, b := loadPod(t, "pod-webapp.yaml"), loadPod(t, "pod-webapp.yaml")
	b.Name += "-2"
	b.Status.Conditions[0].LastTransitionTime = metav1.NewTime(b.Status.Conditions[0].LastTransitionTime.Add(time.Minute))
	pa, pb := PackPod(a), PackPod(b)
	if pa.conditions.shape == nil || pa.conditions.shape != pb.conditions.shape {
		t.Error("equal conditions but for their times do not share a shape")
	}
	if pa.statuses.shape == nil || pa.statuses.shape != pb.statuses.shape || pa.initStatuses.shape != pb.initStatuses.shape {
		t.Error("equal container statuses do not share a shape")
	}
	if pa.Pod().Status.Conditions[0].LastTransitionTime.Equal(&pb.Pod().Status.Conditions[0].LastTransitionTime) {
		t.Error("the pods' own transition times were shared")
	}
	u := pa.Pod()
	u.Status.Conditions[0].Reason = "Edited"
	u.Status.ContainerStatuses[0].RestartCount = 99
	if v := pa.Pod(); v.Status.Conditions[0].Reason == "Edited" || v.Status.ContainerStatuses[0].RestartCount == 99 {
		t.Error("writing to an unpacked pod's lists changed the packed pod")
	}
}

package podgen

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// EventsPerPod is how many events KubeletEvents makes.
const EventsPerPod = 6

// KubeletEvents makes the events the scheduler and a kubelet write for a
// pod whose first init container crash-loops, the last a Warning, over the
// minutes before base: the events a cluster keeps for an hour of rollouts,
// for the benchmarks' loads. Names are unique per pod.
func KubeletEvents(pod *corev1.Pod, base time.Time) []*corev1.Event {
	name, ns := pod.Name, pod.Namespace
	init := "init"
	if len(pod.Spec.InitContainers) > 0 {
		init = pod.Spec.InitContainers[0].Name
	}
	image := "registry.example.com/init:1"
	if len(pod.Spec.InitContainers) > 0 {
		image = pod.Spec.InitContainers[0].Image
	}
	kinds := []struct{ typ, reason, msg string }{
		{corev1.EventTypeNormal, "Scheduled", "Successfully assigned " + ns + "/" + name + " to " + NodeName},
		{corev1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q", image)},
		{corev1.EventTypeNormal, "Pulled", fmt.Sprintf("Successfully pulled image %q in 1.204s (1.204s including waiting). Image size: 48213772 bytes.", image)},
		{corev1.EventTypeNormal, "Created", "Created container: " + init},
		{corev1.EventTypeNormal, "Started", "Started container " + init},
		{corev1.EventTypeWarning, "BackOff", fmt.Sprintf("Back-off restarting failed container %s in pod %s_%s(%s)", init, name, ns, pod.UID)},
	}
	out := make([]*corev1.Event, 0, len(kinds))
	for k, e := range kinds {
		at := metav1.NewTime(base.Add(time.Duration(k-len(kinds)) * time.Minute).Truncate(time.Second))
		out = append(out, &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s.%x", name, 0x1880000000000000+k), Namespace: ns},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: name, APIVersion: "v1",
				UID: pod.UID, FieldPath: "spec.initContainers{" + init + "}"},
			Reason: e.reason, Message: e.msg, Type: e.typ,
			Source:         corev1.EventSource{Component: "kubelet", Host: NodeName},
			FirstTimestamp: at, LastTimestamp: at, Count: 1,
			ReportingController: "kubelet", ReportingInstance: NodeName,
		})
	}
	return out
}

// CreateEvents creates events on up to parallel requests at a time.
func CreateEvents(ctx context.Context, cs kubernetes.Interface, events []*corev1.Event, parallel int) error {
	return forEach(ctx, len(events), parallel, func(ctx context.Context, i int) error {
		ev := events[i]
		if _, err := cs.CoreV1().Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create event %s/%s: %w", ev.Namespace, ev.Name, err)
		}
		return nil
	})
}

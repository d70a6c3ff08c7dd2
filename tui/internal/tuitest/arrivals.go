package tuitest

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
)

// Live is a connection that has been up for a minute.
func Live() *kube.ConnState {
	return &kube.ConnState{Phase: kube.ConnLive, Since: Now.Add(-time.Minute)}
}

// ArrivalPods builds n pods of one kind (phase as in SyntheticPod: 0
// crash-looping, 1 initializing, 2 running) named prefix-00, prefix-01, ...
func ArrivalPods(prefix string, n, phase int) []*corev1.Pod {
	pods := make([]*corev1.Pod, n)
	for i := range pods {
		name := fmt.Sprintf("%s-5d8f7c6b9-%02d", prefix, i)
		created := Now.Add(-time.Duration(10*(n-i)) * time.Minute)
		pods[i] = SyntheticPod("shop", name, prefix+"-5d8f7c6b9", created, phase, i%len(StepNames), int32(i))
	}
	return pods
}

// ArrivalBatches are the pods of a start-up as the informers deliver them:
// the healthy pods first, then initializing, then failing ones, each batch
// sorting above the ones before it in the triage order.
func ArrivalBatches() []kube.Batch {
	return []kube.Batch{
		{Upserted: ArrivalPods("web", 15, 2), Conn: Live()},
		{Upserted: ArrivalPods("api", 4, 1), Synced: true},
		{Upserted: ArrivalPods("auth", 3, 0)},
	}
}

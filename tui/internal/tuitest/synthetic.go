package tuitest

import (
	"fmt"
	"math/rand/v2"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// SyntheticPods builds n pods like a big rollout: 20 namespaces, ReplicaSet
// owners, four init containers each; 10% crash-looping on a step, 30% on
// their way through the steps, the rest running. The same seed gives the
// same pods.
func SyntheticPods(n int, seed uint64) []*corev1.Pod {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	apps := []string{"web", "api", "checkout", "search", "payments", "auth", "cart", "ledger"}
	const letters = "bcdfghjklmnpqrstvwxz2456789"
	suffix := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return string(b)
	}
	pods := make([]*corev1.Pod, 0, n)
	for i := 0; i < n; i++ {
		ns := fmt.Sprintf("team-%02d", i%20)
		app := apps[r.IntN(len(apps))]
		hash := fmt.Sprintf("%09x", r.Uint64()&0xfffffffff)
		rs := app + "-" + hash
		name := rs + "-" + suffix(5)
		created := Now.Add(-time.Duration(r.IntN(7200)) * time.Second)
		var phase int // 0 failing, 1 initializing, 2 running
		switch x := r.IntN(10); {
		case x == 0:
			phase = 0
		case x <= 3:
			phase = 1
		default:
			phase = 2
		}
		pods = append(pods, SyntheticPod(ns, name, rs, created, phase, r.IntN(4), int32(r.IntN(9))))
	}
	return pods
}

// StepNames are the init containers of every synthetic pod, in spec order.
var StepNames = []string{"init-fetch-files", "init-check-services", "init-check-database", "init-check-cache"}

// SyntheticPod builds one pod: phase 0 crash-loops on step `at`, phase 1
// runs step `at`, phase 2 is up and ready.
func SyntheticPod(ns, name, rs string, created time.Time, phase, at int, restarts int32) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: ns, Name: name, UID: types.UID(ns + "/" + name),
			CreationTimestamp: metav1.NewTime(created),
			ResourceVersion:   "1",
			Labels:            map[string]string{"app": rs[:len(rs)-10], "pod-template-hash": rs[len(rs)-9:]},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs, Controller: ptr(true),
			}},
		},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
	}
	for _, s := range StepNames {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: s, Image: "init:1"})
	}
	start := metav1.NewTime(created.Add(time.Second))
	done := func(s string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: s, Ready: true, State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: start, FinishedAt: start},
		}}
	}
	waiting := func(s string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: s, State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"},
		}}
	}
	switch phase {
	case 2:
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue},
		}
		for _, s := range StepNames {
			p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, done(s))
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name: "app", Ready: true, Started: ptr(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}},
		}}
	default:
		p.Status.Phase = corev1.PodPending
		for i, s := range StepNames {
			switch {
			case i < at:
				p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, done(s))
			case i == at && phase == 1:
				p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, corev1.ContainerStatus{
					Name: s, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}},
				})
			case i == at:
				p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, corev1.ContainerStatus{
					Name: s, RestartCount: restarts + 1,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
						ExitCode: 1, Reason: "Error", StartedAt: start, FinishedAt: metav1.NewTime(Now.Add(-30 * time.Second)),
					}},
				})
			default:
				p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, waiting(s))
			}
		}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{waiting("app")}
	}
	return p
}

func ptr[T any](v T) *T { return &v }

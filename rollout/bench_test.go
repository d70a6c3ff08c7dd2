package rollout

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// benchCluster is 10,000 pods in 200 Deployments, each rolling from one
// ReplicaSet (25 pods, initialized) to the next (25 pods spread over their
// four init steps, some crash-looping).
func benchCluster(b testing.TB) ([]*corev1.Pod, *Owners) {
	b.Helper()
	const workloads, perRevision = 200, 25
	yes := true
	owners := NewOwners()
	var pods []*corev1.Pod
	base := testNow.Add(-time.Hour)
	for w := range workloads {
		name := fmt.Sprintf("app-%03d", w)
		replicas := int32(perRevision)
		owners.Upsert(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, Generation: 2},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas}, Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 50, UpdatedReplicas: 25}})
		for rev := 1; rev <= 2; rev++ {
			hash := fmt.Sprintf("h%d", rev)
			rs := name + "-" + hash
			owners.Upsert(&metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: KindReplicaSet},
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: rs,
					Annotations:     map[string]string{RevisionAnnotation: fmt.Sprint(rev)},
					OwnerReferences: []metav1.OwnerReference{{Kind: KindDeployment, Name: name, Controller: &yes}}}})
			for i := range perRevision {
				step := 4
				if rev == 2 {
					step = i % 5
				}
				pods = append(pods, benchPod(rs, hash, fmt.Sprintf("%s-%05d", rs, i), step, i%7 == 0, base))
			}
		}
	}
	return pods, owners
}

// benchPod is a pod with four init containers, the first done of them
// finished (done == 4: initialized and ready); crash makes the next one
// crash-loop.
func benchPod(rs, hash, name string, done int, crash bool, base time.Time) *corev1.Pod {
	yes := true
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, CreationTimestamp: metav1.NewTime(base),
			Labels:          map[string]string{PodTemplateHashLabel: hash},
			OwnerReferences: []metav1.OwnerReference{{Kind: KindReplicaSet, Name: rs, Controller: &yes}}},
		Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
	}
	for s := range 4 {
		p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: fmt.Sprintf("init-%d", s), Image: "init:1"})
		cs := corev1.ContainerStatus{Name: fmt.Sprintf("init-%d", s)}
		start := base.Add(time.Duration(s*10) * time.Second)
		switch {
		case s < done:
			cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed",
				StartedAt: metav1.NewTime(start), FinishedAt: metav1.NewTime(start.Add(time.Duration(3+len(name)%5) * time.Second))}
		case s == done && crash:
			cs.RestartCount = 3
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}
			cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: "connect 10.0.0.1:5432 refused",
				StartedAt: metav1.NewTime(start), FinishedAt: metav1.NewTime(start.Add(time.Second))}
		case s == done:
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start)}
		default:
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "PodInitializing"}
		}
		p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, cs)
	}
	if done == 4 {
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionTrue},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(base)}}
	} else {
		p.Status.Phase = corev1.PodPending
	}
	return p
}

// BenchmarkSummaryAfterBatch is the cost of one frame: a batch of 100 pod
// changes (spread over 100 workloads) applied, then the summary of all
// 10,000 pods in 200 workloads. Target: 2 ms.
func BenchmarkSummaryAfterBatch(b *testing.B) {
	pods, owners := benchCluster(b)
	s := NewSummarizer(owners, Options{})
	for _, p := range pods {
		s.Upsert(p)
	}
	s.Summary(testNow)
	// Two versions of each changed pod (a step further, or not), so every
	// batch really changes them.
	const batch = 100
	var alt [2][]*corev1.Pod
	for i := range batch {
		orig := pods[(i*2+1)*50-1] // the new revision's last pod of every other workload
		next := orig.DeepCopy()
		next.ResourceVersion = "2"
		next.Status.InitContainerStatuses[3].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0,
			StartedAt: metav1.NewTime(testNow.Add(-time.Minute)), FinishedAt: metav1.NewTime(testNow)}}
		alt[0] = append(alt[0], next)
		alt[1] = append(alt[1], orig)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		for _, p := range alt[i%2] {
			s.Upsert(p)
		}
		sum := s.Summary(testNow)
		if len(sum.Workloads) != 200 {
			b.Fatalf("%d workloads", len(sum.Workloads))
		}
	}
}

// BenchmarkSummarizeFull is the baseline: a summary from scratch of the
// same 10,000 pods (what the incremental Summarizer avoids per frame).
func BenchmarkSummarizeFull(b *testing.B) {
	pods, owners := benchCluster(b)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(pods, owners, testNow, Options{})
	}
}

package model

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podBytes builds a pod from fuzz input: every choice reads one byte, and an
// exhausted input reads zeros, so any byte string is a valid pod.
type podBytes struct {
	b []byte
}

func (p *podBytes) next() int {
	if len(p.b) == 0 {
		return 0
	}
	v := int(p.b[0])
	p.b = p.b[1:]
	return v
}

func (p *podBytes) pick(n int) int { return p.next() % n }

var (
	fuzzNames    = []string{"a", "b", "c", "d", "e"}
	fuzzWaiting  = []string{"", "PodInitializing", "ContainerCreating", "CrashLoopBackOff", "ErrImagePull", "CreateContainerConfigError"}
	fuzzTermRsn  = []string{"", "Error", "Completed", "OOMKilled", "ContainerStatusUnknown"}
	fuzzExit     = []int32{0, 1, 2, 137, 143, -1}
	fuzzSignals  = []int32{0, 0, 9, 15}
	fuzzPhases   = []corev1.PodPhase{"", corev1.PodPending, corev1.PodRunning, corev1.PodSucceeded, corev1.PodFailed, corev1.PodUnknown}
	fuzzReasons  = []string{"", "", "Evicted", "NodeLost", "OutOfcpu", "Shutdown"}
	fuzzCondType = []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady, corev1.PodReadyToStartContainers}
	fuzzPolicies = []*corev1.ContainerRestartPolicy{nil, ptr(corev1.ContainerRestartPolicyAlways), ptr(corev1.ContainerRestartPolicyAlways), ptr(corev1.ContainerRestartPolicyNever), ptr(corev1.ContainerRestartPolicyOnFailure)}
)

func ptr[T any](v T) *T { return &v }

func (p *podBytes) when() metav1.Time {
	switch p.pick(4) {
	case 0:
		return metav1.Time{}
	case 1:
		return metav1.NewTime(testNow.Add(time.Duration(p.next()) * time.Second)) // future: "<invalid>"
	default:
		return metav1.NewTime(testNow.Add(-time.Duration(p.next()*p.next()*p.next()) * time.Second))
	}
}

func (p *podBytes) state() corev1.ContainerState {
	switch p.pick(4) {
	case 0:
		return corev1.ContainerState{}
	case 1:
		return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: fuzzWaiting[p.pick(len(fuzzWaiting))]}}
	case 2:
		return corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: p.when()}}
	default:
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: fuzzExit[p.pick(len(fuzzExit))], Signal: fuzzSignals[p.pick(len(fuzzSignals))],
			Reason: fuzzTermRsn[p.pick(len(fuzzTermRsn))], StartedAt: p.when(), FinishedAt: p.when(),
		}}
	}
}

func (p *podBytes) status() corev1.ContainerStatus {
	cs := corev1.ContainerStatus{
		Name:         fuzzNames[p.pick(len(fuzzNames))],
		State:        p.state(),
		Ready:        p.pick(2) == 1,
		RestartCount: int32(p.pick(4)),
	}
	if p.pick(2) == 1 {
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: p.when()}}
	}
	switch p.pick(3) {
	case 1:
		cs.Started = ptr(true)
	case 2:
		cs.Started = ptr(false)
	}
	return cs
}

func (p *podBytes) pod() *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "fuzz", Namespace: "ns", CreationTimestamp: p.when()}}
	for range p.pick(5) {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{
			Name: fuzzNames[p.pick(len(fuzzNames))], RestartPolicy: fuzzPolicies[p.pick(len(fuzzPolicies))],
		})
	}
	for range 1 + p.pick(3) {
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: fuzzNames[p.pick(len(fuzzNames))]})
	}
	pod.Spec.RestartPolicy = []corev1.RestartPolicy{"", corev1.RestartPolicyAlways, corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure}[p.pick(4)]
	for range p.pick(6) {
		pod.Status.InitContainerStatuses = append(pod.Status.InitContainerStatuses, p.status())
	}
	for range p.pick(4) {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, p.status())
	}
	pod.Status.Phase = fuzzPhases[p.pick(len(fuzzPhases))]
	pod.Status.Reason = fuzzReasons[p.pick(len(fuzzReasons))]
	for range p.pick(5) {
		c := corev1.PodCondition{Type: fuzzCondType[p.pick(len(fuzzCondType))], Status: []corev1.ConditionStatus{"True", "False", "Unknown"}[p.pick(3)]}
		if p.pick(4) == 0 {
			c.Reason = "SchedulingGated"
		}
		pod.Status.Conditions = append(pod.Status.Conditions, c)
	}
	if p.pick(4) == 0 {
		ts := p.when()
		pod.DeletionTimestamp = &ts
	}
	return pod
}

var (
	// Every shape kubectl's printPod can produce from the fuzz vocabulary.
	statusShape   = regexp.MustCompile(`^(|Init:\d+/\d+|(Init:)?(Signal|ExitCode):-?\d+|(Init:)?[A-Z][A-Za-z]*)$`)
	durationShape = `(<invalid>|(\d+[smhdy])+)`
	ageShape      = regexp.MustCompile(`^(<unknown>|` + durationShape + `)$`)
	restartsShape = regexp.MustCompile(`^(\d+)( \(` + durationShape + ` ago\))?$`)
	initCount     = regexp.MustCompile(`^Init:(\d+)/(\d+)$`)
)

func FuzzPrint(f *testing.F) {
	for _, seed := range [][]byte{nil, {1, 2, 3}, {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, []byte("the seed app, four init containers")} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pod := (&podBytes{b: data}).pod()
		v := NewPodView(pod, testNow)
		p := v.Printed

		if !statusShape.MatchString(p.Status) {
			t.Fatalf("STATUS %q has no kubectl shape", p.Status)
		}
		if p.Status == "" && (pod.Status.Phase != "" || pod.Status.Reason != "") {
			t.Fatalf("empty STATUS for phase %q reason %q", pod.Status.Phase, pod.Status.Reason)
		}
		if m := initCount.FindStringSubmatch(p.Status); m != nil {
			n, _ := strconv.Atoi(m[1])
			total, _ := strconv.Atoi(m[2])
			if total != len(pod.Spec.InitContainers) || n >= len(pod.Status.InitContainerStatuses) {
				t.Fatalf("%s with %d init containers and %d statuses", p.Status, len(pod.Spec.InitContainers), len(pod.Status.InitContainerStatuses))
			}
		}
		sidecars := 0
		for i := range pod.Spec.InitContainers {
			if isRestartable(&pod.Spec.InitContainers[i]) {
				sidecars++
			}
		}
		if p.TotalCount != len(pod.Spec.Containers)+sidecars || p.Ready != strconv.Itoa(p.ReadyCount)+"/"+strconv.Itoa(p.TotalCount) {
			t.Fatalf("READY %q (%d/%d) with %d containers and %d sidecars", p.Ready, p.ReadyCount, p.TotalCount, len(pod.Spec.Containers), sidecars)
		}
		m := restartsShape.FindStringSubmatch(p.Restarts)
		if m == nil || m[1] != strconv.Itoa(p.RestartCount) || p.RestartCount < 0 {
			t.Fatalf("RESTARTS %q (count %d)", p.Restarts, p.RestartCount)
		}
		if (m[2] != "") != (p.LastRestartAt != nil) {
			t.Fatalf("RESTARTS %q but LastRestartAt %v", p.Restarts, p.LastRestartAt)
		}
		if !ageShape.MatchString(p.Age) {
			t.Fatalf("AGE %q", p.Age)
		}

		pr := v.Progress
		if pr.Total != len(pod.Spec.InitContainers) || pr.Done < 0 || pr.Done > pr.Total || pr.Active < -1 || pr.Active >= pr.Total {
			t.Fatalf("progress %+v with %d init containers", pr, len(pod.Spec.InitContainers))
		}
		if pr.Active >= 0 && (pr.Initialized || v.Steps[pr.Active].Done() || pr.ActiveName != v.Steps[pr.Active].Name) {
			t.Fatalf("progress %+v points at step %+v", pr, v.Steps[pr.Active])
		}
		if v.Category < CategoryFailing || v.Category > CategoryDone {
			t.Fatalf("category %d", v.Category)
		}
		for _, s := range v.Steps {
			if s.Duration != nil && *s.Duration < 0 {
				t.Fatalf("negative duration on %+v", s)
			}
			if s.WillNotRetry && s.Phase != PhaseFailed && s.Phase != PhaseCrashLooping {
				t.Fatalf("WillNotRetry on a %s step", s.Phase)
			}
		}
		_ = Conditions(pod)
		_ = EffectiveResources(pod)
	})
}

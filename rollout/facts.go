package rollout

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
)

// StepState is where one pod stands in one init step.
type StepState uint8

const (
	StepNotReached   StepState = iota // an earlier step still holds the pod
	StepDone                          // exited 0, or a sidecar that started
	StepRunning                       // running now
	StepWaiting                       // waiting (PodInitializing, ContainerCreating, an error reason)
	StepCrashLooping                  // waiting in back-off after a failed run
	StepFailed                        // failed for good: the pod failed, or it will not be retried
)

// stepFact is one pod's init container, reduced to what the funnel counts.
type stepFact struct {
	name     string
	sidecar  bool
	state    StepState
	reason   string // the waiting reason (sanitised), for StepWaiting and StepCrashLooping
	restarts int32
	// runs are the durations of the finished runs the status still shows
	// (current and last state), n of them.
	runs [2]time.Duration
	n    int
}

// immediate is the controller a pod names itself (its ReplicaSet, Job,
// StatefulSet, ...), with the labels resolution reads. Pods sharing it are
// placed together, so a change of owners re-resolves one group, not each pod.
type immediate struct {
	context, namespace string
	kind, name         string
	hash               string // pod-template-hash or controller-revision-hash
}

// podFacts is everything the summary reads of one pod, computed once per
// pod change so a summary never walks pod objects.
type podFacts struct {
	ref         PodRef
	owner       immediate
	created     time.Time
	initialized bool
	ready       bool
	terminating bool
	failed      bool // phase Failed: nothing in it runs again
	succeeded   bool // phase Succeeded: a Job's pod that did its work
	steps       []stepFact
	failures    []failure
	restarts    int64 // all containers, init and app
	// progressAt is the last time the pod got further: a step finished, a
	// sidecar started, the pod turned Ready.
	progressAt time.Time
}

func factsOf(pod *corev1.Pod) *podFacts {
	f := &podFacts{
		ref:         RefOf(pod),
		created:     pod.CreationTimestamp.Time,
		terminating: pod.DeletionTimestamp != nil,
	}
	f.owner = immediateOf(&pod.ObjectMeta)
	for _, c := range pod.Status.Conditions {
		switch c.Type {
		case corev1.PodInitialized:
			f.initialized = c.Status == corev1.ConditionTrue
		case corev1.PodReady:
			f.ready = c.Status == corev1.ConditionTrue
			if f.ready {
				f.progressAt = later(f.progressAt, c.LastTransitionTime)
			}
		}
	}
	steps := model.InitSteps(pod, time.Time{})
	progress := model.InitProgress(pod, steps)
	f.initialized = f.initialized || progress.Initialized
	f.steps = make([]stepFact, len(steps))
	podFailed := pod.Status.Phase == corev1.PodFailed
	f.failed = podFailed
	f.succeeded = pod.Status.Phase == corev1.PodSucceeded
	for i := range steps {
		s := &steps[i]
		sf := stepFact{name: s.Name, sidecar: s.Kind == model.KindSidecar, restarts: s.RestartCount}
		f.restarts += int64(s.RestartCount)
		for _, st := range []model.ContainerState{s.State, s.LastState} {
			if st.Kind == model.StateTerminated && st.StartedAt != nil && st.FinishedAt != nil && sf.n < len(sf.runs) {
				sf.runs[sf.n] = max(st.FinishedAt.Sub(*st.StartedAt), 0)
				sf.n++
				if st.ExitCode != nil && *st.ExitCode == 0 {
					f.progressAt = later(f.progressAt, metav1.NewTime(*st.FinishedAt))
				}
			}
		}
		if s.Kind == model.KindSidecar && s.Done() && s.State.StartedAt != nil {
			f.progressAt = later(f.progressAt, metav1.NewTime(*s.State.StartedAt))
		}
		switch {
		case s.Done() || f.initialized:
			sf.state = StepDone
		case progress.Active != i:
			sf.state = StepNotReached
		case s.WillNotRetry || (podFailed && (s.Phase == model.PhaseFailed || s.Phase == model.PhaseCrashLooping)):
			sf.state = StepFailed
		case s.Phase == model.PhaseCrashLooping:
			sf.state, sf.reason = StepCrashLooping, s.State.Reason
		case s.Phase == model.PhaseRunning || s.Phase == model.PhaseSidecarStarted:
			sf.state = StepRunning
		default:
			sf.state, sf.reason = StepWaiting, s.State.Reason
			if s.Phase == model.PhaseFailed && s.State.Kind == model.StateTerminated {
				// Exited non-zero, the back-off not yet begun.
				sf.state, sf.reason = StepCrashLooping, s.State.Reason
			}
		}
		f.steps[i] = sf
	}
	for i := range pod.Status.ContainerStatuses {
		f.restarts += int64(pod.Status.ContainerStatuses[i].RestartCount)
	}
	f.failures = podFailures(pod, time.Time{}, nil)
	return f
}

func later(t time.Time, m metav1.Time) time.Time {
	if m.After(t) {
		return m.Time
	}
	return t
}

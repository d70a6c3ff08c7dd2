package podgen

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// State is one way the kubelet can report a container.
type State string

const (
	Absent                 State = "absent" // no status entry at all
	WaitingPodInitializing State = "waiting-podinitializing"
	WaitingNoReason        State = "waiting-noreason"
	WaitingCreating        State = "waiting-containercreating"
	WaitingCrashLoop       State = "waiting-crashloop"
	WaitingErrImagePull    State = "waiting-errimagepull"
	WaitingImagePullBack   State = "waiting-imagepullbackoff"
	WaitingConfigError     State = "waiting-createcontainerconfigerror"
	Running                State = "running"       // running, not ready
	RunningReady           State = "running-ready" // running and ready
	SidecarNotStarted      State = "sidecar-notstarted"
	SidecarStartedNil      State = "sidecar-startednil" // running, started never reported
	SidecarStarted         State = "sidecar-started"    // started, not ready
	SidecarReady           State = "sidecar-ready"      // started and ready
	TermCompleted          State = "term-completed"     // exit 0, reason Completed
	TermZeroNoReason       State = "term-zero-noreason" // exit 0, no reason
	TermError              State = "term-error"         // exit 1, reason Error
	TermSignal             State = "term-signal"        // no reason, signal 9
	TermExitCode           State = "term-exitcode"      // no reason, exit 3
	TermOOM                State = "term-oomkilled"     // exit 137, reason OOMKilled
)

// InitBlockers are the states in which a classic init container holds up
// initialization; SidecarBlockers those of a sidecar that has not started.
var (
	InitBlockers = []State{
		WaitingPodInitializing, WaitingNoReason, WaitingCreating, WaitingCrashLoop,
		WaitingErrImagePull, WaitingImagePullBack, WaitingConfigError, Running,
		TermError, TermSignal, TermExitCode, TermOOM,
	}
	SidecarBlockers = []State{SidecarNotStarted, SidecarStartedNil}
	// AppStates are the states of an app container once initialization is
	// over.
	AppStates = []State{
		WaitingPodInitializing, WaitingCreating, WaitingCrashLoop, WaitingErrImagePull,
		Running, RunningReady, TermCompleted, TermZeroNoReason, TermError, TermSignal,
		TermExitCode, TermOOM,
	}
)

// Restart describes a container's earlier runs: how many, and how long
// before the generation time the last one ended (nil: no lastState at all,
// zero: a lastState without finishedAt).
type Restart struct {
	Count   int32
	LastAgo *time.Duration
}

// Ago is a helper for Restart.LastAgo.
func Ago(d time.Duration) *time.Duration { return &d }

// status builds the ContainerStatus of c in state s at the generation time
// base, as a kubelet would report it.
func status(c *corev1.Container, s State, r Restart, base time.Time) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{
		Name:         c.Name,
		Image:        c.Image,
		RestartCount: r.Count,
	}
	at := func(ago time.Duration) metav1.Time { return metav1.NewTime(base.Add(-ago)) }
	started := func(v bool) *bool { return &v }
	ran := func() {
		cs.ImageID = "docker.io/library/" + c.Image + "@sha256:0123456789abcdef"
		cs.ContainerID = "containerd://" + c.Name + "-0001"
	}
	terminated := func(exit, signal int32, reason string) {
		ran()
		cs.Started = started(false)
		cs.State.Terminated = &corev1.ContainerStateTerminated{
			ExitCode: exit, Signal: signal, Reason: reason,
			StartedAt: at(20 * time.Minute), FinishedAt: at(15 * time.Minute),
			ContainerID: cs.ContainerID,
		}
	}
	switch s {
	case WaitingPodInitializing:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "PodInitializing"}
		cs.Started = started(false)
	case WaitingNoReason:
		cs.State.Waiting = &corev1.ContainerStateWaiting{}
	case WaitingCreating:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
		cs.Started = started(false)
	case WaitingCrashLoop:
		ran()
		cs.Started = started(false)
		cs.State.Waiting = &corev1.ContainerStateWaiting{
			Reason:  "CrashLoopBackOff",
			Message: "back-off 40s restarting failed container=" + c.Name,
		}
	case WaitingErrImagePull:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "failed to pull image " + c.Image}
	case WaitingImagePullBack:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image " + c.Image}
	case WaitingConfigError:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: `secret "db-creds" not found`}
	case Running, SidecarNotStarted:
		ran()
		cs.Started = started(s == Running)
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: at(10 * time.Minute)}
	case SidecarStartedNil:
		ran()
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: at(10 * time.Minute)}
	case RunningReady, SidecarReady, SidecarStarted:
		ran()
		cs.Started = started(true)
		cs.Ready = s != SidecarStarted
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: at(10 * time.Minute)}
	case TermCompleted:
		terminated(0, 0, "Completed")
	case TermZeroNoReason:
		terminated(0, 0, "")
	case TermError:
		terminated(1, 0, "Error")
	case TermSignal:
		terminated(137, 9, "")
	case TermExitCode:
		terminated(3, 0, "")
	case TermOOM:
		terminated(137, 0, "OOMKilled")
	}
	if r.LastAgo != nil {
		last := &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", ContainerID: "containerd://" + c.Name + "-0000"}
		if *r.LastAgo != 0 {
			last.StartedAt = at(*r.LastAgo + 30*time.Second)
			last.FinishedAt = at(*r.LastAgo)
		}
		cs.LastTerminationState.Terminated = last
	}
	return cs
}

// isDone reports whether a state lets initialization move past an init
// container (for deriving the pod's phase and conditions).
func isDone(s State) bool {
	switch s {
	case TermCompleted, TermZeroNoReason, SidecarStarted, SidecarReady:
		return true
	}
	return false
}

func isTerminated(s State) bool {
	switch s {
	case TermCompleted, TermZeroNoReason, TermError, TermSignal, TermExitCode, TermOOM:
		return true
	}
	return false
}

func isFailure(s State) bool {
	return isTerminated(s) && s != TermCompleted && s != TermZeroNoReason
}

func isReady(s State) bool { return s == RunningReady || s == SidecarReady }

package model

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

func TestInitStepsFixtures(t *testing.T) {
	const (
		W  = PhaseWaiting
		R  = PhaseRunning
		S  = PhaseSucceeded
		F  = PhaseFailed
		CL = PhaseCrashLooping
		SS = PhaseSidecarStarted
		SR = PhaseSidecarReady
	)
	tests := []struct {
		fixture     string
		phases      []StepPhase
		done        int
		active      int // -1 when none
		initialized bool
		noRetry     []bool // WillNotRetry per step; nil means all false
	}{
		{"seed-01-pending", []StepPhase{W, W, W, W}, 0, -1, false, nil},
		{"seed-02-init-0-4", []StepPhase{R, W, W, W}, 0, 0, false, nil},
		{"seed-03-init-error", []StepPhase{F, W, W, W}, 0, 0, false, nil},
		{"seed-04-init-crashloopbackoff", []StepPhase{S, CL, W, W}, 1, 1, false, nil},
		{"seed-05-init-1-4", []StepPhase{S, R, W, W}, 1, 1, false, nil},
		{"seed-06-init-2-4", []StepPhase{S, S, R, W}, 2, 2, false, nil},
		{"seed-07-init-3-4", []StepPhase{S, S, S, R}, 3, 3, false, nil},
		{"seed-08-podinitializing", []StepPhase{S, S, S, S}, 4, -1, true, nil},
		{"seed-09-running", []StepPhase{S, S, S, S}, 4, -1, true, nil},
		{"sidecar-starting", []StepPhase{R, W}, 0, 0, false, nil},
		{"sidecar-then-init", []StepPhase{SR, R}, 1, 1, false, nil},
		{"sidecar-running", []StepPhase{SR, S}, 2, -1, true, nil},
		// Initialized=True wins: the crash-looping sidecar is not "active".
		{"sidecar-crashloop", []StepPhase{CL, S}, 1, -1, true, nil},
		{"never-init-error", []StepPhase{F}, 0, 0, false, []bool{true}},
		{"init-signal", []StepPhase{F}, 0, 0, false, nil},
		{"init-exitcode", []StepPhase{F}, 0, 0, false, nil},
		{"init-errimagepull", []StepPhase{F, W}, 0, 0, false, nil},
		{"init-restart-rules", []StepPhase{F, W}, 0, 0, false, []bool{true, false}},
		{"init-container-creating", []StepPhase{W}, 0, 0, false, nil},
		// Matched by name: init-a is done even though its status is second.
		{"statuses-out-of-order", []StepPhase{S, R}, 1, 1, false, nil},
		{"pending-no-statuses", []StepPhase{W}, 0, -1, false, nil},
		{"scheduling-gated", []StepPhase{W}, 0, -1, false, nil},
		{"completed", []StepPhase{S}, 1, -1, true, nil},
		{"running-not-ready", nil, 0, -1, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			pod := loadPod(t, tc.fixture)
			steps := InitSteps(pod, testNow)
			var phases []StepPhase
			for _, s := range steps {
				phases = append(phases, s.Phase)
			}
			if !slices.Equal(phases, tc.phases) {
				t.Errorf("phases = %v, want %v", phases, tc.phases)
			}
			for i, s := range steps {
				if s.Index != i || s.Name != pod.Spec.InitContainers[i].Name {
					t.Errorf("step %d is %d %q, want spec order", i, s.Index, s.Name)
				}
				want := tc.noRetry != nil && tc.noRetry[i]
				if s.WillNotRetry != want {
					t.Errorf("step %s WillNotRetry = %v, want %v", s.Name, s.WillNotRetry, want)
				}
			}
			p := InitProgress(pod, steps)
			wantName := ""
			if tc.active >= 0 {
				wantName = steps[tc.active].Name
			}
			want := Progress{Done: tc.done, Total: len(tc.phases), Active: tc.active, ActiveName: wantName, Initialized: tc.initialized}
			if p != want {
				t.Errorf("progress = %+v, want %+v", p, want)
			}
		})
	}
}

func TestInitStepDetails(t *testing.T) {
	pod := loadPod(t, "seed-04-init-crashloopbackoff")
	steps := InitSteps(pod, testNow)

	first := steps[0]
	if first.Kind != KindInit || first.Image != "loftsh/app-init:FLiBwNW" || first.StatusImage != "docker.io/loftsh/app-init:FLiBwNW" {
		t.Errorf("step 0 kind/image = %s %q %q", first.Kind, first.Image, first.StatusImage)
	}
	if first.State.Kind != StateTerminated || first.State.Reason != "Completed" || first.State.ExitCode == nil || *first.State.ExitCode != 0 {
		t.Errorf("step 0 state = %+v", first.State)
	}
	if first.Duration == nil || *first.Duration != time.Second {
		t.Errorf("step 0 duration = %v, want 1s", first.Duration)
	}

	crash := steps[1]
	if crash.State.Kind != StateWaiting || crash.State.Reason != "CrashLoopBackOff" || crash.RestartCount != 5 {
		t.Errorf("step 1 state = %+v restarts %d", crash.State, crash.RestartCount)
	}
	last := crash.LastState
	if last.Kind != StateTerminated || last.Reason != "Error" || last.ExitCode == nil || *last.ExitCode != 1 ||
		last.FinishedAt == nil || !last.FinishedAt.Equal(testNow.Add(-89*time.Second)) {
		t.Errorf("step 1 last state = %+v", last)
	}
	if crash.Duration != nil {
		t.Errorf("waiting step has duration %v", *crash.Duration)
	}
	if crash.ImageID == "" {
		t.Error("step 1 lost its imageID")
	}

	running := InitSteps(loadPod(t, "seed-02-init-0-4"), testNow)[0]
	if running.Duration == nil || *running.Duration != time.Second {
		t.Errorf("running step duration = %v, want 1s (now - startedAt)", running.Duration)
	}

	side := InitSteps(loadPod(t, "sidecar-starting"), testNow)[0]
	if side.Kind != KindSidecar || !side.HasStartupProbe || side.Started == nil || *side.Started {
		t.Errorf("sidecar step = kind %s probe %v started %v", side.Kind, side.HasStartupProbe, side.Started)
	}

	sig := InitSteps(loadPod(t, "init-signal"), testNow)[0]
	if sig.State.Signal == nil || *sig.State.Signal != 9 || *sig.State.ExitCode != 137 {
		t.Errorf("signal step state = %+v", sig.State)
	}
}

func TestContainerRestarts(t *testing.T) {
	never, onFailure, always := corev1.ContainerRestartPolicyNever, corev1.ContainerRestartPolicyOnFailure, corev1.ContainerRestartPolicyAlways
	rule := func(action corev1.ContainerRestartRuleAction, op corev1.ContainerRestartRuleOnExitCodesOperator, codes ...int32) corev1.ContainerRestartRule {
		return corev1.ContainerRestartRule{Action: action, ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: op, Values: codes}}
	}
	tests := []struct {
		name   string
		pod    corev1.RestartPolicy
		policy *corev1.ContainerRestartPolicy
		rules  []corev1.ContainerRestartRule
		code   int32
		want   bool
	}{
		{"pod Always", corev1.RestartPolicyAlways, nil, nil, 1, true},
		{"pod default", "", nil, nil, 1, true},
		{"pod OnFailure, failed", corev1.RestartPolicyOnFailure, nil, nil, 1, true},
		{"pod OnFailure, exit 0", corev1.RestartPolicyOnFailure, nil, nil, 0, false},
		{"pod Never", corev1.RestartPolicyNever, nil, nil, 1, false},
		{"container Never overrides pod Always", corev1.RestartPolicyAlways, &never, nil, 1, false},
		{"container OnFailure overrides pod Never", corev1.RestartPolicyNever, &onFailure, nil, 1, true},
		{"container Always", corev1.RestartPolicyNever, &always, nil, 0, true},
		{"rule In matches", corev1.RestartPolicyNever, &never, []corev1.ContainerRestartRule{rule("Restart", "In", 42)}, 42, true},
		{"rule In misses", corev1.RestartPolicyAlways, &never, []corev1.ContainerRestartRule{rule("Restart", "In", 42)}, 1, false},
		{"rule NotIn matches", corev1.RestartPolicyNever, &never, []corev1.ContainerRestartRule{rule("Restart", "NotIn", 0)}, 3, true},
		{"rule NotIn misses", corev1.RestartPolicyNever, &never, []corev1.ContainerRestartRule{rule("Restart", "NotIn", 3)}, 3, false},
		{"RestartAllContainers restarts", corev1.RestartPolicyNever, &never, []corev1.ContainerRestartRule{rule("RestartAllContainers", "In", 5)}, 5, true},
		{"rules ignored without container policy", corev1.RestartPolicyNever, nil, []corev1.ContainerRestartRule{rule("Restart", "In", 1)}, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := corev1.Container{RestartPolicy: tc.policy, RestartPolicyRules: tc.rules}
			if got := containerRestarts(&corev1.PodSpec{RestartPolicy: tc.pod}, &c, tc.code); got != tc.want {
				t.Errorf("containerRestarts = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInitStepsDuplicateStatusNames(t *testing.T) {
	pod := &corev1.Pod{
		Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "a"}}},
		Status: corev1.PodStatus{InitContainerStatuses: []corev1.ContainerStatus{
			{Name: "a", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0}}},
			{Name: "a", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
		}},
	}
	if got := InitSteps(pod, testNow)[0].Phase; got != PhaseSucceeded {
		t.Errorf("phase = %s, want the first status with that name to win (succeeded)", got)
	}
}

package podgen

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

var base = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func generator(t *testing.T) *Generator {
	t.Helper()
	templates, err := LoadTemplates(filepath.Join("..", "..", "testdata", "e2e", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	return &Generator{Templates: templates, Namespaces: []string{"a", "b"}, Base: base}
}

// TestOracleCasesAreStable: the oracle's set is the same on every run, big
// enough, and names every pod once.
func TestOracleCasesAreStable(t *testing.T) {
	first, second := generator(t).OracleCases(), generator(t).OracleCases()
	if len(first) < 200 {
		t.Fatalf("%d cases, the oracle needs at least 200", len(first))
	}
	if !reflect.DeepEqual(first, second) {
		t.Fatal("two generations with the same inputs differ")
	}
	seen := map[string]bool{}
	for _, c := range first {
		key := c.Pod.Namespace + "/" + c.Pod.Name
		if seen[key] {
			t.Fatalf("%s generated twice", key)
		}
		seen[key] = true
		if c.Delete && len(c.Pod.Finalizers) == 0 {
			t.Errorf("%s is deleted without a finalizer: it would vanish instead of showing Terminating", key)
		}
	}
}

func TestBuildStatus(t *testing.T) {
	g := generator(t)
	seed, err := Find(g.Templates, "seed-app")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Find(g.Templates, "plain")
	if err != nil {
		t.Fatal(err)
	}
	done4 := []State{TermCompleted, TermCompleted, TermCompleted, TermCompleted}
	tests := []struct {
		name        string
		pod         *corev1.Pod
		policy      corev1.RestartPolicy
		plan        Plan
		phase       corev1.PodPhase
		initialized corev1.ConditionStatus
		ready       corev1.ConditionStatus
		initStatus  int // init container statuses reported
	}{
		{"blocked at the second step", seed.Pod, corev1.RestartPolicyAlways,
			Plan{Init: []State{TermCompleted, Running, WaitingPodInitializing, Absent}, Apps: []State{WaitingPodInitializing}},
			corev1.PodPending, corev1.ConditionFalse, corev1.ConditionFalse, 3},
		{"failed init, never restarted", seed.Pod, corev1.RestartPolicyNever,
			Plan{Init: []State{TermError}, Apps: []State{WaitingPodInitializing}},
			corev1.PodFailed, corev1.ConditionFalse, corev1.ConditionFalse, 1},
		{"running and ready", seed.Pod, corev1.RestartPolicyAlways,
			Plan{Init: done4, Apps: []State{RunningReady}},
			corev1.PodRunning, corev1.ConditionTrue, corev1.ConditionTrue, 4},
		{"all apps succeeded", plain.Pod, corev1.RestartPolicyOnFailure,
			Plan{Apps: []State{TermCompleted, TermZeroNoReason}},
			corev1.PodSucceeded, corev1.ConditionTrue, corev1.ConditionFalse, 0}, // no init containers: initialized
		{"overrides win", plain.Pod, corev1.RestartPolicyAlways,
			Plan{Apps: []State{TermCompleted, RunningReady}, Initialized: boolPtr(true), Ready: boolPtr(true), Phase: corev1.PodRunning},
			corev1.PodRunning, corev1.ConditionTrue, corev1.ConditionTrue, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := tc.pod.DeepCopy()
			pod.Spec.RestartPolicy = tc.policy
			st := BuildStatus(pod, tc.plan, base)
			if st.Phase != tc.phase {
				t.Errorf("phase %s, want %s", st.Phase, tc.phase)
			}
			if got := condition(st, corev1.PodInitialized); got != tc.initialized {
				t.Errorf("Initialized %s, want %s", got, tc.initialized)
			}
			if got := condition(st, corev1.PodReady); got != tc.ready {
				t.Errorf("Ready %s, want %s", got, tc.ready)
			}
			if len(st.InitContainerStatuses) != tc.initStatus {
				t.Errorf("%d init container statuses, want %d", len(st.InitContainerStatuses), tc.initStatus)
			}
		})
	}
}

func condition(st corev1.PodStatus, t corev1.PodConditionType) corev1.ConditionStatus {
	for _, c := range st.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

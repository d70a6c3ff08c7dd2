package model

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestConditionsOrder(t *testing.T) {
	tests := []struct {
		name  string
		types []corev1.PodConditionType
		want  []string
	}{
		{
			name:  "seed fixture order is normalised",
			types: []corev1.PodConditionType{"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"},
			want:  []string{"PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"},
		},
		{
			name:  "others follow alphabetically",
			types: []corev1.PodConditionType{"example.com/gate", "Ready", "DisruptionTarget", "PodScheduled", "PodResizePending"},
			want:  []string{"PodScheduled", "Ready", "DisruptionTarget", "PodResizePending", "example.com/gate"},
		},
		{
			name:  "the four the seed article lists",
			types: []corev1.PodConditionType{"Initialized", "Ready", "ContainersReady", "PodScheduled"},
			want:  []string{"PodScheduled", "Initialized", "ContainersReady", "Ready"},
		},
		{name: "none", types: nil, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{}
			for _, ty := range tc.types {
				pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: ty, Status: corev1.ConditionTrue})
			}
			var got []string
			for _, c := range Conditions(pod) {
				got = append(got, c.Type)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("order = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConditionsFields(t *testing.T) {
	pod := loadPod(t, "seed-03-init-error")
	conds := Conditions(pod)
	if len(conds) != 5 {
		t.Fatalf("got %d conditions, want all 5 the server sent", len(conds))
	}
	init := conds[2]
	if init.Type != "Initialized" || init.Status != "False" || init.Reason != "ContainersNotInitialized" ||
		init.Message != "containers with incomplete status: [init-fetch-files init-check-services init-check-database init-check-cache]" {
		t.Errorf("Initialized = %+v", init)
	}
	if init.LastTransitionTime == nil || !init.LastTransitionTime.Equal(testNow.Add(-6e9)) {
		t.Errorf("LastTransitionTime = %v", init.LastTransitionTime)
	}
	if init.LastProbeTime != nil {
		t.Errorf("LastProbeTime = %v, want nil for a null probe time", init.LastProbeTime)
	}

	hostile := &corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{
		{Type: "Ready", Status: "False", Reason: "\x1b[31mBad", Message: "line1\nline2\x1b]52;c;ZXZpbA==\x07"},
	}}}
	c := Conditions(hostile)[0]
	if c.Reason != "Bad" || c.Message != "line1\nline2" {
		t.Errorf("sanitized condition = %q %q", c.Reason, c.Message)
	}
}

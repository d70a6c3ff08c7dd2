package model

import (
	"reflect"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNewPodView(t *testing.T) {
	pod := loadPod(t, "seed-04-init-crashloopbackoff")
	v := NewPodView(pod, testNow)
	if v.Namespace != "default" || v.Name != "k8s-init-containers-64f984c8d7-tdjrg" || v.UID != "6f1c2b9e-6a43-4a55-9d43-0c3f6a1e2b01" {
		t.Errorf("identity = %s/%s %s", v.Namespace, v.Name, v.UID)
	}
	if v.Owner != "ReplicaSet/k8s-init-containers-64f984c8d7" || v.Node != "kind-worker" || v.Phase != "Pending" || v.RestartPolicy != "Always" {
		t.Errorf("owner %q node %q phase %q policy %q", v.Owner, v.Node, v.Phase, v.RestartPolicy)
	}
	if v.Labels["app"] != "k8s-init-containers" || !v.Created.Equal(testNow.Add(-252*time.Second)) {
		t.Errorf("labels %v created %v", v.Labels, v.Created)
	}
	if v.Printed.Status != "Init:CrashLoopBackOff" || len(v.Steps) != 4 || v.Progress.ActiveName != "init-check-services" || v.Category != CategoryFailing {
		t.Errorf("printed %q steps %d active %q category %v", v.Printed.Status, len(v.Steps), v.Progress.ActiveName, v.Category)
	}
}

func TestOwner(t *testing.T) {
	yes := true
	tests := []struct {
		name string
		refs []metav1.OwnerReference
		want string
	}{
		{"none", nil, ""},
		{"controller wins", []metav1.OwnerReference{{Kind: "ConfigMap", Name: "x"}, {Kind: "Job", Name: "nightly", Controller: &yes}}, "Job/nightly"},
		{"first when no controller", []metav1.OwnerReference{{Kind: "Node", Name: "n1"}, {Kind: "ConfigMap", Name: "x"}}, "Node/n1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{OwnerReferences: tc.refs}}
			if got := ownerOf(pod); got != tc.want {
				t.Errorf("owner = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCategorize(t *testing.T) {
	failedStep := []InitStep{{Phase: PhaseSucceeded}, {Phase: PhaseFailed}}
	tests := []struct {
		phase        corev1.PodPhase
		status       string
		ready, total int
		steps        []InitStep
		want         Category
	}{
		{corev1.PodPending, "Init:0/4", 0, 1, nil, CategoryInitializing},
		{corev1.PodPending, "Init:0/4", 0, 1, failedStep, CategoryFailing},
		{corev1.PodPending, "Init:Error", 0, 1, nil, CategoryFailing},
		{corev1.PodPending, "Init:OOMKilled", 0, 1, nil, CategoryFailing},
		{corev1.PodPending, "Init:Signal:9", 0, 1, nil, CategoryFailing},
		{corev1.PodPending, "Init:ContainerCreating", 0, 1, nil, CategoryInitializing},
		{corev1.PodPending, "PodInitializing", 0, 1, nil, CategoryInitializing},
		{corev1.PodPending, "ContainerCreating", 0, 1, nil, CategoryInitializing},
		{corev1.PodPending, "ImagePullBackOff", 0, 1, nil, CategoryFailing},
		{corev1.PodPending, "SchedulingGated", 0, 1, nil, CategoryInitializing},
		{corev1.PodPending, "SomethingNew", 0, 1, nil, CategoryInitializing},
		{corev1.PodRunning, "Running", 2, 2, nil, CategoryReady},
		{corev1.PodRunning, "Running", 1, 2, nil, CategoryNotReady},
		{corev1.PodRunning, "NotReady", 1, 2, nil, CategoryNotReady},
		{corev1.PodRunning, "CrashLoopBackOff", 0, 1, nil, CategoryFailing},
		{corev1.PodRunning, "ExitCode:3", 0, 1, nil, CategoryFailing},
		{corev1.PodRunning, "Error", 0, 1, nil, CategoryFailing},
		{corev1.PodRunning, "Running", 1, 1, failedStep, CategoryFailing},
		{corev1.PodRunning, "Terminating", 1, 1, failedStep, CategoryNotReady},
		{corev1.PodRunning, "Unknown", 1, 1, nil, CategoryNotReady},
		{corev1.PodRunning, "Completed", 0, 1, nil, CategoryDone},
		{corev1.PodSucceeded, "Completed", 0, 1, nil, CategoryDone},
		{corev1.PodSucceeded, "Init:Error", 0, 1, failedStep, CategoryDone},
		{corev1.PodFailed, "Evicted", 0, 1, nil, CategoryFailing},
		{corev1.PodFailed, "Shutdown", 0, 1, nil, CategoryFailing},
		{corev1.PodUnknown, "Unknown", 0, 1, nil, CategoryNotReady},
	}
	for _, tc := range tests {
		p := Printed{Status: tc.status, ReadyCount: tc.ready, TotalCount: tc.total}
		if got := Categorize(tc.phase, p, tc.steps); got != tc.want {
			t.Errorf("Categorize(%s, %q, %d/%d, %d steps) = %v, want %v", tc.phase, tc.status, tc.ready, tc.total, len(tc.steps), got, tc.want)
		}
	}
}

func TestCategoryString(t *testing.T) {
	var got []string
	for c := CategoryFailing; c <= CategoryDone+1; c++ {
		got = append(got, c.String())
	}
	if want := []string{"failing", "initializing", "not-ready", "ready", "done", "unknown"}; !slices.Equal(got, want) {
		t.Errorf("names = %v, want %v", got, want)
	}
}

func TestCompare(t *testing.T) {
	mk := func(ns, name string, cat Category, age time.Duration, restarts int) *PodView {
		return &PodView{Namespace: ns, Name: name, Category: cat, Created: testNow.Add(-age), Printed: Printed{RestartCount: restarts}}
	}
	pods := []*PodView{
		mk("b", "web-1", CategoryReady, time.Hour, 0),
		mk("a", "web-2", CategoryFailing, time.Minute, 7),
		mk("a", "db-0", CategoryInitializing, 2*time.Hour, 1),
		mk("c", "job-x", CategoryDone, 3*time.Hour, 0),
		mk("a", "api-0", CategoryNotReady, 10*time.Minute, 7),
		mk("b", "api-0", CategoryFailing, 5*time.Minute, 2),
	}
	tests := []struct {
		key  SortKey
		want []string
	}{
		{SortDefault, []string{"a/web-2", "b/api-0", "a/db-0", "a/api-0", "b/web-1", "c/job-x"}},
		{SortName, []string{"a/api-0", "b/api-0", "a/db-0", "c/job-x", "b/web-1", "a/web-2"}},
		{SortNamespace, []string{"a/api-0", "a/db-0", "a/web-2", "b/api-0", "b/web-1", "c/job-x"}},
		{SortAge, []string{"c/job-x", "a/db-0", "b/web-1", "a/api-0", "b/api-0", "a/web-2"}},
		{SortRestarts, []string{"a/api-0", "a/web-2", "b/api-0", "a/db-0", "b/web-1", "c/job-x"}},
		{"bogus", []string{"a/web-2", "b/api-0", "a/db-0", "a/api-0", "b/web-1", "c/job-x"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.key), func(t *testing.T) {
			sorted := slices.Clone(pods)
			slices.SortFunc(sorted, func(a, b *PodView) int { return Compare(a, b, tc.key) })
			var got []string
			for _, p := range sorted {
				got = append(got, p.Namespace+"/"+p.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("order = %v, want %v", got, tc.want)
			}
			if Less(sorted[1], sorted[0], tc.key) {
				t.Error("Less disagrees with Compare")
			}
		})
	}
}

func TestStatusShapes(t *testing.T) {
	for s, want := range map[string]bool{"Init:0/4": true, "Init:12/13": true, "Init:1/": false, "Init:/4": false, "Init:a/4": false, "0/4": false} {
		if got := isInitCount(s); got != want {
			t.Errorf("isInitCount(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{"ExitCode:2": true, "Init:ExitCode:-1": true, "Signal:9": true, "Init:Signal:15": true,
		"ExitCode:": false, "Signal:x": false, "Init:Error": false, "ExitCode:--1": false} {
		if got := isExitStatus(s); got != want {
			t.Errorf("isExitStatus(%q) = %v", s, got)
		}
	}
}

// TestPodViewerMatchesNewPodView runs one PodViewer over every fixture,
// in an order where the number of steps goes up and down, and twice over:
// each view equals NewPodView's, whatever the viewer computed before.
func TestPodViewerMatchesNewPodView(t *testing.T) {
	var pv PodViewer
	names := fixtureNames(t)
	if len(names) < 20 {
		t.Fatalf("found %d fixtures", len(names))
	}
	stepCounts := map[int]bool{}
	for round := range 2 {
		for _, name := range names {
			pod := loadPod(t, name)
			want := NewPodView(pod, testNow)
			got := pv.View(pod, testNow)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, %s: PodViewer's view differs from NewPodView's:\n got %+v\nwant %+v", round, name, got, want)
			}
			stepCounts[len(want.Steps)] = true
		}
		slices.Reverse(names)
	}
	if len(stepCounts) < 3 {
		t.Fatalf("the fixtures have only %d different numbers of steps; the test needs some variety", len(stepCounts))
	}
}

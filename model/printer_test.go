package model

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// printCases are the columns kubectl v1.37 prints for each fixture at
// testNow, worked out from printPod's branches (the reasoning is in each
// fixture's header comment).
var printCases = []struct {
	fixture                      string
	ready, status, restarts, age string
	category                     Category
}{
	// The seed's `kubectl get pods --watch` sequence, in order.
	{"seed-01-pending", "0/1", "Pending", "0", "4s", CategoryInitializing},
	{"seed-02-init-0-4", "0/1", "Init:0/4", "0", "6s", CategoryInitializing},
	{"seed-03-init-error", "0/1", "Init:Error", "0", "7s", CategoryFailing},
	{"seed-04-init-crashloopbackoff", "0/1", "Init:CrashLoopBackOff", "5 (89s ago)", "4m12s", CategoryFailing},
	{"seed-05-init-1-4", "0/1", "Init:1/4", "1 (5s ago)", "8s", CategoryInitializing},
	{"seed-06-init-2-4", "0/1", "Init:2/4", "1 (37s ago)", "43s", CategoryInitializing},
	{"seed-07-init-3-4", "0/1", "Init:3/4", "1 (37s ago)", "44s", CategoryInitializing},
	{"seed-08-podinitializing", "0/1", "PodInitializing", "0", "45s", CategoryInitializing},
	{"seed-09-running", "1/1", "Running", "0", "46s", CategoryReady},

	// Native sidecars.
	{"sidecar-starting", "0/2", "Init:0/2", "0", "20s", CategoryInitializing},
	{"sidecar-then-init", "1/2", "Init:1/2", "0", "30s", CategoryInitializing},
	{"sidecar-running", "2/2", "Running", "2 (5m1s ago)", "60m", CategoryReady},
	{"sidecar-crashloop", "1/2", "Init:CrashLoopBackOff", "13 (2m ago)", "120m", CategoryFailing},

	// Init failures.
	{"never-init-error", "0/1", "Init:Error", "0", "15m", CategoryFailing},
	{"init-signal", "0/1", "Init:Signal:9", "0", "2m", CategoryFailing},
	{"init-exitcode", "0/1", "Init:ExitCode:3", "2 (95s ago)", "2m5s", CategoryFailing},
	{"init-errimagepull", "0/1", "Init:ErrImagePull", "0", "30s", CategoryFailing},
	{"init-restart-rules", "0/1", "Init:Error", "0", "10m", CategoryFailing},
	{"init-container-creating", "0/1", "Init:ContainerCreating", "0", "5s", CategoryInitializing},
	{"statuses-out-of-order", "0/1", "Init:0/2", "0", "60s", CategoryInitializing},
	{"pending-no-statuses", "0/1", "Pending", "0", "3s", CategoryInitializing},

	// App containers.
	{"app-signal", "0/1", "Signal:15", "4 (61m ago)", "3d", CategoryFailing},
	{"app-exitcode", "0/1", "ExitCode:2", "0", "10d", CategoryFailing},
	{"crashloop", "0/1", "CrashLoopBackOff", "4021 (120m ago)", "400d", CategoryFailing},
	{"image-pull-backoff", "0/1", "ImagePullBackOff", "0", "3m", CategoryFailing},
	{"container-creating", "0/1", "ContainerCreating", "0", "5s", CategoryInitializing},
	{"running-not-ready", "0/1", "Running", "0", "3m20s", CategoryNotReady},
	{"notready", "1/2", "NotReady", "0", "6m40s", CategoryNotReady},
	{"completed-but-running", "1/2", "Running", "0", "6m40s", CategoryNotReady},
	{"completed-with-error", "0/2", "Error", "0", "6m40s", CategoryFailing},
	{"completed", "0/1", "Completed", "0", "9h", CategoryDone},

	// Pod-level states.
	{"scheduling-gated", "0/1", "SchedulingGated", "0", "45s", CategoryInitializing},
	{"unschedulable", "0/1", "Pending", "0", "5m", CategoryInitializing},
	{"evicted", "0/1", "Evicted", "0", "2d5h", CategoryFailing},
	{"evicted-terminated", "0/1", "ContainerStatusUnknown", "0", "9d", CategoryFailing},
	{"terminating", "1/1", "Terminating", "0", "90m", CategoryNotReady},
	{"terminating-succeeded", "0/1", "Completed", "0", "11m", CategoryDone},
	{"nodelost", "1/1", "Unknown", "0", "24h", CategoryNotReady},
}

func TestPrintFixtures(t *testing.T) {
	for _, tc := range printCases {
		t.Run(tc.fixture, func(t *testing.T) {
			pod := loadPod(t, tc.fixture)
			got := Print(pod, testNow)
			want := [4]string{tc.ready, tc.status, tc.restarts, tc.age}
			if g := [4]string{got.Ready, got.Status, got.Restarts, got.Age}; g != want {
				t.Errorf("Print = READY %q STATUS %q RESTARTS %q AGE %q, want %q", g[0], g[1], g[2], g[3], want)
			}
			if v := NewPodView(pod, testNow); v.Category != tc.category {
				t.Errorf("category = %v, want %v", v.Category, tc.category)
			}
		})
	}
}

// fixtureHeader is the golden line each fixture carries for human readers
// (and for the e2e comparison against a real apiserver).
var fixtureHeader = regexp.MustCompile(`^# kubectl v1\.37: READY (\S+)  STATUS (\S+)  RESTARTS (.+?)  AGE (\S+)$`)

// TestFixtureHeadersAgree keeps the header comments and printCases in step,
// and makes sure no fixture is left out of the table.
func TestFixtureHeadersAgree(t *testing.T) {
	cases := map[string]int{}
	for i, tc := range printCases {
		cases[tc.fixture] = i
	}
	for _, name := range fixtureNames(t) {
		i, ok := cases[name]
		if !ok {
			t.Errorf("fixture %s has no entry in printCases", name)
			continue
		}
		tc := printCases[i]
		f, err := os.Open(filepath.Join(fixtureDir, name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var header []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := fixtureHeader.FindStringSubmatch(sc.Text()); m != nil {
				header = m[1:]
				break
			}
		}
		f.Close()
		want := []string{tc.ready, tc.status, tc.restarts, tc.age}
		if len(header) != 4 || [4]string(header) != [4]string(want) {
			t.Errorf("%s: header says %q, printCases says %q", name, header, want)
		}
	}
}

func TestPrintParsedFields(t *testing.T) {
	pod := loadPod(t, "sidecar-crashloop")
	got := Print(pod, testNow)
	if got.ReadyCount != 1 || got.TotalCount != 2 || got.RestartCount != 13 {
		t.Errorf("counts = %d/%d restarts %d, want 1/2 restarts 13", got.ReadyCount, got.TotalCount, got.RestartCount)
	}
	wantLast := testNow.Add(-120 * time.Second)
	if got.LastRestartAt == nil || !got.LastRestartAt.Equal(wantLast) {
		t.Errorf("LastRestartAt = %v, want %v", got.LastRestartAt, wantLast)
	}
	if p := Print(loadPod(t, "seed-09-running"), testNow); p.LastRestartAt != nil {
		t.Errorf("LastRestartAt = %v for a pod whose restarts were reset, want nil", p.LastRestartAt)
	}
}

// TestPrintBranches covers printPod branches the fixtures do not, on small
// pods built in code.
func TestPrintBranches(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	yes, no := true, false
	ago := func(s int) metav1.Time { return metav1.NewTime(testNow.Add(-time.Duration(s) * time.Second)) }
	term := func(code, sig int32, reason string, finished int) *corev1.ContainerStateTerminated {
		return &corev1.ContainerStateTerminated{ExitCode: code, Signal: sig, Reason: reason, FinishedAt: ago(finished)}
	}
	base := func() *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", CreationTimestamp: ago(30)},
			Spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "side", RestartPolicy: &always}, {Name: "init"}},
				Containers:     []corev1.Container{{Name: "a"}, {Name: "b"}},
			},
			Status: corev1.PodStatus{Phase: corev1.PodRunning},
		}
	}
	tests := []struct {
		name                    string
		mutate                  func(*corev1.Pod)
		ready, status, restarts string
	}{
		{
			name:   "no statuses: phase",
			mutate: func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending },
			ready:  "0/3", status: "Pending", restarts: "0",
		},
		{
			name: "pod reason replaces phase",
			mutate: func(p *corev1.Pod) {
				p.Status.Phase, p.Status.Reason = corev1.PodFailed, "OutOfcpu"
			},
			ready: "0/3", status: "OutOfcpu", restarts: "0",
		},
		{
			name:   "empty phase prints empty",
			mutate: func(p *corev1.Pod) { p.Status.Phase = "" },
			ready:  "0/3", status: "", restarts: "0",
		},
		{
			name: "SchedulingGated wins over reason",
			mutate: func(p *corev1.Pod) {
				p.Status.Reason = "Whatever"
				p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "SchedulingGated"}}
			},
			ready: "0/3", status: "SchedulingGated", restarts: "0",
		},
		{
			name: "sidecar started but terminated non-zero still passes",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "side", Started: &yes, Ready: true, State: corev1.ContainerState{Terminated: term(1, 0, "Error", 5)}},
					{Name: "init", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "1/3", status: "Init:1/2", restarts: "0",
		},
		{
			name: "sidecar exited 0 passes without counting as ready",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "side", Started: &yes, Ready: true, State: corev1.ContainerState{Terminated: term(0, 0, "Completed", 5)}},
					{Name: "init", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "0/3", status: "Init:1/2", restarts: "0",
		},
		{
			name: "sidecar not started blocks",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "side", Started: &no, Ready: false, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "0/3", status: "Init:0/2", restarts: "0",
		},
		{
			name: "waiting PodInitializing is Init:N/M",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "side", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}},
				}
			},
			ready: "0/3", status: "Init:0/2", restarts: "0",
		},
		{
			name: "terminated reason wins over signal",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "init", State: corev1.ContainerState{Terminated: term(137, 9, "OOMKilled", 5)}},
				}
			},
			ready: "0/3", status: "Init:OOMKilled", restarts: "0",
		},
		{
			name: "status name unknown to the spec is not a sidecar",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "ghost", Started: &yes, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "0/3", status: "Init:0/2", restarts: "0",
		},
		{
			name: "init restarts count while initializing, with the latest finish",
			mutate: func(p *corev1.Pod) {
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "side", Started: &yes, RestartCount: 2, LastTerminationState: corev1.ContainerState{Terminated: term(1, 0, "Error", 600)},
						State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
					{Name: "init", RestartCount: 3, LastTerminationState: corev1.ContainerState{Terminated: term(1, 0, "Error", 20)},
						State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}},
				}
				// App statuses are not walked while initializing.
				p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "a", RestartCount: 7}}
			},
			ready: "0/3", status: "Init:CrashLoopBackOff", restarts: "5 (20s ago)",
		},
		{
			name: "restarts without a known time print bare",
			mutate: func(p *corev1.Pod) {
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", RestartCount: 3, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "1/3", status: "Running", restarts: "3",
		},
		{
			name: "first app container has the last word",
			mutate: func(p *corev1.Pod) {
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}},
					{Name: "b", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}},
				}
			},
			ready: "0/3", status: "ContainerCreating", restarts: "0",
		},
		{
			name: "waiting without reason leaves status alone",
			mutate: func(p *corev1.Pod) {
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}},
				}
			},
			ready: "0/3", status: "Running", restarts: "0",
		},
		{
			name: "Completed with a running container but no Ready condition",
			mutate: func(p *corev1.Pod) {
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", State: corev1.ContainerState{Terminated: term(0, 0, "Completed", 5)}},
					{Name: "b", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "1/3", status: "NotReady", restarts: "0",
		},
		{
			name: "Completed with an earlier error and a running container",
			mutate: func(p *corev1.Pod) {
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "c"})
				p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse}}
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", State: corev1.ContainerState{Terminated: term(0, 0, "Completed", 5)}},
					{Name: "b", State: corev1.ContainerState{Terminated: term(2, 0, "", 5)}},
					{Name: "c", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "1/4", status: "ExitCode:2", restarts: "0",
		},
		{
			name: "a later Ready=True entry counts",
			mutate: func(p *corev1.Pod) {
				p.Status.Conditions = []corev1.PodCondition{
					{Type: corev1.PodReady, Status: corev1.ConditionFalse},
					{Type: corev1.PodReady, Status: corev1.ConditionTrue},
				}
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", State: corev1.ContainerState{Terminated: term(0, 0, "Completed", 5)}},
					{Name: "b", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
			},
			ready: "1/3", status: "Running", restarts: "0",
		},
		{
			name: "only the first Initialized entry counts",
			mutate: func(p *corev1.Pod) {
				p.Status.Conditions = []corev1.PodCondition{
					{Type: corev1.PodInitialized, Status: corev1.ConditionFalse},
					{Type: corev1.PodInitialized, Status: corev1.ConditionTrue},
				}
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "init", RestartCount: 1, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
				p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "a", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}}
			},
			ready: "0/3", status: "Init:0/2", restarts: "1",
		},
		{
			name: "Initialized=True with a blocked init container walks apps too",
			mutate: func(p *corev1.Pod) {
				p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}}
				p.Status.InitContainerStatuses = []corev1.ContainerStatus{
					{Name: "init", RestartCount: 4, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				}
				p.Status.ContainerStatuses = []corev1.ContainerStatus{
					{Name: "a", RestartCount: 1, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}},
				}
			},
			ready: "0/3", status: "PodInitializing", restarts: "1",
		},
		{
			name: "deleted Failed pod keeps its status",
			mutate: func(p *corev1.Pod) {
				now := metav1.NewTime(testNow)
				p.DeletionTimestamp = &now
				p.Status.Phase = corev1.PodFailed
			},
			ready: "0/3", status: "Failed", restarts: "0",
		},
		{
			name: "deleted NodeLost pod is Unknown even when Succeeded",
			mutate: func(p *corev1.Pod) {
				now := metav1.NewTime(testNow)
				p.DeletionTimestamp = &now
				p.Status.Phase, p.Status.Reason = corev1.PodSucceeded, "NodeLost"
			},
			ready: "0/3", status: "Unknown", restarts: "0",
		},
		{
			name:   "hostile reason is neutralised",
			mutate: func(p *corev1.Pod) { p.Status.Reason = "Evil\x1b]0;pwned\x07\x1b[2J" },
			ready:  "0/3", status: "Evil", restarts: "0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pod := base()
			tc.mutate(pod)
			got := Print(pod, testNow)
			if got.Ready != tc.ready || got.Status != tc.status || got.Restarts != tc.restarts {
				t.Errorf("Print = %q %q %q, want %q %q %q", got.Ready, got.Status, got.Restarts, tc.ready, tc.status, tc.restarts)
			}
			if got.Age != "30s" {
				t.Errorf("Age = %q, want 30s", got.Age)
			}
		})
	}
}

func TestPrintUnknownAge(t *testing.T) {
	if got := Print(&corev1.Pod{}, testNow).Age; got != "<unknown>" {
		t.Errorf("Age of a pod without creationTimestamp = %q, want <unknown>", got)
	}
}

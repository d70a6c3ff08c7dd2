package rollout

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func workloadNamed(t *testing.T, s Summary, kind, name string) Workload {
	t.Helper()
	for _, w := range s.Workloads {
		if w.Ref.Kind == kind && w.Ref.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %s/%s in %d", kind, name, len(s.Workloads))
	return Workload{}
}

func ptr(n int32) *int32 { return &n }

func TestSummaryWorkloads(t *testing.T) {
	f := loadFixture(t, "rollout")
	s := Summarize(f.pods, f.store(), testNow, Options{})

	var order []string
	for _, w := range s.Workloads {
		order = append(order, w.Ref.String())
	}
	wantOrder := []string{"shop/(no owner)", "shop/CronJob/nightly", "shop/Deployment/web", "shop/StatefulSet/db",
		"shop/DaemonSet/agent", "shop/ReplicaSet/legacy"}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("order = %q\nwant    %q", order, wantOrder)
	}
	if s.Pods != len(f.pods) || len(s.Fallback) != 0 {
		t.Errorf("pods %d (want %d), fallback %q", s.Pods, len(f.pods), s.Fallback)
	}

	tests := []struct {
		kind, name                              string
		desired                                 *int32
		pods, updated, initialized, ready       int
		progress                                float64
		status                                  string
		done, failed, inferred, moving, stalled bool
		running                                 time.Duration
		revisions                               []string // name:number:pods, newest first
		sigs                                    int
	}{
		{kind: KindDeployment, name: "web", desired: ptr(4), pods: 6, updated: 4, initialized: 1, ready: 1, progress: 0.25,
			status:  `Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...`,
			stalled: true, running: 10 * time.Minute, revisions: []string{"web-new:2:4", "web-old:1:2"}, sigs: 1},
		{kind: KindStatefulSet, name: "db", desired: ptr(2), pods: 2, updated: 1, initialized: 1, ready: 1, progress: 0.5,
			status:  "waiting for statefulset rolling update to complete 1 pods at revision db-r2...",
			stalled: true, running: 20 * time.Minute, revisions: []string{"db-r2:0:1", "db-r1:0:1"}},
		{kind: KindDaemonSet, name: "agent", desired: ptr(1), pods: 1, updated: 1, initialized: 1, ready: 1, progress: 1,
			status: `daemon set "agent" successfully rolled out`, done: true, revisions: []string{"a1:0:1"}},
		{kind: KindCronJob, name: "nightly", desired: ptr(1), pods: 1, updated: 1,
			status: `job "nightly-100" failed: BackoffLimitExceeded`, failed: true, running: 12 * time.Hour,
			revisions: []string{"nightly-100:0:1"}, sigs: 1},
		{kind: KindReplicaSet, name: "legacy", pods: 1, updated: 1, initialized: 1, ready: 1, progress: 1,
			status: "1 of 1 pods ready", done: true, revisions: []string{"legacy:0:1"}},
		{kind: KindNone, name: "", pods: 1, updated: 1, status: "0 of 1 new pods ready", stalled: false,
			running: 2 * time.Minute, revisions: []string{":0:1"}, sigs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.name, func(t *testing.T) {
			w := workloadNamed(t, s, tt.kind, tt.name)
			if !reflect.DeepEqual(w.Desired, tt.desired) {
				t.Errorf("desired = %v, want %v", deref(w.Desired), deref(tt.desired))
			}
			if w.Pods != tt.pods || w.Updated != tt.updated || w.Initialized != tt.initialized || w.Ready != tt.ready {
				t.Errorf("pods/updated/initialized/ready = %d/%d/%d/%d, want %d/%d/%d/%d",
					w.Pods, w.Updated, w.Initialized, w.Ready, tt.pods, tt.updated, tt.initialized, tt.ready)
			}
			if w.Progress != tt.progress {
				t.Errorf("progress = %v, want %v", w.Progress, tt.progress)
			}
			if w.Status != tt.status || w.Done != tt.done || w.Failed != tt.failed {
				t.Errorf("status = %q done %v failed %v, want %q %v %v", w.Status, w.Done, w.Failed, tt.status, tt.done, tt.failed)
			}
			if w.Inferred != tt.inferred || w.Moving != tt.moving || w.Stalled != tt.stalled || w.Running != tt.running {
				t.Errorf("inferred %v moving %v stalled %v running %v, want %v %v %v %v",
					w.Inferred, w.Moving, w.Stalled, w.Running, tt.inferred, tt.moving, tt.stalled, tt.running)
			}
			var revs []string
			for i, r := range w.Revisions {
				revs = append(revs, r.Name+":"+itoa(r.Number)+":"+itoa(int64(r.Pods)))
				if r.New != (i == 0) {
					t.Errorf("revision %s: new = %v", r.Name, r.New)
				}
			}
			if !reflect.DeepEqual(revs, tt.revisions) {
				t.Errorf("revisions = %q, want %q", revs, tt.revisions)
			}
			if len(w.Signatures) != tt.sigs {
				t.Errorf("%d signatures, want %d", len(w.Signatures), tt.sigs)
			}
		})
	}
}

func deref(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSummaryStepFunnel(t *testing.T) {
	f := loadFixture(t, "rollout")
	w := workloadNamed(t, Summarize(f.pods, f.store(), testNow, Options{}), KindDeployment, "web")
	sec := time.Second
	want := []Step{
		{Name: "init-config", Index: 0, Done: 4,
			Durations: Durations{Count: 4, P50: 2 * sec, P95: 4 * sec, Max: 4 * sec, Histogram: []int{0, 0, 0, 0, 3, 0, 0, 1}}},
		{Name: "mesh", Index: 1, Sidecar: true, Done: 4},
		{Name: "init-migrate", Index: 2, Done: 1, Running: 1, CrashLooping: 2, Restarts: 7,
			Reasons:   []ReasonCount{{Reason: "CrashLoopBackOff", Count: 2}},
			Durations: Durations{Count: 3, P50: 30 * sec, P95: 40 * sec, Max: 40 * sec, Histogram: []int{0, 0, 1, 0, 0, 0, 1, 1}}},
	}
	if !reflect.DeepEqual(w.Steps, want) {
		t.Errorf("steps:\n got %+v\nwant %+v", w.Steps, want)
	}
	if w.Bottleneck != 2 || w.Slowest != 2 {
		t.Errorf("bottleneck %d slowest %d, want 2 2", w.Bottleneck, w.Slowest)
	}
	sig := w.Signatures[0]
	if node, ok := sig.OnOneNode(); !ok || node != "n2" || sig.Count != 2 || sig.Step != "init-migrate" || *sig.ExitCode != 3 {
		t.Errorf("signature = %s", sig.Headline())
	}
}

// A pod that never reached a step, one failed for good, one waiting with a
// reason: the funnel's other columns, on the failed Job's pod and debug.
func TestSummaryFunnelFailedAndNotReached(t *testing.T) {
	f := loadFixture(t, "rollout")
	pod := f.pods[2].DeepCopy() // web-new-a
	pod.Name = "web-new-e"
	pod.Status = corev1.PodStatus{Phase: corev1.PodPending, InitContainerStatuses: []corev1.ContainerStatus{
		{Name: "init-config", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}}},
		{Name: "mesh", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}},
		{Name: "init-migrate", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}},
	}}
	w := workloadNamed(t, Summarize(append(f.pods, pod), f.store(), testNow, Options{}), KindDeployment, "web")
	cfg, mesh := w.Steps[0], w.Steps[1]
	if cfg.Done != 4 || cfg.Waiting != 1 || cfg.Reasons[0] != (ReasonCount{"ImagePullBackOff", 1}) {
		t.Errorf("init-config = %+v", cfg)
	}
	if mesh.NotReached != 1 || mesh.Done != 4 {
		t.Errorf("mesh = %+v", mesh)
	}
	nightly := workloadNamed(t, Summarize(f.pods, f.store(), testNow, Options{}), KindCronJob, "nightly")
	if st := nightly.Steps[0]; st.Failed != 1 || st.Held() != 1 || nightly.Bottleneck != 0 {
		t.Errorf("nightly's init-fetch = %+v (bottleneck %d)", st, nightly.Bottleneck)
	}
	if !nightly.Signatures[0].WillNotRetry {
		t.Error("restartPolicy Never failure not marked as will not retry")
	}
}

func TestSummaryMovingWindow(t *testing.T) {
	f := loadFixture(t, "rollout")
	w := workloadNamed(t, Summarize(f.pods, f.store(), testNow, Options{MovingWindow: 5 * time.Minute}), KindDeployment, "web")
	if !w.Moving || w.Stalled || !w.LastProgress.Equal(time.Date(2026, 3, 1, 11, 56, 14, 0, time.UTC)) {
		t.Errorf("moving %v stalled %v last progress %v", w.Moving, w.Stalled, w.LastProgress)
	}
}

// RBAC refuses every owner kind: the workloads are resolved from the pods,
// revisions from pod-template-hash and controller-revision-hash, the status
// counted from pods, and the summary says so.
func TestSummaryRBACFallback(t *testing.T) {
	f := loadFixture(t, "rollout")
	owners := NewOwners()
	var refused []Refusal
	for _, k := range []string{KindDeployment, KindReplicaSet, KindStatefulSet, KindDaemonSet, KindJob, KindCronJob} {
		refused = append(refused, Refusal{Kind: k, Reason: "forbidden"})
	}
	owners.SetAccess(Access{Refused: refused})
	s := Summarize(f.pods, owners, testNow, Options{})
	if len(s.Fallback) != 6 || !strings.Contains(strings.Join(s.Fallback, "\n"),
		"cannot read ReplicaSets in all namespaces (forbidden): Deployments and revisions inferred from pods' ownerReferences and pod-template-hash") {
		t.Errorf("fallback = %q", s.Fallback)
	}
	web := workloadNamed(t, s, KindDeployment, "web")
	if !web.Inferred || web.Desired != nil || web.Updated != 4 || web.Ready != 1 || web.Pods != 6 {
		t.Errorf("web = inferred %v desired %v updated %d ready %d pods %d", web.Inferred, deref(web.Desired), web.Updated, web.Ready, web.Pods)
	}
	if web.Status != "1 of 4 new pods ready (owner not read: counted from pods)" || web.Done {
		t.Errorf("web status = %q", web.Status)
	}
	if web.Revisions[0].Name != "web-new" || web.Revisions[0].Number != 0 || web.Revisions[1].Name != "web-old" {
		t.Errorf("web revisions = %+v", web.Revisions)
	}
	if len(web.Steps) != 3 || web.Steps[2].CrashLooping != 2 {
		t.Errorf("web steps = %+v", web.Steps)
	}
	// The Job's pod names its Job; without Jobs the CronJob is unknown.
	job := workloadNamed(t, s, KindJob, "nightly-100")
	if !job.Inferred || job.Done {
		t.Errorf("job = %+v", job)
	}
	db := workloadNamed(t, s, KindStatefulSet, "db")
	if db.Revisions[0].Name != "db-r2" || !db.Inferred {
		t.Errorf("db revisions = %+v", db.Revisions)
	}
	if text := s.Text(testNow); !strings.HasPrefix(text, "note: cannot read CronJobs in all namespaces (forbidden)") {
		t.Errorf("text does not start with the fallback notes:\n%s", text)
	}
}

// The Summarizer, fed changes one at a time, says what a fresh summary of
// the same pods says: pod changes, removals, and owners listed late.
func TestSummarizerIncremental(t *testing.T) {
	f := loadFixture(t, "rollout")
	owners := NewOwners()
	inc := NewSummarizer(owners, Options{})
	for _, p := range f.pods {
		inc.Upsert(p)
	}
	check := func(what string, pods []*corev1.Pod) {
		t.Helper()
		got := inc.Summary(testNow)
		want := Summarize(pods, owners, testNow, Options{})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: incremental summary differs from a fresh one\n got %s\nwant %s", what, got.Text(testNow), want.Text(testNow))
		}
	}
	check("no owners yet", f.pods)
	for _, o := range f.owners {
		owners.Upsert(o)
	}
	check("owners listed", f.pods)

	fixed := f.pods[4].DeepCopy() // web-new-c: init-migrate now done, pod ready
	fixed.Status.InitContainerStatuses[2].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 0, Reason: "Completed", StartedAt: metav1.NewTime(testNow.Add(-20 * time.Second)), FinishedAt: metav1.NewTime(testNow.Add(-time.Second))}}
	fixed.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	pods := append([]*corev1.Pod(nil), f.pods...)
	pods[4] = fixed
	inc.Upsert(fixed)
	check("a pod recovered", pods)

	inc.Remove("", "shop", "web-old-a")
	pods = append(pods[:0:0], pods...)
	pods = append(pods[:0], pods[1:]...)
	check("an old pod deleted", pods)

	owners.Remove(OwnerKey{Kind: KindReplicaSet, Namespace: "shop", Name: "web-new"})
	check("a ReplicaSet gone", pods)
}

func TestSummaryText(t *testing.T) {
	f := loadFixture(t, "rollout")
	s := Summarize(f.pods, f.store(), testNow, Options{})
	web := workloadNamed(t, s, KindDeployment, "web")
	got := web.Text(testNow)
	want := strings.Join([]string{
		"shop/Deployment/web  revision 2  STALLED for 3m46s, rolling out for 10m",
		"  desired 4  updated 4  initialized 1  ready 1  (6 pods)  [#####...............]  25%",
		`  Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...`,
		"  revisions:",
		"    new  web-new (revision 2): 4 pods, 1 initialized, 1 ready, 2 failing",
		"    old  web-old (revision 1): 2 pods, 2 initialized, 2 ready",
		"  init steps (newest revision):",
		"    #  STEP            DONE  IN IT                              FAILED  NOT REACHED  P50  P95  MAX  DISTRIBUTION  RESTARTS",
		"    1  init-config     4     0                                  0       0            2s   4s   4s       █  ▃      0",
		"    2  mesh (sidecar)  4     0                                  0       0            -    -    -    -             0",
		"    3  init-migrate    1     3 (1 running, 2 CrashLoopBackOff)  0       0            30s  40s  40s    █   ██      7  <- bottleneck  <- slowest",
		"  failures:",
		"    init-migrate: Error, exit code 3 — 2 pods, all on node n2",
		"      message: schema lock held",
		"      2 in back-off, 7 restarts; seen first 7m30s ago, last 6m20s ago; example web-new-d",
	}, "\n")
	if got != want {
		t.Errorf("Text:\n%s\nwant:\n%s", got, want)
	}
}

// TestSummaryJobProgressCountsCompletedPods: a Job's pod ends Succeeded and
// is then never Ready, so a CronJob whose Job has completed its pod is at
// 100%, where counting Ready pods alone would leave it at 0.
func TestSummaryJobProgressCountsCompletedPods(t *testing.T) {
	f := loadFixture(t, "rollout")
	pods := make([]*corev1.Pod, 0, len(f.pods))
	completed := 0
	for _, p := range f.pods {
		if len(p.OwnerReferences) == 1 && p.OwnerReferences[0].Kind == KindJob {
			p = p.DeepCopy()
			p.Status.Phase = corev1.PodSucceeded
			completed++
		}
		pods = append(pods, p)
	}
	if completed != 1 {
		t.Fatalf("the fixture has %d Job pods, want 1", completed)
	}
	tests := []struct {
		name         string
		pods         []*corev1.Pod
		progress     float64
		newSucceeded int
	}{
		{"the Job's pod failed", f.pods, 0, 0},
		{"the Job's pod completed", pods, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workloadNamed(t, Summarize(tt.pods, f.store(), testNow, Options{}), KindCronJob, "nightly")
			if w.Progress != tt.progress || w.Revisions[0].Succeeded != tt.newSucceeded {
				t.Errorf("progress %v, succeeded %d; want %v, %d", w.Progress, w.Revisions[0].Succeeded, tt.progress, tt.newSucceeded)
			}
		})
	}
}

package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
)

const seedPrefix = "k8s-init-containers-"

// TestSeedAppReplaysTheArticle follows the seed's app through the statuses
// the article shows with `kubectl get pods -w`, for several seeds.
func TestSeedAppReplaysTheArticle(t *testing.T) {
	want := []string{
		"Pending", "Init:0/4", "Init:1/4",
		"Init:Error", "Init:1/4", // first failure: restarted at once
		"Init:Error", "Init:CrashLoopBackOff", "Init:1/4", // back-off 10s
		"Init:Error", "Init:CrashLoopBackOff", "Init:1/4", // back-off 20s
		"Init:2/4", "Init:3/4", "PodInitializing", "Running",
	}
	for _, seed := range []uint64{1, 2, 3, 42} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			c := newTestCluster(seed)
			seq := statusSequence(t, c, "default", seedPrefix, 2*time.Minute)
			if !isSubsequence(want, seq) {
				t.Fatalf("statuses %q\ndo not go through %q", seq, want)
			}
			p := podNamed(t, c, "default", seedPrefix)
			if got := printed(p, c.Now()); got != "1/1 Running 0" {
				t.Errorf("at 2m the pod shows %q, want 1/1 Running 0", got)
			}
			cs := initStatus(p, "init-check-services")
			if cs.RestartCount != seedFailing {
				t.Errorf("init-check-services restartCount = %d, want %d", cs.RestartCount, seedFailing)
			}
			if term := cs.State.Terminated; term == nil || term.ExitCode != 0 || term.Reason != "Completed" {
				t.Errorf("init-check-services state = %+v, want terminated Completed exit 0", cs.State)
			}
			if last := cs.LastTerminationState.Terminated; last == nil || last.ExitCode != 1 || last.Reason != "Error" {
				t.Errorf("init-check-services lastState = %+v, want terminated Error exit 1", cs.LastTerminationState)
			}
			for _, s := range p.Status.InitContainerStatuses {
				if !s.Ready {
					t.Errorf("init container %s not ready after initialization", s.Name)
				}
			}
		})
	}
}

// TestSeedAppResources: the seed app shows the seed's resource rule both
// ways, an init container setting the pod's memory and the app its CPU.
func TestSeedAppResources(t *testing.T) {
	c := newTestCluster(1)
	if err := c.Step(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	r := model.EffectiveResources(podNamed(t, c, "default", seedPrefix))
	for _, tc := range []struct {
		name           string
		f              model.ResourceFigure
		side           model.Side
		init, app, eff string
	}{
		{"cpu request", r.CPURequest, model.SideApp, "100m", "500m", "500m"},
		{"cpu limit", r.CPULimit, model.SideApp, "250m", "1", "1"},
		{"memory request", r.MemoryRequest, model.SideInit, "384Mi", "192Mi", "384Mi"},
		{"memory limit", r.MemoryLimit, model.SideInit, "512Mi", "256Mi", "512Mi"},
	} {
		if tc.f.Dominant != tc.side || tc.f.Init != tc.init || tc.f.App != tc.app || tc.f.Effective != tc.eff {
			t.Errorf("%s: %+v, want %s sets it: init %s, app %s, effective %s", tc.name, tc.f, tc.side, tc.init, tc.app, tc.eff)
		}
	}
}

// TestSeedAppAtFixedTimes pins what seed 1 shows at given instants, the
// way the README's walkthrough describes it.
func TestSeedAppAtFixedTimes(t *testing.T) {
	c := newTestCluster(1)
	tests := []struct {
		at       time.Duration
		status   string
		backoff  string // in the waiting message; "" when not waiting
		restarts int32
	}{
		{at: 22 * time.Second, status: "Init:CrashLoopBackOff", backoff: "back-off 10s", restarts: 1},
		{at: 40 * time.Second, status: "Init:CrashLoopBackOff", backoff: "back-off 20s", restarts: 2},
		{at: 90 * time.Second, status: "Running", restarts: seedFailing},
	}
	for _, tt := range tests {
		step(t, c, tt.at-c.Now().Sub(c.Start()))
		p := podNamed(t, c, "default", seedPrefix)
		if got := status(p, c.Now()); got != tt.status {
			t.Fatalf("at %v: STATUS %q, want %q", tt.at, got, tt.status)
		}
		cs := initStatus(p, "init-check-services")
		if cs.RestartCount != tt.restarts {
			t.Errorf("at %v: restartCount %d, want %d", tt.at, cs.RestartCount, tt.restarts)
		}
		if last := cs.LastTerminationState.Terminated; last == nil || last.ExitCode != 1 || last.Reason != "Error" {
			t.Errorf("at %v: lastState %+v, want terminated Error exit 1", tt.at, cs.LastTerminationState)
		}
		if tt.backoff == "" {
			continue
		}
		w := cs.State.Waiting
		wantMsg := fmt.Sprintf("%s restarting failed container=init-check-services pod=%s_default(%s)", tt.backoff, p.Name, p.UID)
		if w == nil || w.Reason != "CrashLoopBackOff" || w.Message != wantMsg {
			t.Errorf("at %v: state %+v, want waiting CrashLoopBackOff %q", tt.at, cs.State, wantMsg)
		}
	}
}

// TestCrashLoopBackOffDelays checks the kubelet's back-off: the first
// failure restarts at once, then 10s, then 20s after the last finish.
func TestCrashLoopBackOffDelays(t *testing.T) {
	c := newTestCluster(5)
	type run struct{ started, finished time.Time }
	runs := map[string]*run{}
	var order []string
	watchPod(t, c, "default", seedPrefix, 100*time.Millisecond, 2*time.Minute, func(p *corev1.Pod) {
		if p == nil {
			return
		}
		cs := initStatus(p, "init-check-services")
		if cs == nil {
			return
		}
		for _, st := range []corev1.ContainerState{cs.State, cs.LastTerminationState} {
			switch {
			case st.Running != nil && cs.ContainerID != "":
				if runs[cs.ContainerID] == nil {
					runs[cs.ContainerID] = &run{started: st.Running.StartedAt.Time}
					order = append(order, cs.ContainerID)
				}
			case st.Terminated != nil && runs[st.Terminated.ContainerID] != nil:
				runs[st.Terminated.ContainerID].finished = st.Terminated.FinishedAt.Time
			}
		}
	})
	if len(order) != seedFailing+1 {
		t.Fatalf("%d runs of init-check-services, want %d", len(order), seedFailing+1)
	}
	// Times are kept to the second, as the API keeps them.
	wantGaps := []time.Duration{0, 10 * time.Second, 20 * time.Second}
	for i, want := range wantGaps {
		gap := runs[order[i+1]].started.Sub(runs[order[i]].finished)
		if gap < want-time.Second || gap > want+2*time.Second {
			t.Errorf("restart %d came %v after the failure, want about %v", i+1, gap, want)
		}
	}
}

// TestReportExportFailsForGood: restartPolicy Never and a failed init
// container end the pod: Init:Error, phase Failed, nothing restarted.
func TestReportExportFailsForGood(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 2*time.Minute)
	p := podNamed(t, c, "default", "report-export")
	now := c.Now()
	if got := printed(p, now); got != "0/1 Init:Error 0" {
		t.Errorf("report-export shows %q, want 0/1 Init:Error 0", got)
	}
	if p.Status.Phase != corev1.PodFailed {
		t.Errorf("phase %s, want Failed", p.Status.Phase)
	}
	cs := initStatus(p, "fetch-dataset")
	term := cs.State.Terminated
	if term == nil || term.ExitCode != 22 || term.Reason != "Error" || !strings.Contains(term.Message, "curl: (22)") {
		t.Errorf("fetch-dataset state %+v, want terminated Error exit 22 with the curl error as message", cs.State)
	}
	if cs.RestartCount != 0 || cs.LastTerminationState.Terminated != nil {
		t.Errorf("fetch-dataset was restarted: restartCount %d, lastState %+v", cs.RestartCount, cs.LastTerminationState)
	}
	if app := p.Status.ContainerStatuses[0]; app.State.Waiting == nil || app.State.Waiting.Reason != "PodInitializing" {
		t.Errorf("export container %+v, want waiting PodInitializing", app.State)
	}
	want := map[corev1.PodConditionType]string{
		corev1.PodReadyToStartContainers: "False PodSandboxNotReady",
		corev1.PodInitialized:            "False ContainersNotInitialized containers with incomplete status: [fetch-dataset]",
		corev1.PodReady:                  "False PodFailed",
		corev1.ContainersReady:           "False PodFailed",
		corev1.PodScheduled:              "True",
	}
	for typ, w := range want {
		cond := condition(p, typ)
		got := strings.TrimSpace(fmt.Sprintf("%s %s", cond.Status, cond.Reason))
		if typ == corev1.PodInitialized {
			got += " " + cond.Message
		}
		if got != w {
			t.Errorf("condition %s = %q, want %q", typ, got, w)
		}
	}
	steps := model.InitSteps(p, now)
	if !steps[1].WillNotRetry || steps[1].Phase != model.PhaseFailed {
		t.Errorf("model says fetch-dataset %+v, want failed and will not retry", steps[1])
	}
}

// TestSidecarWithStartupProbe: the mesh proxy runs unstarted until its
// startup probe passes; only then does the next init container start.
func TestSidecarWithStartupProbe(t *testing.T) {
	c := newTestCluster(3)
	var sawUnstarted, sawStartedNotReady bool
	var startedAt time.Time // when mesh-proxy was first seen started
	var statuses []string
	watchPod(t, c, "payments", "ledger-0", 100*time.Millisecond, 2*time.Minute, func(p *corev1.Pod) {
		if p == nil {
			return
		}
		statuses = append(statuses, status(p, c.Now()))
		proxy := initStatus(p, "mesh-proxy")
		if proxy == nil || proxy.State.Running == nil {
			return
		}
		started := proxy.Started != nil && *proxy.Started
		switch {
		case !started:
			sawUnstarted = true
			if s := status(p, c.Now()); s != "Init:0/2" {
				t.Errorf("with the sidecar not started, STATUS %q, want Init:0/2", s)
			}
			if schema := initStatus(p, "init-schema"); schema.State.Waiting == nil {
				t.Errorf("init-schema left waiting before the sidecar started: %+v", schema.State)
			}
		case !proxy.Ready:
			sawStartedNotReady = true
		}
		if started && startedAt.IsZero() {
			startedAt = c.Now()
		}
	})
	if !sawUnstarted || !sawStartedNotReady {
		t.Errorf("sidecar phases seen: unstarted %v, started but not ready %v; want both", sawUnstarted, sawStartedNotReady)
	}
	p := podNamed(t, c, "payments", "ledger-0")
	if got := printed(p, c.Now()); got != "2/2 Running 0" {
		t.Errorf("ledger-0 shows %q, want 2/2 Running 0", got)
	}
	schema := initStatus(p, "init-schema").State.Terminated
	if schema == nil || schema.StartedAt.Time.Before(startedAt.Truncate(time.Second)) {
		t.Errorf("init-schema %+v started before the sidecar's startup probe passed at %v", schema, startedAt)
	}
	if !isSubsequence([]string{"Pending", "Init:0/2", "Init:1/2", "PodInitializing", "Running"}, statuses) {
		t.Errorf("statuses %q", compact(statuses))
	}
	steps := model.InitSteps(p, c.Now())
	if steps[0].Kind != model.KindSidecar || steps[0].Phase != model.PhaseSidecarReady {
		t.Errorf("model says mesh-proxy is %s/%s, want a ready sidecar", steps[0].Kind, steps[0].Phase)
	}
	unhealthy := findEvents(t, c, p, "Unhealthy")
	if len(unhealthy) != 1 || unhealthy[0].Count < 2 || !strings.HasPrefix(unhealthy[0].Message, "Startup probe failed: ") {
		t.Errorf("Unhealthy events %v, want one folded startup-probe event seen at least twice", eventSummaries(unhealthy))
	}
}

// TestRolloutOverThreeNamespaces: 20 new pods replace the old ones over
// three namespaces, starting at staggered times, some slow.
func TestRolloutOverThreeNamespaces(t *testing.T) {
	c := newTestCluster(1)
	sawTerminating := false
	for c.Now().Sub(c.Start()) < 2*time.Minute {
		step(t, c, 500*time.Millisecond)
		for _, p := range listPods(t, c) {
			if status(p, c.Now()) == "Terminating" {
				sawTerminating = true
			}
		}
	}
	if !sawTerminating {
		t.Error("no old pod was seen Terminating")
	}
	want := map[string]int{"shop": 7, "payments": 7, "search": 6}
	var created []time.Time
	var took []time.Duration
	for ns, n := range want {
		rs, err := c.Client().AppsV1().ReplicaSets(ns).List(t.Context(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		newRS := map[string]bool{}
		for _, r := range rs.Items {
			if r.Annotations["deployment.kubernetes.io/revision"] == "2" && *r.Spec.Replicas == int32(n) {
				newRS[r.Name] = true
			}
		}
		if len(newRS) != 1 {
			t.Fatalf("%s: %d ReplicaSets at revision 2 with %d replicas, want 1", ns, len(newRS), n)
		}
		var pods []*corev1.Pod
		for _, p := range listPods(t, c) {
			if p.Namespace == ns && !strings.HasPrefix(p.Name, "ledger") && !strings.HasPrefix(p.Name, backupName) {
				pods = append(pods, p)
			}
		}
		if len(pods) != n {
			t.Errorf("%s: %d pods, want %d", ns, len(pods), n)
		}
		for _, p := range pods {
			owner := metav1.GetControllerOf(p)
			if owner == nil || owner.Kind != "ReplicaSet" || !newRS[owner.Name] {
				t.Errorf("%s/%s is not owned by the new ReplicaSet: %+v", ns, p.Name, owner)
			}
			pr := model.Print(p, c.Now())
			if pr.Status != "Running" || pr.ReadyCount != pr.TotalCount {
				t.Errorf("%s/%s is %s %s at 2m, want ready and Running", ns, p.Name, pr.Ready, pr.Status)
			}
			created = append(created, p.CreationTimestamp.Time)
			took = append(took, condition(p, corev1.PodReady).LastTransitionTime.Sub(p.CreationTimestamp.Time))
		}
	}
	slices.SortFunc(created, func(a, b time.Time) int { return a.Compare(b) })
	if spread := created[len(created)-1].Sub(created[0]); spread < 40*time.Second {
		t.Errorf("new pods were created within %v, want staggered over more than 40s", spread)
	}
	slices.Sort(took)
	if fastest, slowest := took[0], took[len(took)-1]; slowest < 2*fastest {
		t.Errorf("pods took %v to %v to turn ready, want some slow ones", fastest, slowest)
	}
	failed, err := c.Client().CoreV1().Events("search").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(failed.Items, func(e corev1.Event) bool { return e.Reason == "FailedScheduling" }) {
		t.Error("no FailedScheduling event in search")
	}
}

// TestAllScenariosWithinTwoMinutes: whatever the seed, every scenario has
// played out after two minutes at 1x.
func TestAllScenariosWithinTwoMinutes(t *testing.T) {
	for seed := range uint64(8) {
		c := newTestCluster(seed)
		step(t, c, 2*time.Minute)
		pods := listPods(t, c)
		// The release's 20 new pods, the seed app, report-export, ledger-0,
		// a node agent per node, the backup Job's pod.
		if want := 20 + 3 + nodeCount + 1; len(pods) != want {
			t.Errorf("seed %d: %d pods at 2m, want %d", seed, len(pods), want)
		}
		for _, p := range pods {
			pr := model.Print(p, c.Now())
			want := "Running"
			switch {
			case p.Name == "report-export":
				want = "Init:Error"
			case strings.HasPrefix(p.Name, backupName):
				want = "Completed"
			}
			if pr.Status != want || (want == "Running" && pr.ReadyCount != pr.TotalCount) {
				t.Errorf("seed %d: %s/%s is %s %s at 2m, want %s", seed, p.Namespace, p.Name, pr.Ready, pr.Status, want)
			}
		}
	}
}

// TestEventsLikeARealCluster checks the seed pod's events: who sends them,
// in which API shape, with what messages and counts.
func TestEventsLikeARealCluster(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 2*time.Minute)
	p := podNamed(t, c, "default", seedPrefix)
	scheduled := findEvents(t, c, p, "Scheduled")
	if len(scheduled) != 1 {
		t.Fatalf("Scheduled events: %v", eventSummaries(scheduled))
	}
	s := scheduled[0]
	if s.ReportingController != "default-scheduler" || s.Source.Component != "" || s.EventTime.IsZero() || s.Count != 0 ||
		s.Message != fmt.Sprintf("Successfully assigned default/%s to %s", p.Name, p.Spec.NodeName) {
		t.Errorf("Scheduled event is not the scheduler's events.k8s.io event: %+v", s)
	}
	for _, reason := range []string{"Pulling", "Pulled", "Created", "Started", "BackOff"} {
		for _, e := range findEvents(t, c, p, reason) {
			if e.Source.Component != "kubelet" || e.Source.Host != p.Spec.NodeName || e.FirstTimestamp.IsZero() ||
				e.LastTimestamp.Before(&e.FirstTimestamp) || e.Count < 1 || !strings.HasPrefix(e.InvolvedObject.FieldPath, "spec.") {
				t.Errorf("%s event is not a kubelet event about a container: %+v", reason, e)
			}
		}
	}
	byContainer := func(reason, container string) []corev1.Event {
		var out []corev1.Event
		for _, e := range findEvents(t, c, p, reason) {
			if strings.HasSuffix(e.InvolvedObject.FieldPath, "{"+container+"}") {
				out = append(out, e)
			}
		}
		return out
	}
	if started := byContainer("Started", "init-check-services"); len(started) != 1 || started[0].Count != seedFailing+1 {
		t.Errorf("Started events of init-check-services: %v, want one seen %d times", eventSummaries(started), seedFailing+1)
	}
	backoff := byContainer("BackOff", "init-check-services")
	wantMsg := fmt.Sprintf("Back-off restarting failed container init-check-services in pod %s_default(%s)", p.Name, p.UID)
	if len(backoff) != 1 || backoff[0].Type != corev1.EventTypeWarning || backoff[0].Count < 2 || backoff[0].Message != wantMsg {
		t.Errorf("BackOff events: %v, want one Warning %q seen at least twice", eventSummaries(backoff), wantMsg)
	}
	if pulling := findEvents(t, c, p, "Pulling"); len(pulling) != 2 {
		t.Errorf("Pulling events %v, want the init image and the app image, once each", eventSummaries(pulling))
	}
	for _, k := range append(p.Spec.InitContainers, p.Spec.Containers...) {
		if len(byContainer("Started", k.Name)) == 0 {
			t.Errorf("no Started event for %s", k.Name)
		}
	}
}

// TestConditionsMoveLikeTheKubelet records the seed pod's conditions over
// its life: the kubelet's order, transition times that move only with the
// status, and the messages naming what is missing.
func TestConditionsMoveLikeTheKubelet(t *testing.T) {
	c := newTestCluster(2)
	order := []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized,
		corev1.PodReady, corev1.ContainersReady, corev1.PodScheduled}
	last := map[corev1.PodConditionType]corev1.PodCondition{}
	sawMessage := false
	watchPod(t, c, "default", seedPrefix, 200*time.Millisecond, 2*time.Minute, func(p *corev1.Pod) {
		if p == nil || p.Status.StartTime == nil {
			return // only the scheduler's condition so far
		}
		var types []corev1.PodConditionType
		for _, cond := range p.Status.Conditions {
			types = append(types, cond.Type)
			prev, seen := last[cond.Type]
			if seen && prev.Status == cond.Status && !prev.LastTransitionTime.Equal(&cond.LastTransitionTime) {
				t.Errorf("%s moved its lastTransitionTime without a status change", cond.Type)
			}
			if seen && prev.Status != cond.Status && !cond.LastTransitionTime.After(prev.LastTransitionTime.Time.Add(-time.Second)) {
				t.Errorf("%s changed status but kept an old lastTransitionTime", cond.Type)
			}
			last[cond.Type] = cond
		}
		if !slices.Equal(types, order) {
			t.Fatalf("conditions in order %v, want %v", types, order)
		}
		if status(p, c.Now()) == "Init:1/4" {
			msg := condition(p, corev1.PodInitialized).Message
			if msg != "containers with incomplete status: [init-check-services init-check-database init-check-cache]" {
				t.Errorf("Initialized message at Init:1/4: %q", msg)
			}
			sawMessage = true
		}
	})
	if !sawMessage {
		t.Error("never saw the pod at Init:1/4")
	}
	for _, typ := range order {
		if last[typ].Status != corev1.ConditionTrue {
			t.Errorf("at the end %s is %s, want True", typ, last[typ].Status)
		}
	}
}

func findEvents(t *testing.T, c *Cluster, p *corev1.Pod, reason string) []corev1.Event {
	t.Helper()
	list, err := c.Client().CoreV1().Events(p.Namespace).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []corev1.Event
	for _, e := range list.Items {
		if e.InvolvedObject.UID == p.UID && e.Reason == reason {
			out = append(out, e)
		}
	}
	return out
}

func eventSummaries(evs []corev1.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s %s x%d %s: %s", e.Type, e.Reason, e.Count, e.InvolvedObject.FieldPath, e.Message))
	}
	return out
}

func compact(s []string) []string {
	return slices.Compact(slices.Clone(s))
}

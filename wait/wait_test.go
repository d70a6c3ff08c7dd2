package wait

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testNow is the clock every fixture is written against.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	objects []metav1.Object // workloads and ReplicaSets
	pods    []*corev1.Pod
	events  []*corev1.Event
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".yaml"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	dec := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var list corev1.List
	if _, _, err := dec.Decode(js, nil, &list); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
	var f fixture
	for i, item := range list.Items {
		obj, _, err := dec.Decode(item.Raw, nil, nil)
		if err != nil {
			t.Fatalf("fixture %s item %d: %v", name, i, err)
		}
		switch o := obj.(type) {
		case *corev1.Pod:
			f.pods = append(f.pods, o)
		case *corev1.Event:
			f.events = append(f.events, o)
		case metav1.Object:
			f.objects = append(f.objects, o)
		}
	}
	return f
}

// feed loads the fixture into a tracker, the pods first seen at seen.
func feed(t *Tracker, f fixture, seen time.Time) {
	for _, o := range f.objects {
		t.SetObject(o)
	}
	for _, p := range f.pods {
		t.UpsertPod(p, seen)
	}
	for _, e := range f.events {
		t.UpsertEvent(e)
	}
}

func target(t *testing.T, s string) Target {
	t.Helper()
	if sel, ok := strings.CutPrefix(s, "-l "); ok {
		return Target{Kind: KindSelector, Selector: sel}
	}
	tg, err := ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestStopRules(t *testing.T) {
	deadline := func(f *fixture) {
		d := f.objects[0].(*appsv1.Deployment)
		d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse,
			Reason: "ProgressDeadlineExceeded", Message: `ReplicaSet "app-7d9f" has timed out progressing.`}}
	}
	jobFailed := func(f *fixture) {
		j := f.objects[0].(*batchv1.Job)
		j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobFailed, Status: corev1.ConditionTrue,
			Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"}}
	}
	tests := []struct {
		name    string
		fixture string
		target  string
		for_    For
		rules   func(*Rules)
		edit    func(*fixture)
		after   time.Duration // evaluated this long after the pods were first seen
		want    State
		trips   []Rule
		pod     string
	}{
		{name: "restarts past max, new revision only", fixture: "deploy-crashloop", target: "deploy/app",
			want: Failed, trips: []Rule{RuleMaxRestarts}, pod: "app-7d9f-2xk4p"},
		{name: "restarts at max keep waiting", fixture: "deploy-crashloop", target: "deploy/app",
			rules: func(r *Rules) { r.MaxRestarts = 4 }, want: Waiting},
		{name: "restarts rule off", fixture: "deploy-crashloop", target: "deploy/app",
			rules: func(r *Rules) { r.MaxRestarts = -1 }, want: Waiting},
		{name: "crash loop with fail-fast", fixture: "deploy-crashloop", target: "deploy/app",
			rules: func(r *Rules) { r.MaxRestarts, r.FailFast = -1, true }, want: Failed, trips: []Rule{RuleCrashLoop}, pod: "app-7d9f-2xk4p"},
		{name: "progress deadline", fixture: "deploy-crashloop", target: "deploy/app", edit: deadline,
			rules: func(r *Rules) { r.MaxRestarts = -1 }, want: Failed, trips: []Rule{RuleProgressDeadline}},
		{name: "progress deadline relaxed", fixture: "deploy-crashloop", target: "deploy/app", edit: deadline,
			rules: func(r *Rules) { r.MaxRestarts, r.StopOnProgressDeadline = -1, false }, want: Waiting},
		{name: "init error under restartPolicy Never", fixture: "job-never", target: "job/report",
			want: Failed, trips: []Rule{RuleFailedPod}, pod: "report-abcde"},
		{name: "failed pod relaxed", fixture: "job-never", target: "job/report",
			rules: func(r *Rules) { r.StopOnFailedPod = false }, want: Waiting},
		{name: "job failed is always a stop", fixture: "job-never", target: "job/report", edit: jobFailed,
			rules: func(r *Rules) { r.StopOnFailedPod = false }, want: Failed, trips: []Rule{RuleJobFailed}},
		{name: "pull error within grace", fixture: "pending", target: "pod/web-pull", after: 119 * time.Second, want: Waiting},
		{name: "pull error past grace", fixture: "pending", target: "pod/web-pull", after: 2 * time.Minute,
			want: Failed, trips: []Rule{RuleImagePull}, pod: "web-pull"},
		{name: "pull rule off", fixture: "pending", target: "pod/web-pull", after: time.Hour,
			rules: func(r *Rules) { r.PullGrace = 0 }, want: Waiting},
		{name: "invalid image name at once", fixture: "pending", target: "pod/web-invalid",
			want: Failed, trips: []Rule{RuleImagePull}, pod: "web-invalid"},
		{name: "unschedulable past grace", fixture: "pending", target: "pod/web-unsched",
			want: Failed, trips: []Rule{RuleUnschedulable}, pod: "web-unsched"},
		{name: "unschedulable within a longer grace", fixture: "pending", target: "pod/web-unsched",
			rules: func(r *Rules) { r.ScheduleGrace = 10 * time.Minute }, want: Waiting},
		{name: "unschedulable rule off", fixture: "pending", target: "pod/web-unsched",
			rules: func(r *Rules) { r.ScheduleGrace = 0 }, want: Waiting},
		{name: "slow step is just pending", fixture: "pending", target: "pod/web-slow", for_: ForInitialized, want: Waiting},
		{name: "selector sees every trouble", fixture: "pending", target: "-l app=web",
			want: Failed, trips: []Rule{RuleImagePull, RuleUnschedulable}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := loadFixture(t, tc.fixture)
			if tc.edit != nil {
				tc.edit(&f)
			}
			rules := DefaultRules
			if tc.rules != nil {
				tc.rules(&rules)
			}
			tg := target(t, tc.target)
			fr := tc.for_
			if fr == "" {
				fr = DefaultFor(tg.Kind)
			}
			tr := NewTracker(rules, []Target{tg}, []For{fr})
			feed(tr, f, testNow)
			v := tr.Evaluate(testNow.Add(tc.after))
			if v.State != tc.want {
				t.Fatalf("state %q, want %q (trips %+v, targets %+v)", v.State, tc.want, v.Trips, v.Targets)
			}
			var got []Rule
			for _, trip := range v.Trips {
				if !slices.Contains(got, trip.Rule) {
					got = append(got, trip.Rule)
				}
				if tc.pod != "" && trip.Pod != tc.pod {
					t.Errorf("trip %+v names pod %q, want %q", trip, trip.Pod, tc.pod)
				}
				if !strings.Contains(trip.Detail, "--") && trip.Rule != RuleJobFailed {
					t.Errorf("trip %q does not name the flag that relaxes it: %s", trip.Rule, trip.Detail)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.trips) {
				t.Errorf("rules %v, want %v: %+v", got, tc.trips, v.Trips)
			}
		})
	}
}

func TestRolloutStatusIsKubectls(t *testing.T) {
	f := loadFixture(t, "deploy-crashloop")
	tr := NewTracker(DefaultRules, []Target{{Kind: KindDeployment, Name: "app"}}, []For{ForRollout})
	f.pods = nil
	feed(tr, f, testNow)
	v := tr.Evaluate(testNow)
	if want := `Waiting for deployment "app" rollout to finish: 1 out of 2 new replicas have been updated...`; v.Targets[0].Message != want || v.State != Waiting {
		t.Fatalf("got %q (%s), want %q", v.Targets[0].Message, v.State, want)
	}
	d := f.objects[0].(*appsv1.Deployment).DeepCopy()
	d.Status.Replicas, d.Status.UpdatedReplicas, d.Status.AvailableReplicas = 2, 2, 2
	tr.SetObject(d)
	v = tr.Evaluate(testNow)
	if want := `deployment "app" successfully rolled out`; v.Targets[0].Message != want || v.State != Done {
		t.Fatalf("got %q (%s), want %q", v.Targets[0].Message, v.State, want)
	}
}

func TestReadyAndInitialized(t *testing.T) {
	f := loadFixture(t, "pending")
	slow := f.pods[3].DeepCopy()
	tr := NewTracker(DefaultRules, []Target{{Kind: KindPod, Name: "web-slow"}}, []For{ForInitialized})
	tr.UpsertPod(slow, testNow)
	if v := tr.Evaluate(testNow); v.State != Waiting {
		t.Fatalf("state %s, want waiting", v.State)
	}
	slow.Status.Conditions = append(slow.Status.Conditions, corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue})
	slow.Status.Conditions = slices.DeleteFunc(slow.Status.Conditions, func(c corev1.PodCondition) bool {
		return c.Type == corev1.PodInitialized && c.Status == corev1.ConditionFalse
	})
	tr.UpsertPod(slow, testNow)
	if v := tr.Evaluate(testNow); v.State != Done {
		t.Fatalf("initialized pod: state %s, want done", v.State)
	}
	ready := NewTracker(DefaultRules, []Target{{Kind: KindPod, Name: "web-slow"}}, []For{ForReady})
	ready.UpsertPod(slow, testNow)
	if v := ready.Evaluate(testNow); v.State != Waiting || v.Targets[0].Message != "0 of 1 pods ready" {
		t.Fatalf("initialized, not ready: %+v", v)
	}
}

func TestChangeLines(t *testing.T) {
	f := loadFixture(t, "pending")
	slow := f.pods[3].DeepCopy()
	before := slow.DeepCopy()
	before.Status.InitContainerStatuses[0].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(testNow.Add(-50 * time.Second))}}
	before.Status.InitContainerStatuses[0].Ready = false
	before.Status.InitContainerStatuses[1].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
	tr := NewTracker(DefaultRules, []Target{{Kind: KindPod, Name: "web-slow"}}, []For{ForReady})
	tr.UpsertPod(before, testNow)
	v := tr.Evaluate(testNow)
	got := tr.Changes(v)
	want := []string{"shop/web-slow Init:0/2", "pod/web-slow: 0 of 1 pods ready"}
	if !slices.Equal(got, want) {
		t.Fatalf("first lines %q, want %q", got, want)
	}
	if got := tr.Changes(tr.Evaluate(testNow)); len(got) != 0 {
		t.Fatalf("no change printed %q", got)
	}
	tr.UpsertPod(slow, testNow)
	got = tr.Changes(tr.Evaluate(testNow))
	if want := []string{"shop/web-slow Init:0/2 → Init:1/2 (init-fetch took 3s)"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	failed := slow.DeepCopy()
	cs := &failed.Status.InitContainerStatuses[1]
	cs.RestartCount = 1
	cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}
	cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	tr.UpsertPod(failed, testNow)
	got = tr.Changes(tr.Evaluate(testNow))
	if want := []string{"shop/web-slow Init:1/2 → Init:CrashLoopBackOff (init-slow-migrate failed with exit code 1, restart 1)"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
}

// checkGolden compares got with testdata/golden/name, rewriting it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
	if bytes.ContainsRune(got, 0x1b) {
		t.Errorf("%s has an escape sequence", name)
	}
}

// seedLog is the end of the seed app's init-check-services log.
var seedLog = []string{
	"checking services app-redis app-postgres",
	"At least one (app-redis) of the services app-redis app-postgres is not available yet",
	"\x1b[31mhostile\x1b[0m ::error::not a workflow command",
}

func failedReport(t *testing.T) *Report {
	f := loadFixture(t, "deploy-crashloop")
	tr := NewTracker(DefaultRules, []Target{{Kind: KindDeployment, Name: "app"}}, []For{ForRollout})
	feed(tr, f, testNow)
	rep := tr.Diagnose(tr.Evaluate(testNow), testNow, 95*time.Second, 20)
	if len(rep.Failures) != 1 || rep.Failures[0].Log == nil {
		t.Fatalf("want one failure with a log request, got %+v", rep.Failures)
	}
	l := rep.Failures[0].Log
	if l.Pod != "app-7d9f-2xk4p" || l.Container != "init-check-services" || !l.Previous || l.TailLines != 20 {
		t.Fatalf("log request %+v: want the previous run of init-check-services", l)
	}
	// What the command's fillLog does with what the log API returns.
	for _, line := range seedLog {
		l.Lines = append(l.Lines, oneLine(line))
	}
	return rep
}

func TestDiagnosisText(t *testing.T) {
	rep := failedReport(t)
	var b bytes.Buffer
	if err := WriteText(&b, rep, TextOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"app-7d9f-2xk4p", "init-check-services", "exit code 1", "At least one (app-redis) of the services", "BackOff"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("diagnosis lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "app-5c4b-old01") {
		t.Error("the old revision's pod is in the diagnosis")
	}
	checkGolden(t, "failed.txt", b.Bytes())

	b.Reset()
	if err := WriteText(&b, rep, TextOptions{Now: testNow, GitHub: true}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "::error title=") &&
			!strings.HasPrefix(line, "::group::") && line != "::endgroup::" {
			t.Errorf("unexpected workflow command: %q", line)
		}
	}
	checkGolden(t, "failed-github.txt", b.Bytes())

	b.Reset()
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "failed.json", b.Bytes())
}

func TestDiagnosisTimeout(t *testing.T) {
	f := loadFixture(t, "pending")
	rules := DefaultRules
	rules.PullGrace, rules.ScheduleGrace = 0, 0
	tr := NewTracker(rules, []Target{{Kind: KindSelector, Selector: "app=web"}}, []For{ForReady})
	feed(tr, f, testNow)
	v := tr.Evaluate(testNow)
	if v.State != Waiting {
		t.Fatalf("state %s, want waiting", v.State)
	}
	v.State = TimedOut
	rep := tr.Diagnose(v, testNow, 20*time.Second, 20)
	if rep.ExitCode != ExitTimedOut {
		t.Errorf("exit code %d, want %d", rep.ExitCode, ExitTimedOut)
	}
	var b bytes.Buffer
	if err := WriteText(&b, rep, TextOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "shop/web-slow Init:1/2 — init container init-slow-migrate running for 20s") {
		t.Errorf("the slow step is not named:\n%s", b.String())
	}
	checkGolden(t, "timeout.txt", b.Bytes())
	b.Reset()
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "timeout.json", b.Bytes())
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"po/web-0": {Kind: KindPod, Name: "web-0"}, "deploy/app": {Kind: KindDeployment, Name: "app"},
		"deployments.apps/app": {Kind: KindDeployment, Name: "app"}, "sts/db": {Kind: KindStatefulSet, Name: "db"},
		"ds/agent": {Kind: KindDaemonSet, Name: "agent"}, "job/migrate": {Kind: KindJob, Name: "migrate"},
		"rs/app-7d9f": {Kind: KindReplicaSet, Name: "app-7d9f"},
	} {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"deploy", "svc/web", "deploy/", "deploy/a/b"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
	if Supports(KindPod, ForRollout) || !Supports(KindJob, ForRollout) || DefaultFor(KindDeployment) != ForRollout || DefaultFor(KindSelector) != ForReady {
		t.Error("--for defaults or support are wrong")
	}
}

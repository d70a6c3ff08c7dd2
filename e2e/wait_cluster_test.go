package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// seedServicesMessage is the line the seed app's init-check-services
// prints when a service is missing (testdata/kwok/seed-logs).
const seedServicesMessage = "At least one (app-redis) of the services (app-redis app-postgresql app-mongodb) is not available yet."

// applySeed applies a fixture of testdata/cluster, steered, in a namespace
// of its own, and returns the namespace and an admin kubeconfig.
func applySeed(t *testing.T, ctx context.Context, fixture string, replicas int, steer controlplane.Steer) (*controlplane.Cluster, string, string) {
	t.Helper()
	c := shared.Cluster(t)
	cs, err := c.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	ns := unique("wait")
	ensureNamespace(ctx, t, cs, ns)
	m, err := controlplane.Fixture(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if replicas > 0 {
		m = m.Replicas(replicas)
	}
	if err := c.Apply(ctx, ns, m.Steer(steer)); err != nil {
		t.Fatal(err)
	}
	return c, ns, adminKubeconfig(t, c.ControlPlane)
}

// maxInitRestarts is the highest restart count of a named init container
// among the pods of ns.
func maxInitRestarts(ctx context.Context, t *testing.T, c *controlplane.Cluster, ns, container string) (int32, []string) {
	t.Helper()
	cs, err := c.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var most int32
	var names []string
	for _, p := range pods.Items {
		names = append(names, p.Name)
		for _, st := range p.Status.InitContainerStatuses {
			if st.Name == container && st.RestartCount > most {
				most = st.RestartCount
			}
		}
	}
	return most, names
}

func containsAny(s string, names []string) bool {
	for _, n := range names {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// TestWaitSeedAppFailsAlways: init-check-services fails on every run, so
// the Deployment can never roll out. `initwatch wait` stops when the
// max-restarts rule trips (the 4th restart), long before its timeout, and
// its diagnosis names the pod, the step, the exit code and the log line
// that explains it.
func TestWaitSeedAppFailsAlways(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), rolloutBound)
	defer cancel()
	c, ns, kc := applySeed(t, ctx, "seed-app.yaml", 2, controlplane.Steer{
		Step: 300 * time.Millisecond, Fail: "init-check-services", ExitCode: 1, Message: seedServicesMessage, BackoffSeconds: 1,
	})
	res := run(t, nil, initwatchBinary(t), "wait", "deploy/"+seedDeployment, "-n", ns, "--kubeconfig", kc, "--timeout", "3m")
	restarts, pods := maxInitRestarts(ctx, t, c, ns, "init-check-services")
	t.Logf("exit %d after %s; highest init-check-services restart count then: %d", res.code, res.end.Sub(res.start).Round(time.Millisecond), restarts)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	// The rule trips at restart 4; the kubelet's back-off (1 s, 2 s, 4 s,
	// 8 s...) makes a 6th restart at least 12 s later: seeing at most 5
	// means the wait stopped right after the rule tripped.
	if restarts < 4 || restarts > 5 {
		t.Errorf("highest restart count %d when the wait ended, want 4 or 5 (the rule trips past --max-restarts=3)", restarts)
	}
	out := res.stdout
	for _, want := range []string{"max-restarts:", "init-check-services restarted 4 times, more than --max-restarts=3",
		"init-check-services: Error, exit code 1", "At least one (app-redis) of the services", "| " + seedServicesMessage} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !containsAny(out, pods) {
		t.Errorf("output names none of the pods %v", pods)
	}
	if strings.ContainsAny(out+res.stderr, "\x1b\r") {
		t.Error("escape sequence in a plain process's output")
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, res.stderr)
	}
}

// TestWaitSeedAppRecovers: init-check-services fails twice, then succeeds.
// `initwatch wait` and `kubectl rollout status --watch`, started side by
// side, both end successfully, with the same last word.
func TestWaitSeedAppRecovers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), rolloutBound)
	defer cancel()
	c, ns, kc := applySeed(t, ctx, "seed-app.yaml", 3, controlplane.Steer{
		Step: 300 * time.Millisecond, Fail: "init-check-services", FailTimes: 2, ExitCode: 1, Message: seedServicesMessage, BackoffSeconds: 1,
	})
	kubectlDone := make(chan struct {
		out string
		err error
	}, 1)
	go func() {
		out, err := c.Kubectl(ctx, "rollout", "status", "--watch", "-n", ns, "deployment/"+seedDeployment)
		kubectlDone <- struct {
			out string
			err error
		}{out, err}
	}()
	res := run(t, nil, initwatchBinary(t), "wait", "deploy/"+seedDeployment, "-n", ns, "--kubeconfig", kc, "--timeout", "3m")
	k := <-kubectlDone
	if res.code != 0 {
		t.Fatalf("initwatch wait: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if k.err != nil {
		t.Fatalf("kubectl rollout status: %v: %s", k.err, k.out)
	}
	want := `deployment "` + seedDeployment + `" successfully rolled out`
	if !strings.Contains(k.out, want) || !strings.Contains(res.stdout, "deployment/"+seedDeployment+": "+want) {
		t.Errorf("they disagree: kubectl said\n%s\ninitwatch said\n%s", k.out, res.stdout)
	}
	for _, line := range []string{"(init-check-services failed with exit code 1, restart 1)", "(init-check-services failed with exit code 1, restart 2)", "done in"} {
		if !strings.Contains(res.stdout, line) {
			t.Errorf("output lacks %q:\n%s", line, res.stdout)
		}
	}
}

// TestWaitJobNeverFailsAtFirstFailure: a Job with restartPolicy Never whose
// init container fails: the first failed pod (Init:Error) stops the wait,
// before the Job controller has given up.
func TestWaitJobNeverFailsAtFirstFailure(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), rolloutBound)
	defer cancel()
	c, ns, kc := applySeed(t, ctx, "seed-job.yaml", 0, controlplane.Steer{
		Step: 300 * time.Millisecond, Fail: "init-check-services", ExitCode: 1, Message: seedServicesMessage,
	})
	res := run(t, nil, initwatchBinary(t), "wait", "job/seed-export", "-n", ns, "--kubeconfig", kc, "--timeout", "3m")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	cs, err := c.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	job, err := cs.BatchV1().Jobs(ns).Get(ctx, "seed-export", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cond := range job.Status.Conditions {
		if cond.Type == "Failed" && cond.Status == corev1.ConditionTrue {
			t.Errorf("the Job had already failed (%s) when the wait ended: it did not stop at the first failure", cond.Reason)
		}
	}
	for _, want := range []string{"failed-pod:", "init container init-check-services failed with exit code 1 and will not be retried (restartPolicy: Never)",
		"init-check-services: Error, exit code 1", "Init:Error"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
}

// TestWaitTimeoutNamesTheRunningStep: init-check-database runs for five
// minutes; --timeout 20s ends the wait with exit code 3 and names that
// step, still running, for every pod.
func TestWaitTimeoutNamesTheRunningStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), rolloutBound)
	defer cancel()
	_, ns, kc := applySeed(t, ctx, "seed-app.yaml", 2, controlplane.Steer{
		Step: 300 * time.Millisecond, Run: map[string]time.Duration{"init-check-database": 5 * time.Minute},
	})
	res := run(t, nil, initwatchBinary(t), "wait", "deploy/"+seedDeployment, "-n", ns, "--kubeconfig", kc, "--timeout", "20s")
	if res.code != 3 {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if got := strings.Count(res.stdout, "Init:2/4 — init container init-check-database running for"); got != 2 {
		t.Errorf("%d pods named with init-check-database still running, want 2:\n%s", got, res.stdout)
	}
	if !strings.Contains(res.stdout, "TIMED OUT after 20s") {
		t.Errorf("no timeout headline:\n%s", res.stdout)
	}
}

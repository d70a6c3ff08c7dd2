package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// TestClusterWorkloads checks what the whole cluster gives the other tests,
// with kubectl as the oracle: a pod no node can take stays Pending with
// the scheduler's Unschedulable condition; a StatefulSet's pods start a
// native sidecar that keeps running (READY 2/2); a Job's pods end
// Completed and a Job whose init container fails under restartPolicy Never
// ends Init:Error with phase Failed; the seed app's init container logs,
// current and previous, come from kwok.
func TestClusterWorkloads(t *testing.T) {
	c := shared.Cluster(t)
	cs, err := c.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), rolloutBound)
	defer cancel()
	ns := unique("workloads")
	ensureNamespace(ctx, t, cs, ns)
	fixture := func(name string) controlplane.Manifest {
		m, err := controlplane.Fixture(name)
		if err != nil {
			t.Fatal(err)
		}
		return m.Steer(controlplane.Steer{Step: 200 * time.Millisecond})
	}
	failing := fixture("seed-job.yaml").Steer(controlplane.Steer{Fail: "init-check-services", ExitCode: 2})
	failing[0].SetName("seed-export-broken")
	for field, v := range map[string]int64{"backoffLimit": 0, "completions": 1, "parallelism": 1} {
		if err := unstructured.SetNestedField(failing[0].Object, v, "spec", field); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []controlplane.Manifest{
		fixture("unschedulable.yaml"), fixture("seed-statefulset.yaml"), fixture("seed-job.yaml"), failing,
		fixture("seed-app.yaml").Replicas(1).Steer(seedFlaky),
	} {
		if err := c.Apply(ctx, ns, m); err != nil {
			t.Fatal(err)
		}
	}

	pods, err := controlplane.WaitPods(ctx, cs, ns, "app.kubernetes.io/name=too-big", func(pods []*corev1.Pod) bool {
		return len(pods) == 1 && condition(pods[0], corev1.PodScheduled).Reason == corev1.PodReasonUnschedulable
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg := condition(pods[0], corev1.PodScheduled).Message; !strings.HasPrefix(msg, "0/3 nodes are available") ||
		!strings.Contains(msg, "unschedulable") || !strings.Contains(msg, "Insufficient cpu") {
		t.Errorf("Unschedulable message %q: want the cordoned node and the CPU shortage counted", msg)
	}

	if err := c.WaitRollout(ctx, ns, "statefulset/seed-db"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kubectl(ctx, "wait", "-n", ns, "--for=condition=Complete", "job/seed-export", "--timeout=3m"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kubectl(ctx, "wait", "-n", ns, "--for=condition=Failed", "job/seed-export-broken", "--timeout=3m"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitRollout(ctx, ns, "deployment/"+seedDeployment); err != nil {
		t.Fatal(err)
	}

	kc := adminKubeconfig(t, c.ControlPlane)
	rows := kubectlRows(t, kc, ns)
	for name, row := range rows {
		var want string
		switch {
		case name == "too-big":
			want = "0/1 Pending 0"
		case strings.HasPrefix(name, "seed-db-"):
			want = "2/2 Running 0" // the sidecar counts in READY
		case strings.HasPrefix(name, "seed-export-broken-"):
			want = "0/1 Init:Error 0"
		case strings.HasPrefix(name, "seed-export-"):
			want = "0/1 Completed 0"
		case strings.HasPrefix(name, seedDeployment+"-"):
			// Two failed runs of init-check-services, yet 0: once a pod
			// is initialized kubectl counts only app and sidecar restarts.
			want = "1/1 Running 0"
		}
		if row != want {
			t.Errorf("kubectl: %s is %q, want %q", name, row, want)
		}
	}
	if len(rows) != 1+3+2+1+1 {
		t.Errorf("kubectl lists %d pods, want 8: %v", len(rows), rows)
	}
	broken, err := controlplane.WaitPods(ctx, cs, ns, "batch.kubernetes.io/job-name=seed-export-broken", func(p []*corev1.Pod) bool { return len(p) == 1 })
	if err != nil {
		t.Fatal(err)
	}
	if p := broken[0]; p.Status.Phase != corev1.PodFailed || p.Status.InitContainerStatuses[1].State.Terminated == nil ||
		p.Status.InitContainerStatuses[1].State.Terminated.ExitCode != 2 {
		t.Errorf("the failing Job's pod: phase %s, init-check-services %+v; want Failed, exit code 2", p.Status.Phase, p.Status.InitContainerStatuses[1].State)
	}

	// Logs through kwok: the failed run before (--previous) and the
	// current one say what the seed article's does.
	seed, err := controlplane.WaitPods(ctx, cs, ns, seedSelector, func(p []*corev1.Pod) bool { return len(p) == 1 })
	if err != nil {
		t.Fatal(err)
	}
	for _, previous := range []bool{false, true} {
		args := []string{"logs", "-n", ns, seed[0].Name, "-c", "init-check-services"}
		if previous {
			args = append(args, "--previous")
		}
		out, err := c.Kubectl(ctx, args...)
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if !strings.Contains(out, seedFlaky.Message) {
			t.Errorf("kubectl %s:\n%s\nwant the seed's line %q", strings.Join(args, " "), out, seedFlaky.Message)
		}
	}
}

func condition(p *corev1.Pod, typ corev1.PodConditionType) corev1.PodCondition {
	for _, c := range p.Status.Conditions {
		if c.Type == typ {
			return c
		}
	}
	return corev1.PodCondition{}
}

// kubectlRows maps each pod of ns to "READY STATUS RESTARTS" as `kubectl
// get pods` prints them (the count of RESTARTS only).
func kubectlRows(t *testing.T, kc, ns string) map[string]string {
	t.Helper()
	res := run(t, []string{"KUBECONFIG=" + kc}, kubectlBinary(t), "get", "pods", "-n", ns, "--no-headers")
	if res.code != 0 {
		t.Fatalf("kubectl get pods: exit %d: %s", res.code, res.stderr)
	}
	out := map[string]string{}
	for _, r := range parseWatchRows(strings.Split(strings.TrimSpace(res.stdout), "\n")) {
		out[r.name] = r.ready + " " + r.status + " " + r.restarts
	}
	return out
}

package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// dbDown is the message init-check-database fails with in the rollouts
// tests.
const dbDown = "could not connect to app-postgresql:5432: connection refused"

// TestTUIRolloutsView is the rollouts view on the whole cluster: the seed
// app rolled out to 8 replicas by the real Deployment controller, kwok
// failing init-check-database (exit code 1) on every pod. The view, in the
// real binary in tmux, names the step, the exit code, the 8 pods, the
// message and the nodes, as kubectl sees them, and states kubectl's rollout
// status. A user without RBAC on replicasets and deployments gets the view
// too, with the fallback stated on screen.
func TestTUIRolloutsView(t *testing.T) {
	c, cs, kc, ctx, ns := clusterNamespace(t, "tui-rollouts", rolloutBound)

	app, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	steer := controlplane.Steer{
		Step: 300 * time.Millisecond, Fail: "init-check-database", ExitCode: 1,
		Message: dbDown, BackoffSeconds: 2,
	}
	if err := c.Apply(ctx, ns, app.Replicas(8).Steer(steer)); err != nil {
		t.Fatal(err)
	}

	lt := startListTerm(t, kc, "-n", ns)
	lt.waitText("the list, live", "● live")
	lt.keys("r")
	// The first row is the workload; its facts fill the lower half.
	lt.waitForAll("the workload and its signature", []string{
		ns + `/Deployment/k8s-init-containers`,
		`init-check-database: Error, exit code 1: ` + regexp.QuoteMeta(dbDown[:30]) + `.*\s8\s`,
	})

	// The oracle: kubectl's pods and their nodes.
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 8 {
		t.Fatalf("kubectl lists %d pods, want 8", len(pods.Items))
	}
	perNode := map[string]int{}
	for _, p := range pods.Items {
		perNode[p.Spec.NodeName]++
	}
	status, err := c.Kubectl(ctx, "rollout", "status", "--watch=false", "-n", ns, "deployment/k8s-init-containers")
	if err != nil {
		t.Fatalf("kubectl rollout status: %v\n%s", err, status)
	}
	status = strings.TrimSpace(status)

	lt.keys("j")
	screen := lt.waitForAll("the signature's facts", []string{
		`init-check-database: Error, exit code 1 — 8 pods`,
		`message:\s+` + regexp.QuoteMeta(dbDown),
		`image:\s+\S+`,
	})
	for node, n := range perNode {
		if !regexp.MustCompile(regexp.QuoteMeta(node) + ` \(` + fmt.Sprint(n) + `\)`).MatchString(screen) {
			t.Errorf("the view does not put %d pods on node %s (kubectl); screen:\n%s", n, node, screen)
		}
	}
	lt.keys("k")
	lt.waitText("kubectl rollout status's sentence", status)

	// Enter lists the signature's pods; enter on one opens its detail.
	lt.keys("j", "Enter")
	lt.waitText("the signature's pods", "Pods of init-check-database")
	lt.keys("Enter")
	lt.waitForAll("the pod's detail", []string{ns + `/k8s-init-containers-\S+\s+Init:(Error|CrashLoopBackOff)`})
	// One esc at a time: escapes sent together read as alt+esc.
	lt.keys("Escape")
	lt.waitText("back to the signature's pods", "Pods of init-check-database")
	lt.keys("Escape")
	lt.waitText("back to the signatures", "WORKLOAD / FAILURE SIGNATURE")
	lt.keys("Escape")
	lt.waitText("back to the list", "INIT")
	lt.keys("q")
	if code := lt.exitStatus(); code != 0 {
		t.Fatalf("initwatch exited with status %d; screen:\n%s", code, lt.screen())
	}

	// A user who may read pods, logs and events in the namespace, and no
	// workload: the view resolves from the pods and says so.
	user, err := c.ControlPlane.AddUser("rollouts-no-apps")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-n", ns, "create", "role", "pods-only", "--verb=get,list,watch", "--resource=pods,pods/log,events"},
		{"-n", ns, "create", "rolebinding", "pods-only", "--role=pods-only", "--user=" + user.Name},
	} {
		if out, err := c.Kubectl(ctx, args...); err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rt := startListTerm(t, user.Kubeconfig, "-n", ns)
	rt.waitText("the list, live", "● live")
	rt.keys("r")
	rt.waitForAll("the fallback stated, the signature still named", []string{
		`cannot read (ReplicaSet|Deployment)s in namespace ` + regexp.QuoteMeta(ns),
		`init-check-database: Error, exit code 1: .*\s8\s`,
	})
	rt.keys("q")
	if code := rt.exitStatus(); code != 0 {
		t.Fatalf("initwatch exited with status %d; screen:\n%s", code, rt.screen())
	}
}

package e2e

import (
	"fmt"
	"regexp"
	"strconv"
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

// TestTUIRolloutsViewRevisionsSideBySide watches a Deployment roll from
// revision 1 to revision 2 through the real Deployment controller, in the
// real binary in tmux: at 160 columns the new revision and the old one
// stand side by side, the new one's ready pods growing while the old one
// drains (its pods never grow back); at 100 columns the two are stacked,
// labelled new and old. At the end the old revision is gone, the new one
// has every desired pod ready, and the view names the ReplicaSets and
// states the rollout as kubectl does.
func TestTUIRolloutsViewRevisionsSideBySide(t *testing.T) {
	c, _, kc, ctx, ns := clusterNamespace(t, "tui-revisions", 2*rolloutBound)

	const replicas = 6
	app, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, ns, app.Replicas(replicas).Steer(controlplane.Steer{Step: 200 * time.Millisecond})); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitRollout(ctx, ns, "deployment/"+seedDeployment); err != nil {
		t.Fatal(err)
	}

	lt := startListTermSized(t, 160, 45, kc, "-n", ns)
	lt.waitText("the list, live", "● live")
	lt.keys("r")
	rs := seedDeployment + `-[a-z0-9]+`
	lt.waitForAll("revision 1 alone, nothing to drain", []string{
		`NEW  revision 1 · ` + rs + `\s+│ OLD`,
		`no old revision left: nothing to drain`,
	})

	// Revision 2 initialises slowly (1.5 s a kubelet step), so the
	// rollout lasts long enough to be watched; its old pods take 2 s to
	// stop.
	rev2, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	slow := controlplane.Steer{Step: 1500 * time.Millisecond, Stop: 2 * time.Second}
	if err := c.Apply(ctx, ns, rev2.Replicas(replicas).Steer(slow).Annotate(map[string]string{"release": "2"})); err != nil {
		t.Fatal(err)
	}

	side := regexp.MustCompile(`NEW  revision 2 · (` + rs + `)\s+│ OLD  revision 1 · (` + rs + `)`)
	counts := regexp.MustCompile(`(?m)^  (\d+) pods?, \d+ initialized, (\d+) ready[^│\n]*│   (\d+) pods?, (\d+) ready, (\d+) terminating`)
	lastOld, lastReady, samples, both := -1, -1, 0, false
	var newRS, oldRS string
	var seen []string // each change of (new ready, old pods), for the log
	sample := func(screen string) bool {
		m := side.FindStringSubmatch(screen)
		cm := counts.FindStringSubmatch(screen)
		if m == nil || cm == nil {
			return false
		}
		newRS, oldRS = m[1], m[2]
		newReady, _ := strconv.Atoi(cm[2])
		oldPods, _ := strconv.Atoi(cm[3])
		if lastOld >= 0 && oldPods > lastOld {
			t.Errorf("the old revision grew back from %d to %d pods:\n%s", lastOld, oldPods, screen)
		}
		if lastReady >= 0 && newReady < lastReady {
			t.Errorf("the new revision's ready pods fell from %d to %d:\n%s", lastReady, newReady, screen)
		}
		if oldPods != lastOld || newReady != lastReady {
			seen = append(seen, fmt.Sprintf("new %d ready/old %d pods", newReady, oldPods))
		}
		lastOld, lastReady = oldPods, newReady
		samples++
		if newReady > 0 && oldPods > 0 {
			both = true
		}
		return true
	}
	lt.waitUntil("revision 2 next to revision 1, both with pods", func(s string) bool {
		return sample(s) && lastOld > 0 && lastReady > 0
	})

	// Narrower than 120 columns: stacked, labelled.
	lt.resize(100, 45)
	lt.waitForAll("the revisions stacked", []string{
		`(?m)^new  rev 2 ` + rs + `: \d+ pods?, \d+ ready`,
		`(?m)^old  rev 1 ` + rs + `: \d+ pods?, \d+ ready, \d+ terminating`,
	})
	lt.resize(160, 45)

	// Until the old revision is gone: it drains, the new one progresses.
	lt.waitUntil("the old revision drained", func(s string) bool {
		if strings.Contains(s, "no old revision left: nothing to drain") {
			return true
		}
		sample(s)
		return false
	})
	t.Logf("%d screens: %s", samples, strings.Join(seen, " → "))
	if !both || samples < 2 {
		t.Errorf("watched %d screens of the rollout; both revisions serving at once: %v", samples, both)
	}
	if err := c.WaitRollout(ctx, ns, "deployment/"+seedDeployment); err != nil {
		t.Fatal(err)
	}
	status, err := c.Kubectl(ctx, "rollout", "status", "--watch=false", "-n", ns, "deployment/"+seedDeployment)
	if err != nil {
		t.Fatalf("kubectl rollout status: %v\n%s", err, status)
	}
	screen := lt.waitForAll("revision 2 done", []string{
		`NEW  revision 2 · ` + regexp.QuoteMeta(newRS) + `\s+│ OLD`,
		fmt.Sprintf(`ready +\[#+\] 100%%  %d of %d desired`, replicas, replicas),
		regexp.QuoteMeta(strings.TrimSpace(status)),
	})

	// The oracle: kubectl's ReplicaSets, their revisions and replicas.
	out, err := c.Kubectl(ctx, "get", "rs", "-n", ns, "-o",
		`jsonpath={range .items[*]}{.metadata.name} {.metadata.annotations.deployment\.kubernetes\.io/revision} {.status.replicas}{"\n"}{end}`)
	if err != nil {
		t.Fatalf("kubectl get rs: %v\n%s", err, out)
	}
	want := map[string]string{newRS: fmt.Sprintf("2 %d", replicas), oldRS: "1 0"}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		name, rest, _ := strings.Cut(l, " ")
		if w, ok := want[name]; ok && rest != w {
			t.Errorf("kubectl: ReplicaSet %s has revision and replicas %q, the view said %q", name, rest, w)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("kubectl does not list the ReplicaSets the view named: %v\n%s\nscreen:\n%s", want, out, screen)
	}
	lt.keys("q")
	if code := lt.exitStatus(); code != 0 {
		t.Fatalf("initwatch exited with status %d; screen:\n%s", code, lt.screen())
	}
}

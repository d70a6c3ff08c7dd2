package e2e

import (
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// TestTUISeedRolloutInTmux is the main screen test on the whole cluster:
// the real binary in tmux, started before the seed app is applied; the
// Deployment controller creates the pod, the scheduler binds it, and kwok
// runs init-check-services into two failures and a CrashLoopBackOff before
// it succeeds. The list, the detail's init containers, its logs (current
// and previous run) and its history follow the pod to Running, and agree
// with kubectl.
func TestTUISeedRolloutInTmux(t *testing.T) {
	c, _, kc, ctx, ns := clusterNamespace(t, "tui-seed", rolloutBound)

	// Tall enough for the crash-looping step's state in the detail view.
	lt := startListTermSized(t, 120, 50, kc, "-n", ns)
	lt.waitText("the empty list, live", "● live")

	// Slow enough to read every state off the screen: a kubelet step a
	// second, the CrashLoopBackOff 8 s.
	steer := seedFlaky
	steer.Step = time.Second
	steer.BackoffSeconds = 8
	app, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, ns, app.Replicas(1).Steer(steer)); err != nil {
		t.Fatal(err)
	}
	pod := `k8s-init-containers-[a-z0-9]+-[a-z0-9]+`
	listed := `k8s-init-con\S+` // the list shortens long names with …
	lt.waitForAll("the pod crash-looping on its second step", []string{
		listed + `\s+0/1\s+Init:CrashLoopBackOff\s+1 \(\S+ ago\)\s+\S+\s+█✗··\s+1/4\s+init-check-services`,
	})

	lt.keys("Enter")
	lt.waitForAll("the failing step in the detail view", []string{
		ns + `/` + pod + `\s+Init:CrashLoopBackOff`,
		`init-check-services\s+crash-looping`,
		`Reason:\s+CrashLoopBackOff`,
		`back-off 8s restarting failed container=init-check-services`,
		`Exit Code:\s+1\b`,
	})
	lt.keys("l")
	lt.waitText("the current run's log", "At least one (app-redis) of the services (app-redis app-postgresql app-mongodb) is not available yet.")
	lt.keys("p")
	lt.waitText("the previous run's log", "Can't resolve (app-mongodb.default) in DNS")
	lt.keys("p")

	lt.keys("4")
	lt.waitForAll("the whole history, to Running", []string{
		ns + `/` + pod + `\s+Running\s+ready 1/1`,
		`(?s)\nPending\s.*\nInit:0/4\s.*\nInit:1/4\s.*\nInit:Error\s.*\nInit:1/4\s.*\nInit:Error\s.*` +
			`\nInit:CrashLoopBackOff\s.*\nInit:1/4\s.*\nInit:2/4\s.*\nInit:3/4\s.*\nPodInitializing\s.*\nRunning\s+[^\n]*\(current\)`,
	})

	lt.keys("Escape")
	// RESTARTS 0: once a pod is initialized kubectl counts only the
	// restarts of app containers and sidecars.
	lt.waitForAll("the pod Running in the list", []string{listed + `\s+1/1\s+Running\s+0\s+\S+\s+████\s+4/4`})
	rows := kubectlRows(t, kc, ns)
	if len(rows) != 1 {
		t.Fatalf("kubectl lists %v", rows)
	}
	for name, row := range rows {
		if row != "1/1 Running 0" {
			t.Errorf("kubectl: %s is %q, want 1/1 Running 0", name, row)
		}
	}
	lt.keys("q")
	if code := lt.exitStatus(); code != 0 {
		t.Fatalf("initwatch exited with status %d; screen:\n%s", code, lt.screen())
	}
}

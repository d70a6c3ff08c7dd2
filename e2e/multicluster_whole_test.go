package e2e

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// TestTwoWholeClusters: the seed app's Deployment is applied to two whole
// clusters (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// kwok each) and rolled out by their real controllers. One `initwatch wait
// --context east,west` succeeds when it rolled out in both, and, in a second
// namespace where west's init-check-services fails on every run, fails
// naming west and nothing of east. `kubectl rollout status` per context is
// the oracle: it says done in each cluster the wait says done, and not done
// in the one it says failed. Then the terminal UI over both contexts, in
// tmux: its rollouts view (r) shows the Deployment of each cluster as a
// workload of its own, named by its context, and the failure signature
// under west's only, its facts naming west.
func TestTwoWholeClusters(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), rolloutBound)
	defer cancel()
	clusters := map[string]*controlplane.Cluster{
		"east": shared.Cluster(t),
		"west": controlplane.StartClusterForTest(t, controlplane.ClusterOptions{}),
	}
	contexts := []string{"east", "west"}
	cps := map[string]*controlplane.ControlPlane{}
	for name, c := range clusters {
		cps[name] = c.ControlPlane
	}
	kc := mergedKubeconfig(t, contexts, cps)
	healthy := controlplane.Steer{Step: 300 * time.Millisecond}
	failing := controlplane.Steer{Step: 300 * time.Millisecond, Fail: "init-check-services", ExitCode: 1,
		Message: seedServicesMessage, BackoffSeconds: 1}
	// Both namespaces roll out at once, the same names in both clusters.
	okNS, failNS := unique("mwait-ok"), unique("mwait-fail")
	for _, name := range contexts {
		c := clusters[name]
		cs, err := c.AdminClient()
		if err != nil {
			t.Fatal(err)
		}
		steer := healthy
		if name == "west" {
			steer = failing
		}
		for ns, s := range map[string]controlplane.Steer{okNS: healthy, failNS: steer} {
			ensureNamespace(ctx, t, cs, ns)
			// A fresh manifest each time: Steer adds annotations to the
			// manifest it is given, and a healthy steer does not take back
			// a failing one's, so a shared manifest made the healthy
			// namespace fail whenever the map gave the failing one first.
			app, err := controlplane.Fixture("seed-app.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Apply(ctx, ns, app.Replicas(2).Steer(s)); err != nil {
				t.Fatal(err)
			}
		}
	}
	bin := initwatchBinary(t)
	target := "deploy/" + seedDeployment

	t.Run("done in both", func(t *testing.T) {
		res := run(t, nil, bin, "wait", target, "-n", okNS, "--kubeconfig", kc, "--context", "east,west", "--timeout", "3m")
		if res.code != 0 {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
		}
		want := `deployment "` + seedDeployment + `" successfully rolled out`
		for _, name := range contexts {
			out, err := clusters[name].Kubectl(ctx, "rollout", "status", "-n", okNS, "deployment/"+seedDeployment, "--timeout=10s")
			if err != nil || !strings.Contains(out, want) {
				t.Errorf("kubectl rollout status in %s: %v: %s", name, err, out)
			}
			if !strings.Contains(res.stdout, name+":deployment/"+seedDeployment+": "+want+"\n") {
				t.Errorf("wait does not say %s rolled out:\n%s", name, res.stdout)
			}
			if !strings.Contains(res.stdout, name+":"+okNS+"/"+seedDeployment+"-") {
				t.Errorf("no progress line names %s's pods:\n%s", name, res.stdout)
			}
		}
		if !strings.Contains(res.stdout, "done in") {
			t.Errorf("no outcome:\n%s", res.stdout)
		}
	})

	t.Run("stuck in west", func(t *testing.T) {
		// The oracle first: east rolls out (so the wait must find it done),
		// west does not within 30 s.
		var wg sync.WaitGroup
		oracle := map[string]string{}
		var mu sync.Mutex
		for _, name := range contexts {
			wg.Go(func() {
				o, err := clusters[name].Kubectl(ctx, "rollout", "status", "-n", failNS, "deployment/"+seedDeployment, "--timeout=30s")
				if err != nil {
					o = "FAILED: " + o
				}
				mu.Lock()
				oracle[name] = o
				mu.Unlock()
			})
		}
		wg.Wait()
		if !strings.Contains(oracle["east"], "successfully rolled out") {
			t.Fatalf("kubectl says east did not roll out: %s", oracle["east"])
		}
		if !strings.HasPrefix(oracle["west"], "FAILED: ") || strings.Contains(oracle["west"], "successfully rolled out") {
			t.Fatalf("kubectl says west rolled out: %s", oracle["west"])
		}
		res := run(t, nil, bin, "wait", target, "-n", failNS, "--kubeconfig", kc, "--context", "east,west", "--timeout", "3m")
		if res.code != 1 {
			t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
		}
		out := res.stdout
		for _, want := range []string{
			"east:deployment/" + seedDeployment + " (done, --for rollout)",
			"west:deployment/" + seedDeployment + " (waiting, --for rollout)",
			"max-restarts: west:" + failNS + "/" + seedDeployment + "-",
			"init-check-services restarted",
			"Failure 1 of 1: west:" + failNS + "/Deployment/" + seedDeployment + "\n  init-check-services: Error, exit code 1",
			"log of west:" + failNS + "/" + seedDeployment + "-",
			"| " + seedServicesMessage,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if strings.Contains(out, "Failure 1 of 1: east:") || strings.Contains(out, "max-restarts: east:") {
			t.Errorf("the healthy cluster is blamed")
		}
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", out, res.stderr)
		}
	})

	t.Run("rollouts view in tmux", func(t *testing.T) {
		lt := startListTerm(t, kc, "--context", "east,west", "-n", failNS)
		lt.waitFor("both clusters live", `east ● live\s+west ● live`)
		lt.keys("r")
		east := regexp.QuoteMeta("east:" + failNS + "/Deployment/" + seedDeployment)
		west := regexp.QuoteMeta("west:" + failNS + "/Deployment/" + seedDeployment)
		lt.waitForAll("a workload per cluster, the signature under west's", []string{
			east, `(?m)^` + west + `.*\n\s+init-check-services: Error, exit code 1`,
		}, `(?m)^`+east+`.*\n\s+init-check-services`)
		// The only signature on screen is west's: move down to it.
		var screen string
		for range 4 {
			lt.keys("j")
			time.Sleep(300 * time.Millisecond)
			if screen = lt.screen(); strings.Contains(screen, "example:") {
				break
			}
		}
		lt.waitForAll("the signature's facts name west", []string{
			`(?m)^` + west + `\s*$`,
			`init-check-services: Error, exit code 1 — 2 pods`,
			`example:\s+` + regexp.QuoteMeta("west:"+failNS+"/"+seedDeployment+"-"),
		})
		lt.keys("q")
		if code := lt.exitStatus(); code != 0 {
			t.Fatalf("initwatch exited with status %d; screen:\n%s", code, lt.screen())
		}
	})
}

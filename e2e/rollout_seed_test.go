package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// seedStatuses are the pod STATUS values the seed article shows, which a
// rollout of its app through the real controllers must go through.
var seedStatuses = []string{
	"Pending", "Init:0/4", "Init:1/4", "Init:2/4", "Init:3/4",
	"Init:Error", "Init:CrashLoopBackOff", "PodInitializing", "Running", "Terminating",
}

const (
	seedDeployment = "k8s-init-containers"
	seedSelector   = "app.kubernetes.io/component=k8s-init-containers"
	// rolloutBound guards each wait of the rollout tests; reaching it is a
	// failure with the last state, never a pass.
	rolloutBound = 4 * time.Minute
)

// seedFlaky is the seed app's pod template as the article tells it:
// init-check-services cannot reach its services on the first two runs
// (exit 1, the seed's message), then succeeds. Back-off is 2 s, then 4 s,
// instead of the kubelet's 10 s and 20 s; each kubelet step takes 400 ms.
var seedFlaky = controlplane.Steer{
	Step:           400 * time.Millisecond,
	Fail:           "init-check-services",
	FailTimes:      2,
	ExitCode:       1,
	Message:        "At least one (app-redis) of the services (app-redis app-postgresql app-mongodb) is not available yet.",
	BackoffSeconds: 2,
}

// TestRolloutSeedApp rolls out two revisions of the seed app (6 replicas)
// through the real Deployment and ReplicaSet controllers, the scheduler
// and kwok as the kubelet, with `kubectl get pods -w` and `initwatch get -w`
// watching side by side from before the first pod exists. Every STATUS of
// the seed must show up, and for every pod the two must print the same
// sequence of READY, STATUS and RESTARTS (the count; "(5s ago)" depends on
// the second each printed in).
func TestRolloutSeedApp(t *testing.T) {
	c, cs, kc, ctx, ns := clusterNamespace(t, "rollout", 2*rolloutBound)

	kw := startLineWatch(t, nil, kubectlBinary(t), "--kubeconfig", kc, "get", "pods", "-w", "-n", ns)
	iw := startLineWatch(t, nil, initwatchBinary(t), "get", "-w", "-n", ns, "--kubeconfig", kc)

	app, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, ns, app.Replicas(6).Steer(seedFlaky)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitRollout(ctx, ns, "deployment/"+seedDeployment); err != nil {
		t.Fatal(err)
	}
	// Revision 2: a new app image. Old pods drain while new ones go
	// through the same init containers.
	if out, err := c.Kubectl(ctx, "set", "image", "-n", ns, "deployment/"+seedDeployment, "app=loftsh/app:v2"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if err := c.WaitRollout(ctx, ns, "deployment/"+seedDeployment); err != nil {
		t.Fatal(err)
	}
	final, err := controlplane.WaitPods(ctx, cs, ns, seedSelector, func(pods []*corev1.Pod) bool {
		if len(pods) != 6 {
			return false // old pods still terminating
		}
		for _, p := range pods {
			if p.Spec.Containers[0].Image != "loftsh/app:v2" || p.Status.Phase != corev1.PodRunning {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	current := map[string]bool{}
	for _, p := range final {
		current[p.Name] = true
	}

	// Both watchers are done once every pod they saw is in its last state:
	// the six of revision 2 Running, the six of revision 1 stopped.
	settled := func(lines []string) bool {
		rows := lastRows(parseWatchRows(lines))
		for name := range current {
			if r, ok := rows[name]; !ok || r.status != "Running" || r.ready != "1/1" {
				return false
			}
		}
		old := 0
		for name, r := range rows {
			if !current[name] {
				old++
				if r.status != "Completed" {
					return false
				}
			}
		}
		return old == 6
	}
	kw.waitUntil("every pod in its last state", rolloutBound, settled)
	iw.waitUntil("every pod in its last state", rolloutBound, settled)
	kw.stop()
	iw.stop()
	kubectlLines, _ := kw.snapshot()
	initwatchLines, _ := iw.snapshot()
	// As kubectl, a note on stderr when the namespace is empty at first.
	if s := iw.stderr.String(); s != "" && s != "No resources found\n" {
		t.Errorf("initwatch get -w wrote on stderr: %q", s)
	}

	kubectlSeq := sequences(parseWatchRows(kubectlLines))
	initwatchSeq := sequences(parseWatchRows(initwatchLines))
	seen := map[string]bool{}
	for name, seq := range kubectlSeq {
		for _, r := range seq {
			seen[r.status] = true
		}
		if got := initwatchSeq[name]; !slices.Equal(got, seq) {
			t.Errorf("pod %s: initwatch get -w printed\n%s\nkubectl get pods -w printed\n%s", name, formatRows(got), formatRows(seq))
		}
	}
	for name := range initwatchSeq {
		if _, ok := kubectlSeq[name]; !ok {
			t.Errorf("initwatch printed pod %s, kubectl never did", name)
		}
	}
	for _, st := range seedStatuses {
		if !seen[st] {
			t.Errorf("no pod went through STATUS %s; statuses seen: %v", st, keys(seen))
		}
	}
	if len(kubectlSeq) != 12 {
		t.Errorf("kubectl saw %d pods, want 12 (two revisions of 6)", len(kubectlSeq))
	}
	if t.Failed() {
		t.Logf("kubectl get pods -w:\n%s\ninitwatch get -w:\n%s", strings.Join(kubectlLines, "\n"), strings.Join(initwatchLines, "\n"))
	}
}

// watchRow is a line of `kubectl get pods -w` or `initwatch get -w` by the
// columns they share: NAME, READY, STATUS and the count of RESTARTS.
type watchRow struct{ name, ready, status, restarts string }

// parseWatchRows reads the pod lines of either printer: kubectl starts with
// NAME, initwatch with NAMESPACE, and headers are skipped.
func parseWatchRows(lines []string) []watchRow {
	var rows []watchRow
	for _, l := range lines {
		cells := cellGap.Split(strings.TrimSpace(l), -1)
		if len(cells) < 5 || cells[0] == "NAME" || cells[0] == "NAMESPACE" {
			continue
		}
		if len(cells) == len(initwatchColumns) {
			cells = cells[1:]
		}
		restarts, _, _ := strings.Cut(cells[3], " (")
		rows = append(rows, watchRow{name: cells[0], ready: cells[1], status: cells[2], restarts: restarts})
	}
	return rows
}

// sequences groups rows per pod, dropping a row equal to the one before
// (both printers print a line per event, and not every event changes
// these columns).
func sequences(rows []watchRow) map[string][]watchRow {
	out := map[string][]watchRow{}
	for _, r := range rows {
		seq := out[r.name]
		if len(seq) > 0 && seq[len(seq)-1] == r {
			continue
		}
		out[r.name] = append(seq, r)
	}
	return out
}

func lastRows(rows []watchRow) map[string]watchRow {
	out := map[string]watchRow{}
	for _, r := range rows {
		out[r.name] = r
	}
	return out
}

func formatRows(rows []watchRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-6s %-24s %s\n", r.ready, r.status, r.restarts)
	}
	return b.String()
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

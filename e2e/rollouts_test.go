package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/rollout"
)

// seedBrokenDB makes init-check-database fail on every run, as when the
// release points the app at a database that is not there.
var seedBrokenDB = controlplane.Steer{
	Step:           400 * time.Millisecond,
	Fail:           "init-check-database",
	ExitCode:       1,
	Message:        "Database app-postgresql is not reachable: connection refused",
	BackoffSeconds: 2,
}

// onNode pins the manifest's pod template to one node, so the signature
// can say "all 8 on node X".
func onNode(m controlplane.Manifest, node string) controlplane.Manifest {
	for _, o := range m {
		_ = unstructured.SetNestedField(o.Object, node, "spec", "template", "spec", "nodeName")
	}
	return m
}

// rolloutsJSON runs `initwatch rollouts -o json` with kubeconfig kc.
func rolloutsJSON(t *testing.T, kc, ns string) (rollout.Summary, string) {
	t.Helper()
	res := run(t, nil, initwatchBinary(t), "rollouts", "-o", "json", "-n", ns, "--kubeconfig", kc)
	if res.code != 0 {
		t.Fatalf("initwatch rollouts exited %d: %s", res.code, res.stderr)
	}
	var s rollout.Summary
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil {
		t.Fatalf("initwatch rollouts -o json: %v\n%s", err, res.stdout)
	}
	return s, res.stdout
}

func seedWorkload(t *testing.T, s rollout.Summary) rollout.Workload {
	t.Helper()
	for _, w := range s.Workloads {
		if w.Ref.Kind == rollout.KindDeployment && w.Ref.Name == seedDeployment {
			return w
		}
	}
	t.Fatalf("no Deployment %s in the summary: %+v", seedDeployment, s.Workloads)
	return rollout.Workload{}
}

// TestRolloutsSeedBrokenDatabase: the seed app rolled out to 8 replicas
// through the real controllers with init-check-database failing on every
// pod. `initwatch rollouts` must name the step, exit code 1, 8 pods, the
// message and the node, with counts equal to kubectl's; after a fixed
// revision the old one drains and the new one progresses; a user who may
// not read ReplicaSets and Deployments gets the fallback, stated.
func TestRolloutsSeedBrokenDatabase(t *testing.T) {
	c, cs, kc, ctx, ns := clusterNamespace(t, "rollouts", 2*rolloutBound)

	app, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	node := controlplane.NodeA
	if err := c.Apply(ctx, ns, onNode(app.Replicas(8).Steer(seedBrokenDB), node)); err != nil {
		t.Fatal(err)
	}
	// Every pod has failed init-check-database at least once.
	_, err = controlplane.WaitPods(ctx, cs, ns, seedSelector, func(pods []*corev1.Pod) bool {
		if len(pods) != 8 {
			return false
		}
		for _, p := range pods {
			failed := false
			for _, st := range p.Status.InitContainerStatuses {
				if st.Name == "init-check-database" && st.RestartCount >= 1 {
					failed = true
				}
			}
			if !failed {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}

	s, raw := rolloutsJSON(t, kc, ns)
	w := seedWorkload(t, s)
	if len(w.Signatures) != 1 {
		t.Fatalf("%d signatures, want 1:\n%s", len(w.Signatures), raw)
	}
	sig := w.Signatures[0]
	if sig.Step != "init-check-database" || sig.ExitCode == nil || *sig.ExitCode != 1 || sig.Count != 8 {
		t.Errorf("signature = %s", sig.Headline())
	}
	if !strings.Contains(sig.Message, seedBrokenDB.Message) {
		t.Errorf("signature message = %q, want the pods' %q", sig.Message, seedBrokenDB.Message)
	}
	if got, ok := sig.OnOneNode(); !ok || got != node {
		t.Errorf("signature nodes = %+v, want all 8 on %s", sig.Nodes, node)
	}
	text := run(t, nil, initwatchBinary(t), "rollouts", "-n", ns, "--kubeconfig", kc)
	for _, want := range []string{"init-check-database: Error, exit code 1 — 8 pods, all on node " + node, seedBrokenDB.Message} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("initwatch rollouts does not say %q:\n%s", want, text.stdout)
		}
	}

	// The oracles: kubectl get pods and kubectl rollout status.
	out, err := c.Kubectl(ctx, "get", "pods", "-n", ns, "-l", seedSelector, "--no-headers")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	initializing, ready := 0, 0
	for _, l := range lines {
		f := strings.Fields(l)
		if strings.HasPrefix(f[2], "Init:") {
			initializing++
		}
		if f[1] == "1/1" {
			ready++
		}
	}
	if len(lines) != w.Pods || w.Ready != ready || w.Pods-w.Initialized != initializing {
		t.Errorf("summary: %d pods, %d initialized, %d ready; kubectl get pods: %d pods, %d Init:*, %d ready",
			w.Pods, w.Initialized, w.Ready, len(lines), initializing, ready)
	}
	status, _ := c.Kubectl(ctx, "rollout", "status", "-n", ns, "deployment/"+seedDeployment, "--watch=false")
	if strings.TrimSpace(status) != w.Status {
		t.Errorf("status = %q, kubectl rollout status says %q", w.Status, strings.TrimSpace(status))
	}

	// A user who may read pods but not ReplicaSets nor Deployments.
	podReader := podReaderKubeconfig(ctx, t, c.ControlPlane, cs, ns)
	fs, _ := rolloutsJSON(t, podReader, ns)
	fw := seedWorkload(t, fs)
	if !fw.Inferred || len(fw.Signatures) != 1 || fw.Signatures[0].Count != 8 || len(fs.Fallback) == 0 {
		t.Errorf("fallback summary: inferred %v, signatures %d, fallback %q", fw.Inferred, len(fw.Signatures), fs.Fallback)
	}
	ft := run(t, nil, initwatchBinary(t), "rollouts", "-n", ns, "--kubeconfig", podReader)
	if ft.code != 0 || !strings.Contains(ft.stdout, "note: cannot read ReplicaSets in namespace "+ns+" (forbidden)") {
		t.Errorf("fallback not stated (exit %d):\n%s\n%s", ft.code, ft.stdout, ft.stderr)
	}

	// The fix: a revision whose init-check-database succeeds.
	fixed, err := controlplane.Fixture("seed-app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fixedSteer := seedBrokenDB
	fixedSteer.Fail, fixedSteer.Message = "", ""
	if err := c.Apply(ctx, ns, onNode(fixed.Replicas(8).Steer(fixedSteer).Annotate(map[string]string{"release": "fixed"}), node)); err != nil {
		t.Fatal(err)
	}
	// While it rolls: two revisions, the new one ahead of the old.
	deadline := time.Now().Add(rolloutBound)
	sawBoth := false
	for time.Now().Before(deadline) {
		s, _ = rolloutsJSON(t, kc, ns)
		w = seedWorkload(t, s)
		if len(w.Revisions) == 2 && w.Revisions[0].Number == 2 && w.Revisions[0].New && w.Revisions[1].Number == 1 {
			sawBoth = true
		}
		if w.Done {
			break
		}
		time.Sleep(time.Second)
	}
	if !sawBoth {
		t.Error("never saw the new revision and the old one side by side")
	}
	if err := c.WaitRollout(ctx, ns, "deployment/"+seedDeployment); err != nil {
		t.Fatal(err)
	}
	_, err = controlplane.WaitPods(ctx, cs, ns, seedSelector, func(pods []*corev1.Pod) bool { return len(pods) == 8 })
	if err != nil {
		t.Fatal(err)
	}
	s, raw = rolloutsJSON(t, kc, ns)
	w = seedWorkload(t, s)
	if !w.Done || w.Ready != 8 || len(w.Revisions) != 1 || w.Revisions[0].Number != 2 || len(w.Signatures) != 0 {
		t.Errorf("after the fix: done %v ready %d revisions %+v signatures %d\n%s", w.Done, w.Ready, w.Revisions, len(w.Signatures), raw)
	}
	status, _ = c.Kubectl(ctx, "rollout", "status", "-n", ns, "deployment/"+seedDeployment, "--watch=false")
	if strings.TrimSpace(status) != w.Status {
		t.Errorf("status = %q, kubectl rollout status says %q", w.Status, strings.TrimSpace(status))
	}
}

// podReaderKubeconfig is a user who may get, list and watch pods (and
// their logs and events) in ns, and nothing else.
func podReaderKubeconfig(ctx context.Context, t *testing.T, cp *controlplane.ControlPlane, cs kubernetes.Interface, ns string) string {
	t.Helper()
	user, err := cp.AddUser("pod-reader-" + ns)
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "events"}, Verbs: []string{"get", "list", "watch"}}}}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "pod-reader", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-reader"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: user.Name}}}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return user.Kubeconfig
}

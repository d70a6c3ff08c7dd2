package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// waitReadOnly runs `initwatch wait` on a pod and on a Deployment as a
// user of the group initwatch:viewers, then reads that user's requests
// from the audit log: only get, list and watch, on what deploy/rbac.yaml
// grants, none refused.
func (e auditEnv) waitReadOnly(t *testing.T) {
	ctx := context.Background()
	const ns = "audit-wait"
	ensureNamespace(ctx, t, e.admin, ns)
	createPods(ctx, t, e.admin, ns, "w", 1)
	replicas := int32(1)
	labels := map[string]string{"app": "w"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}}}},
	}
	if _, err := e.admin.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	user, err := e.cp.AddUser("audit-waiter", "initwatch:viewers")
	if err != nil {
		t.Fatal(err)
	}
	bin := initwatchBinary(t)
	start := time.Now()
	// No controller runs here: neither ever gets done, so both time out.
	for _, target := range []string{"pod/w-0", "deploy/w"} {
		res := run(t, nil, bin, "wait", target, "-n", ns, "--timeout", "3s", "--kubeconfig", user.Kubeconfig)
		if res.code != 3 {
			t.Fatalf("wait %s: exit %d, want 3 (timed out)\n%s%s", target, res.code, res.stdout, res.stderr)
		}
	}
	reqs, err := e.audit.Requests(func(ev *controlplane.AuditEvent) bool {
		return ev.User.Username == user.Name && !ev.RequestReceived.Before(start.Add(-time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"pods": true, "events": true, "deployments": true, "replicasets": true}
	seen := map[string]int{}
	for _, r := range reqs {
		seen[r.Verb+" "+r.Resource()]++
		switch {
		case r.Verb != "get" && r.Verb != "list" && r.Verb != "watch":
			t.Errorf("initwatch wait sent a %q request: %s", r.Verb, r.RequestURI)
		case !allowed[r.Resource()]:
			t.Errorf("initwatch wait read %q: %s", r.Resource(), r.RequestURI)
		}
		if c := r.Code(); c == 401 || c == 403 {
			t.Errorf("the apiserver refused %s (HTTP %d): deploy/rbac.yaml is not enough", r.RequestURI, c)
		}
	}
	t.Logf("%d requests: %v", len(reqs), seen)
	for _, want := range []string{"get deployments", "watch pods", "watch deployments", "watch replicasets"} {
		if seen[want] == 0 {
			t.Errorf("no %q request: the run did not exercise it (%s)", want, strings.Join(keysOf(seen), ", "))
		}
	}
}

func keysOf(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

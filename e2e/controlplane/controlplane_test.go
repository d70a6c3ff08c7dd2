package controlplane_test

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// TestLifecycle proves the harness itself: the admin can write, an extra user
// is refused until a Role is bound, data survives an apiserver restart on the
// same port, and Stop leaves no process behind.
func TestLifecycle(t *testing.T) {
	bins := controlplane.RequireBinaries(t)
	ctx := context.Background()
	cp, err := controlplane.Start(ctx, bins, controlplane.Options{})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cp.Stop()
		}
	})

	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "harness"}}
	if _, err := admin.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}

	user, err := cp.AddUser("alice", "team-a")
	if err != nil {
		t.Fatal(err)
	}
	alice, err := kubernetes.NewForConfig(user.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.CoreV1().Pods("harness").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("alice lists pods before any binding: err = %v, want Forbidden", err)
	}
	bindPodReader(ctx, t, admin, "harness", "alice")
	if _, err := alice.CoreV1().Pods("harness").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("alice lists pods in her namespace: %v", err)
	}
	if _, err := alice.CoreV1().Pods("").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("alice lists pods cluster-wide: err = %v, want Forbidden", err)
	}

	// kubectl must accept the generated kubeconfig and the server version.
	kc, err := cp.AdminKubeconfig()
	if err != nil {
		t.Fatal(err)
	}
	kubectl, err := controlplane.FindKubectl()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kubectl, "--kubeconfig", kc, "get", "namespace", "harness", "-o", "name").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl with the admin kubeconfig: %v: %s", err, out)
	}
	if strings.TrimSpace(string(out)) != "namespace/harness" {
		t.Fatalf("kubectl printed %q", out)
	}

	url := cp.URL()
	if err := cp.StopAPIServer(); err != nil {
		t.Fatalf("stop apiserver: %v", err)
	}
	if _, err := admin.CoreV1().Namespaces().Get(ctx, "harness", metav1.GetOptions{}); err == nil {
		t.Fatal("the apiserver still answers after StopAPIServer")
	}
	if err := cp.StartAPIServer(ctx); err != nil {
		t.Fatalf("restart apiserver: %v", err)
	}
	if cp.URL() != url {
		t.Fatalf("apiserver moved from %s to %s", url, cp.URL())
	}
	if _, err := admin.CoreV1().Namespaces().Get(ctx, "harness", metav1.GetOptions{}); err != nil {
		t.Fatalf("namespace lost across the restart: %v", err)
	}

	pids := groupLeaders(t, cp)
	if err := cp.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	stopped = true
	for _, pid := range pids {
		if err := syscall.Kill(-pid, 0); err == nil {
			t.Errorf("process group %d still has members after Stop", pid)
		}
	}
}

func bindPodReader(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, user string) {
	t.Helper()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-reader", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"},
		}},
	}
	if _, err := cs.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create role: %v", err)
	}
	binding := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "pod-reader-" + user, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "pod-reader"},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create role binding: %v", err)
	}
}

// groupLeaders finds the pids of the harness's components by their command
// line, restricted to this control plane's folder.
func groupLeaders(t *testing.T, cp *controlplane.ControlPlane) []int {
	t.Helper()
	out, err := exec.Command("pgrep", "-f", cp.Dir()).Output()
	if err != nil {
		t.Fatalf("pgrep: %v", err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pgrep printed %q", f)
		}
		pids = append(pids, pid)
	}
	if len(pids) < 2 {
		t.Fatalf("found %d component processes, want etcd and kube-apiserver", len(pids))
	}
	return pids
}

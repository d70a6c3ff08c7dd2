package controlplane_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// TestAuditAndEtcdHelpers proves the helpers the reliability and security
// tests build on: the audit log names each request's user, verb and
// object; etcd reports and compacts its revision; and etcd restarts under a
// running apiserver with its data intact.
func TestAuditAndEtcdHelpers(t *testing.T) {
	var opts controlplane.Options
	audit, err := controlplane.EnableAudit(&opts, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cp := controlplane.StartWithOptions(t, opts)
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "helpers"}}
	if _, err := admin.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Pods("helpers").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	reqs, err := audit.Requests(controlplane.ByUser("initwatch-admin"))
	if err != nil {
		t.Fatal(err)
	}
	var sawCreate, sawList bool
	for _, r := range reqs {
		switch {
		case r.Verb == "create" && r.Resource() == "namespaces" && r.Code() == 201:
			sawCreate = true
		case r.Verb == "list" && r.Resource() == "pods" && r.Namespace() == "helpers" && r.Code() == 200:
			sawList = true
		}
	}
	if !sawCreate || !sawList {
		t.Fatalf("audit log misses the admin's requests (create namespace %v, list pods %v) among %d", sawCreate, sawList, len(reqs))
	}

	// Compaction reaches at least the newest object's revision.
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bump", Namespace: "helpers"}}
	created, err := admin.CoreV1().ConfigMaps("helpers").Create(ctx, cm, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := cp.CompactEtcd(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rev < mustInt(t, created.ResourceVersion) {
		t.Fatalf("compacted at revision %d, before the config map's %s", rev, created.ResourceVersion)
	}

	// Etcd comes back with the same data, and the apiserver serves it again.
	err = cp.WithEtcdDown(ctx, func() error {
		// Bounded: the apiserver would wait for etcd up to its own timeout.
		down, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		_, err := admin.CoreV1().ConfigMaps("helpers").Get(down, "bump", metav1.GetOptions{})
		if err == nil {
			t.Error("a quorum read succeeded while etcd was down")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().ConfigMaps("helpers").Get(ctx, "bump", metav1.GetOptions{}); err != nil {
		t.Fatalf("config map lost across the etcd restart: %v", err)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

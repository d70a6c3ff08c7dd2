package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/kube"
)

// TestWatchExpiryRelistsSeamlessly forces the informers' watches onto the
// "410 Gone: too old resource version" path and checks that initwatch's pod
// source comes out of the relist holding exactly what the apiserver holds,
// without ever having dropped a pod that still existed (a relist that
// emptied and refilled the list would flash on screen).
//
// How the 410 is forced: the apiserver runs without a watch cache for pods
// (--watch-cache-sizes=pods#0), so a watch is served by etcd from the
// requested revision. Once the source is synced, other objects advance
// etcd's revision, etcd is compacted past the pods' resourceVersion, and
// a proxy between the source and the apiserver ends the watches cleanly, as
// a load balancer's timeout does: client-go re-watches from the old
// resourceVersion, etcd has compacted it away, and the apiserver answers
// 410. The audit log proves the sequence happened (a watch from the old
// resourceVersion, then a fresh list).
func TestWatchExpiryRelistsSeamlessly(t *testing.T) {
	// A private control plane: mostly waiting, so it runs alongside the
	// other tests that have their own.
	t.Parallel()
	opts := controlplane.Options{ExtraAPIServerArgs: []string{"--watch-cache-sizes=pods#0"}}
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
	const ns = "expiry"
	ensureNamespace(ctx, t, admin, ns)
	names := createPods(ctx, t, admin, ns, "pod", 30)
	for i, name := range names[:10] {
		setInitRunning(ctx, t, admin, ns, name, i%2)
	}

	// The source runs as its own user, so the audit log tells its requests
	// from the test's.
	watcher, err := cp.AddUser("expiry-watcher", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	proxy := newWatchProxy(t, watcher.Config)
	rec := record(t, proxy.client(t), kube.Options{WithEvents: true})
	rec.waitFor(t, "the initial list", func(s recorderState) bool {
		return s.synced && sameAsServer(ctx, admin, s.pods) == ""
	})
	oldRV := maxResourceVersion(t, rec.state().pods)

	// Move etcd past every pod's resourceVersion without touching a pod,
	// then compact: the pods' watch position no longer exists.
	for i := range 5 {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bump-%d", i), Namespace: ns}}
		if _, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	compacted, err := cp.CompactEtcd(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if compacted <= oldRV {
		t.Fatalf("compacted at %d, not past the pods' resourceVersion %d", compacted, oldRV)
	}
	// client-go treats a watch that ends within a second of its start as
	// broken, and relists instead of re-watching.
	time.Sleep(1500 * time.Millisecond)
	cutAt := time.Now()
	proxy.cut()
	// The audit log must show the re-watch from the compacted position,
	// then a relist.
	var rewatch, relist *controlplane.AuditEvent
	eventually(t, "a pods watch from the compacted resourceVersion followed by a relist", func() string {
		reqs, err := audit.Requests(controlplane.ByUser(watcher.Name))
		if err != nil {
			return err.Error()
		}
		rewatch, relist = nil, nil
		for i := range reqs {
			r := &reqs[i]
			if r.Resource() != "pods" || r.RequestReceived.Before(cutAt.Add(-time.Second)) {
				continue
			}
			q := query(r.RequestURI)
			switch {
			case rewatch == nil && r.Verb == "watch" && q.Get("sendInitialEvents") != "true":
				if rv, err := strconv.ParseInt(q.Get("resourceVersion"), 10, 64); err == nil && rv > 0 && rv < compacted {
					rewatch = r
				}
			case rewatch != nil && (r.Verb == "list" || q.Get("sendInitialEvents") == "true"):
				relist = r
			}
		}
		switch {
		case rewatch == nil:
			return fmt.Sprintf("no pods watch from before revision %d among %d requests", compacted, len(reqs))
		case relist == nil:
			return "the re-watch " + rewatch.RequestURI + " was not followed by a relist"
		}
		return ""
	})
	t.Logf("re-watch %s, relist %s %s", rewatch.RequestURI, relist.Verb, relist.RequestURI)

	// Changes made after the relist arrive as usual.
	for i, name := range names[10:15] {
		setInitRunning(ctx, t, admin, ns, name, i%2)
	}
	deleted := names[15:20]
	for _, name := range deleted {
		if err := admin.CoreV1().Pods(ns).Delete(ctx, name, deleteNow); err != nil {
			t.Fatal(err)
		}
	}
	createPods(ctx, t, admin, ns, "late", 5)
	rec.waitFor(t, "the source to match the apiserver after the relist", func(s recorderState) bool {
		return sameAsServer(ctx, admin, s.pods) == ""
	})

	s := rec.state()
	for key, n := range s.removed {
		if !slices.Contains(deleted, key.Name) || key.Namespace != ns {
			t.Errorf("the relist removed %s/%s (%d times), which was never deleted", key.Namespace, key.Name, n)
		} else if n != 1 {
			t.Errorf("%s removed %d times, want once", key.Name, n)
		}
	}
	if len(s.removed) != len(deleted) {
		t.Errorf("%d removals reported, want %d: %v", len(s.removed), len(deleted), s.removed)
	}
	if s.replayed != 0 {
		t.Errorf("the relist passed on %d unchanged pods as changes", s.replayed)
	}
	if slices.Contains(s.phases, kube.ConnReconnecting) {
		t.Errorf("the 410 showed as a connection problem: phases %v", s.phases)
	}
	if last := s.phases[len(s.phases)-1]; last != kube.ConnLive {
		t.Errorf("connection ends %q, want live (phases %v)", last, s.phases)
	}
	t.Logf("connection phases: %v", s.phases)
}

func maxResourceVersion(t *testing.T, pods map[kube.PodKey]*corev1.Pod) int64 {
	t.Helper()
	var max int64
	for _, p := range pods {
		rv, err := strconv.ParseInt(p.ResourceVersion, 10, 64)
		if err != nil {
			t.Fatalf("pod %s has resourceVersion %q", p.Name, p.ResourceVersion)
		}
		if rv > max {
			max = rv
		}
	}
	return max
}

func query(requestURI string) url.Values {
	_, q, _ := strings.Cut(requestURI, "?")
	v, _ := url.ParseQuery(q)
	return v
}

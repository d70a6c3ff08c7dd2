package demo

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rsum "github.com/initwatch/initwatch/rollout"
)

// summaryAt summarises the simulated cluster's pods and owners, as the
// rollouts view and `initwatch rollouts --demo` read them.
func summaryAt(t *testing.T, c *Cluster) rsum.Summary {
	t.Helper()
	owners := rsum.NewOwners()
	ctx := t.Context()
	deps, err := c.Client().AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range deps.Items {
		owners.Upsert(&deps.Items[i])
	}
	rss, err := c.Client().AppsV1().ReplicaSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rss.Items {
		owners.Upsert(&rss.Items[i])
	}
	sts, err := c.Client().AppsV1().StatefulSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sts.Items {
		owners.Upsert(&sts.Items[i])
	}
	dss, err := c.Client().AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range dss.Items {
		owners.Upsert(&dss.Items[i])
	}
	jobs, err := c.Client().BatchV1().Jobs("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs.Items {
		owners.Upsert(&jobs.Items[i])
	}
	crons, err := c.Client().BatchV1().CronJobs("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range crons.Items {
		owners.Upsert(&crons.Items[i])
	}
	var pods []*corev1.Pod
	pods = append(pods, listPods(t, c)...)
	return rsum.Summarize(pods, owners, c.Now(), rsum.Options{})
}

// TestReleaseShowsTheSummary: at ReleaseUnderway the release shows every
// part of the rollout summary, among them a failure signature confined to
// one node, and the Deployments' status reads as kubectl rollout status.
func TestReleaseShowsTheSummary(t *testing.T) {
	for seed := range uint64(4) {
		c := newTestCluster(seed)
		step(t, c, ReleaseUnderway)
		s := summaryAt(t, c)
		var storefront, checkout *rsum.Workload
		for i := range s.Workloads {
			w := &s.Workloads[i]
			switch w.Ref.Name {
			case "storefront":
				storefront = w
			case "checkout":
				checkout = w
			}
		}
		if storefront == nil || checkout == nil {
			t.Fatalf("seed %d: workloads %v", seed, s.Workloads)
		}
		if len(storefront.Signatures) == 0 {
			t.Fatalf("seed %d: storefront has no failure signature at %v", seed, ReleaseUnderway)
		}
		sig := storefront.Signatures[0]
		node, one := sig.OnOneNode()
		if !one || node != "demo-worker-2" || sig.Step != "fetch-assets" || sig.ExitCode == nil || *sig.ExitCode != 1 ||
			sig.Count != badDNSPods || sig.Message == "" {
			t.Errorf("seed %d: storefront signature = %s (message %q)", seed, sig.Headline(), sig.Message)
		}
		if len(storefront.Revisions) != 2 || !storefront.Revisions[0].New || storefront.Revisions[1].Pods == 0 {
			t.Errorf("seed %d: storefront revisions = %+v", seed, storefront.Revisions)
		}
		if checkout.Desired == nil || *checkout.Desired != 7 || checkout.Done || checkout.Inferred {
			t.Errorf("seed %d: checkout = desired %v done %v inferred %v", seed, checkout.Desired, checkout.Done, checkout.Inferred)
		}
		if len(checkout.Steps) != 3 || !checkout.Steps[0].Sidecar {
			t.Errorf("seed %d: checkout steps = %+v", seed, checkout.Steps)
		}
		step(t, c, 2*ReleaseUnderway+time.Minute)
		s = summaryAt(t, c)
		for _, w := range s.Workloads {
			if w.Ref.Kind == rsum.KindDeployment && !w.Done {
				t.Errorf("seed %d: %s not done at the end: %s", seed, w.Ref, w.Status)
			}
		}
	}
}

// TestEveryOwnerKindShows: by ReleaseUnderway the demo shows a workload of
// every kind the summary resolves, the DaemonSet and the CronJob among them
// with their owners read (desired counts known) and finished.
func TestEveryOwnerKindShows(t *testing.T) {
	for seed := range uint64(4) {
		c := newTestCluster(seed)
		step(t, c, ReleaseUnderway)
		s := summaryAt(t, c)
		kinds := map[string]*rsum.Workload{}
		for i := range s.Workloads {
			w := &s.Workloads[i]
			kinds[w.Ref.Kind] = w
		}
		for _, kind := range []string{rsum.KindDeployment, rsum.KindStatefulSet, rsum.KindDaemonSet, rsum.KindCronJob, rsum.KindNone} {
			if kinds[kind] == nil {
				t.Errorf("seed %d: no %s workload among %d", seed, kind, len(s.Workloads))
			}
		}
		tests := []struct {
			kind, name, ns, step string
			desired, pods, ready int
			revision             string
		}{
			{rsum.KindDaemonSet, nodeAgentName, "kube-system", "init-config", nodeCount, nodeCount, nodeCount, ""},
			{rsum.KindCronJob, backupName, "payments", "wait-for-postgres", 1, 1, 0, backupName + "-"},
		}
		for _, tt := range tests {
			w := kinds[tt.kind]
			if w == nil {
				continue
			}
			if w.Ref.Name != tt.name || w.Ref.Namespace != tt.ns || w.Inferred {
				t.Errorf("seed %d: %s = %s inferred %v", seed, tt.kind, w.Ref, w.Inferred)
			}
			if w.Desired == nil || int(*w.Desired) != tt.desired || w.Pods != tt.pods || w.Ready != tt.ready || !w.Done || w.Failed {
				t.Errorf("seed %d: %s desired %v pods %d ready %d done %v failed %v (%s)",
					seed, tt.kind, w.Desired, w.Pods, w.Ready, w.Done, w.Failed, w.Status)
			}
			if len(w.Steps) != 1 || w.Steps[0].Name != tt.step || w.Steps[0].Done != tt.pods {
				t.Errorf("seed %d: %s steps = %+v", seed, tt.kind, w.Steps)
			}
			if len(w.Revisions) != 1 || !strings.HasPrefix(w.Revisions[0].Name, tt.revision) {
				t.Errorf("seed %d: %s revisions = %+v", seed, tt.kind, w.Revisions)
			}
		}
	}
}

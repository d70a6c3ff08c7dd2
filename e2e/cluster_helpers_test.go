package e2e

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// clusterNamespace is the start of every test on the whole cluster: the
// shared cluster, its admin client and kubeconfig, a context bounded by
// bound (cancelled when the test ends), and a fresh namespace named after
// prefix.
func clusterNamespace(t *testing.T, prefix string, bound time.Duration) (*controlplane.Cluster, kubernetes.Interface, string, context.Context, string) {
	t.Helper()
	c := shared.Cluster(t)
	cs, err := c.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	kc := adminKubeconfig(t, c.ControlPlane)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	t.Cleanup(cancel)
	ns := unique(prefix)
	ensureNamespace(ctx, t, cs, ns)
	return c, cs, kc, ctx, ns
}

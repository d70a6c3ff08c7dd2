package kube

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	metadatafake "k8s.io/client-go/metadata/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/initwatch/initwatch/rollout"
)

func ownerFixtures() (*appsv1.Deployment, *appsv1.ReplicaSet, *batchv1.Job) {
	replicas := int32(3)
	yes := true
	big := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx",
		Env: []corev1.EnvVar{{Name: "A", Value: "b"}}}}}}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web", UID: "d1", ResourceVersion: "1", Generation: 2,
			Annotations: map[string]string{
				rollout.RevisionAnnotation:                         "2",
				"kubectl.kubernetes.io/last-applied-configuration": "{...a large document...}",
			},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
		Spec:   appsv1.DeploymentSpec{Replicas: &replicas, Template: big},
		Status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 1},
	}
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-6b7f9c", UID: "r2", ResourceVersion: "1",
			Labels:          map[string]string{"app": "web", rollout.PodTemplateHashLabel: "6b7f9c"},
			Annotations:     map[string]string{rollout.RevisionAnnotation: "2", rollout.DesiredReplicasAnnotation: "3"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "d1", Controller: &yes}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, Template: big},
	}
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "nightly-29000000", UID: "j1", ResourceVersion: "1",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly", UID: "c1", Controller: &yes}}},
		Spec: batchv1.JobSpec{Template: big},
	}
	return d, rs, job
}

// ownerConsumer keeps what the batches say of owners.
type ownerConsumer struct {
	owners  *rollout.Owners
	access  *rollout.Access
	synced  bool
	pods    int
	batches int
}

func (c *ownerConsumer) apply(b Batch) {
	c.batches++
	for _, o := range b.Owners {
		c.owners.Upsert(o)
	}
	for _, k := range b.OwnersRemoved {
		c.owners.Remove(k)
	}
	if b.OwnerAccess != nil {
		a := *b.OwnerAccess
		c.access = &a
		c.owners.SetAccess(a)
	}
	c.pods += len(b.Pods())
	c.synced = c.synced || b.Synced
}

func runOwnerSource(t *testing.T, client *fake.Clientset, opts Options) (*ownerConsumer, func(string, func(*ownerConsumer) bool)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Batch)
	errc := make(chan error, 1)
	go func() { errc <- NewInformerSource(client, opts).Run(ctx, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	c := &ownerConsumer{owners: rollout.NewOwners()}
	until := func(what string, cond func(*ownerConsumer) bool) {
		t.Helper()
		deadline := time.After(waitLimit)
		for !cond(c) {
			select {
			case b := <-out:
				c.apply(b)
			case err := <-errc:
				t.Fatalf("waiting for %s: Run returned %v", what, err)
			case <-deadline:
				t.Fatalf("waiting for %s: gave up (%d owners, access %+v, synced %v)", what, c.owners.Len(), c.access, c.synced)
			}
		}
	}
	return c, until
}

func TestOwnersTypedAndTrimmed(t *testing.T) {
	d, rs, job := ownerFixtures()
	pod := newPod("shop", "web-6b7f9c-aaaaa", "1")
	client := fake.NewClientset(d, rs, job, pod)
	c, until := runOwnerSource(t, client, Options{WithOwners: true})
	until("owners synced", func(c *ownerConsumer) bool { return c.synced && c.owners.Len() == 3 && c.access != nil })

	if len(c.access.Refused) != 0 {
		t.Errorf("refused %+v, want none", c.access.Refused)
	}
	got, _ := c.owners.Get(rollout.OwnerKey{Kind: rollout.KindDeployment, Namespace: "shop", Name: "web"})
	dep, ok := got.(*appsv1.Deployment)
	if !ok {
		t.Fatalf("deployment cached as %T", got)
	}
	if len(dep.Spec.Template.Spec.Containers) != 0 || dep.ManagedFields != nil || len(dep.Annotations) != 1 {
		t.Errorf("deployment not trimmed: template %v, managed %v, annotations %v", dep.Spec.Template.Spec.Containers, dep.ManagedFields, dep.Annotations)
	}
	if *dep.Spec.Replicas != 3 || dep.Status.UpdatedReplicas != 1 || dep.Generation != 2 {
		t.Errorf("deployment lost what the summary reads: %+v", dep)
	}
	got, _ = c.owners.Get(rollout.OwnerKey{Kind: rollout.KindReplicaSet, Namespace: "shop", Name: "web-6b7f9c"})
	meta, ok := got.(*metav1.PartialObjectMetadata)
	if !ok {
		t.Fatalf("replicaset cached as %T, want metadata only", got)
	}
	if meta.Annotations[rollout.RevisionAnnotation] != "2" || meta.Labels[rollout.PodTemplateHashLabel] != "6b7f9c" || meta.Labels["app"] != "" {
		t.Errorf("replicaset metadata = %+v", meta.ObjectMeta)
	}
	p := c.owners.Resolve(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop",
		OwnerReferences: rs.OwnerReferences[:0:0]}})
	_ = p
	// A deleted owner is removed.
	if err := client.AppsV1().ReplicaSets("shop").Delete(context.Background(), rs.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	until("replicaset removed", func(c *ownerConsumer) bool { return c.owners.Len() == 2 })
}

func TestOwnersMetadataInformer(t *testing.T) {
	d, rs, _ := ownerFixtures()
	client := fake.NewClientset(d, rs, newPod("shop", "p", "1"))
	scheme := metadatafake.NewTestScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	partial := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"}, ObjectMeta: rs.ObjectMeta}
	md := metadatafake.NewSimpleMetadataClient(scheme, partial)
	c, until := runOwnerSource(t, client, Options{WithOwners: true, Metadata: md})
	until("owners synced", func(c *ownerConsumer) bool { return c.synced && c.owners.Len() == 2 })
	got, ok := c.owners.Get(rollout.OwnerKey{Kind: rollout.KindReplicaSet, Namespace: "shop", Name: "web-6b7f9c"})
	if !ok {
		t.Fatal("replicaset from the metadata informer missing")
	}
	if m, ok := got.(*metav1.PartialObjectMetadata); !ok || m.Kind != rollout.KindReplicaSet || len(m.OwnerReferences) != 1 {
		t.Errorf("replicaset = %#v", got)
	}
	var listed bool
	for _, a := range md.Actions() {
		if a.GetVerb() == "list" && a.GetResource().Resource == "replicasets" {
			listed = true
		}
	}
	if !listed {
		t.Error("replicasets were not listed through the metadata client")
	}
}

// RBAC refusing ReplicaSets and Deployments: pods still flow, the source
// says which kinds it could not read, and nothing fails or waits.
func TestOwnersForbiddenFallBack(t *testing.T) {
	d, rs, job := ownerFixtures()
	client := fake.NewClientset(d, rs, job, newPod("shop", "web-6b7f9c-aaaaa", "1"))
	for _, res := range []string{"replicasets", "deployments"} {
		client.PrependReactor("list", res, func(a k8stesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(a.GetResource().GroupResource(), "", nil)
		})
	}
	var writes int
	client.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		switch a.GetVerb() {
		case "get", "list", "watch":
		default:
			writes++
		}
		return false, nil, nil
	})
	c, until := runOwnerSource(t, client, Options{WithOwners: true})
	until("synced with refusals", func(c *ownerConsumer) bool { return c.synced && c.access != nil && c.pods == 1 && c.owners.Len() == 1 })
	want := []rollout.Refusal{
		{Kind: rollout.KindDeployment, Reason: "forbidden"},
		{Kind: rollout.KindReplicaSet, Reason: "forbidden"},
	}
	if len(c.access.Refused) != len(want) {
		t.Fatalf("refused %+v, want %+v", c.access.Refused, want)
	}
	for i := range want {
		if c.access.Refused[i] != want[i] {
			t.Errorf("refusal %d = %+v, want %+v", i, c.access.Refused[i], want[i])
		}
	}
	if lines := c.access.Lines(); len(lines) != 2 || lines[1] != "cannot read ReplicaSets in all namespaces (forbidden): Deployments and revisions inferred from pods' ownerReferences and pod-template-hash" {
		t.Errorf("lines = %q", lines)
	}
	if writes != 0 {
		t.Errorf("%d writes to the cluster", writes)
	}
}

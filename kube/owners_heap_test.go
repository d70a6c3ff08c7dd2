package kube

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/initwatch/initwatch/rollout"
)

// heapCluster is 10,000 pods in 200 Deployments, each with the ReplicaSets
// a Deployment keeps (its revision history: 10) and full-size templates.
func heapCluster() *fake.Clientset {
	yes := true
	var objs []k8sruntime.Object
	replicas := int32(50)
	template := corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "init", Image: "init:1", Command: []string{"sh", "-c", "echo a long enough command line to weigh something"}}},
		Containers:     []corev1.Container{{Name: "app", Image: "app:1", Env: []corev1.EnvVar{{Name: "A", Value: "b"}, {Name: "C", Value: "d"}}}},
	}}
	for w := range 200 {
		name := fmt.Sprintf("app-%03d", w)
		objs = append(objs, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: "d-" + k8stypesUID(name),
				Annotations: map[string]string{rollout.RevisionAnnotation: "10", "kubectl.kubernetes.io/last-applied-configuration": string(make([]byte, 2048))}},
			Spec: appsv1.DeploymentSpec{Replicas: &replicas, Template: template}})
		for rev := 1; rev <= 10; rev++ {
			rs := fmt.Sprintf("%s-h%d", name, rev)
			n := int32(0)
			if rev == 10 {
				n = 50
			}
			objs = append(objs, &appsv1.ReplicaSet{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: rs, UID: "r-" + k8stypesUID(rs),
					Labels:          map[string]string{rollout.PodTemplateHashLabel: fmt.Sprintf("h%d", rev), "app": name},
					Annotations:     map[string]string{rollout.RevisionAnnotation: fmt.Sprint(rev)},
					OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: name, Controller: &yes}}},
				Spec: appsv1.ReplicaSetSpec{Replicas: &n, Template: template}})
		}
		for i := range 50 {
			p := newPod("ns", fmt.Sprintf("%s-h10-%05d", name, i), "1")
			p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: name + "-h10", Controller: &yes}}
			objs = append(objs, p)
		}
	}
	return fake.NewClientset(objs...)
}

func k8stypesUID(s string) k8stypes.UID { return k8stypes.UID(s) }

// heapAfterSync runs the source until synced and returns the live heap it
// added, holding what a consumer holds (the batches' pods and owners).
func heapAfterSync(b *testing.B, client *fake.Clientset, owners bool) uint64 {
	b.Helper()
	before := liveHeap()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Batch)
	errc := make(chan error, 1)
	go func() { errc <- NewInformerSource(client, Options{WithOwners: owners}).Run(ctx, out) }()
	pods := map[PodKey]*corev1.Pod{}
	store := rollout.NewOwners()
	for synced := false; !synced; {
		bt := <-out
		for _, p := range bt.Pods() {
			pods[PodKey{Namespace: p.Namespace, Name: p.Name}] = p
		}
		for _, o := range bt.Owners {
			store.Upsert(o)
		}
		synced = bt.Synced
	}
	after := liveHeap()
	runtime.KeepAlive(pods)
	runtime.KeepAlive(store)
	cancel()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	return after - min(after, before)
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkOwnerInformersHeap reports the live heap the source holds at
// 10,000 pods without and with the owner informers (200 Deployments, 2,000
// ReplicaSets), and the ratio: the owners' cost against the pods'.
func BenchmarkOwnerInformersHeap(b *testing.B) {
	client := heapCluster()
	var without, with uint64
	for b.Loop() {
		without = heapAfterSync(b, client, false)
		with = heapAfterSync(b, client, true)
	}
	b.ReportMetric(float64(without)/(1<<20), "MiB-pods")
	b.ReportMetric(float64(with)/(1<<20), "MiB-pods+owners")
	b.ReportMetric(100*(float64(with)/float64(without)-1), "%-added")
}

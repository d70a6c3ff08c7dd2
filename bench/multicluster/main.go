// Command multicluster measures what watching several clusters costs
// initwatch's data path: N clusters of P pods each, every cluster behind its
// own informer source (kube.NewInformerSource, trimmed and stamped objects)
// merged by kube.MultiSource, and the pods kept in a map by key as the TUI's
// store does. The clusters are client-go fake clientsets, so the run needs
// no apiserver and stays short on a shared machine; their own copies of
// the pods are measured before the sources start and left out.
//
// It prints, for 1 and for N clusters: the heap and RSS the sources and the
// consumer add, per pod, and the ratio N-clusters / 1-cluster; then, with
// one more cluster that never answers, how long each answering cluster's
// pods took to appear.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/initwatch/initwatch/kube"
)

func main() {
	clusters := flag.Int("clusters", 3, "clusters watched together")
	pods := flag.Int("pods", 10000, "pods per cluster")
	flag.Parse()
	if err := run(*clusters, *pods); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(n, pods int) error {
	one, err := measure(1, pods, false)
	if err != nil {
		return err
	}
	many, err := measure(n, pods, false)
	if err != nil {
		return err
	}
	fmt.Printf("clusters  pods    heap MiB  RSS MiB  heap B/pod  synced in\n")
	for _, m := range []result{one, many} {
		fmt.Printf("%-9d %-7d %-9.1f %-8.1f %-11d %s\n", m.clusters, m.pods, mib(m.heap), mib(m.rss), m.heap/uint64(m.pods), m.synced.Round(time.Millisecond))
	}
	fmt.Printf("ratio %d clusters / 1 cluster: heap %.2fx, RSS %.2fx (bound: %dx)\n",
		n, float64(many.heap)/float64(one.heap), float64(many.rss)/float64(one.rss), n)
	silent, err := measure(n, pods, true)
	if err != nil {
		return err
	}
	fmt.Printf("with a cluster that never answers: ")
	var parts []string
	for i, d := range silent.firstPods {
		parts = append(parts, fmt.Sprintf("c%d's pods after %s", i, d.Round(time.Millisecond)))
	}
	fmt.Println(strings.Join(parts, ", ") + "; all answering clusters synced after " + silent.synced.Round(time.Millisecond).String())
	return nil
}

type result struct {
	clusters, pods int
	heap, rss      uint64
	synced         time.Duration
	firstPods      []time.Duration
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// measure fills n fake clusters, then runs the merged source until every
// cluster has synced all its pods. With silent, one more cluster never
// answers.
func measure(n, pods int, silent bool) (result, error) {
	r := result{clusters: n, pods: n * pods}
	clients := make([]*fake.Clientset, n)
	for i := range clients {
		c, err := fill(pods)
		if err != nil {
			return r, err
		}
		clients[i] = c
	}
	heap0, rss0 := heapInUse(), rss()
	var cs []kube.Cluster
	if silent {
		cs = append(cs, kube.Cluster{Context: "silent", New: func() (kube.PodSource, error) { return neverAnswers{}, nil }})
	}
	for i, c := range clients {
		name := "c" + strconv.Itoa(i)
		cs = append(cs, kube.Cluster{Context: name, New: func() (kube.PodSource, error) {
			return kube.NewInformerSource(c, kube.Options{Context: name}), nil
		}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := make(chan kube.Batch)
	errc := make(chan error, 1)
	start := time.Now()
	go func() { errc <- kube.NewMultiSource(cs).Run(ctx, out) }()
	store := map[kube.PodKey]*kube.PackedPod{}
	counts := map[string]int{}
	synced := map[string]bool{}
	r.firstPods = make([]time.Duration, n)
	for len(synced) < n || len(store) < n*pods {
		select {
		case b := <-out:
			for _, p := range b.Packed {
				store[p.Key()] = p
			}
			for _, k := range b.Removed {
				delete(store, k)
			}
			if len(b.Upserted)+len(b.Packed) > 0 && counts[b.Context] == 0 {
				if i, err := strconv.Atoi(strings.TrimPrefix(b.Context, "c")); err == nil {
					r.firstPods[i] = time.Since(start)
				}
			}
			counts[b.Context] += len(b.Upserted) + len(b.Packed)
			if b.Synced && b.Context != "silent" {
				synced[b.Context] = true
			}
		case err := <-errc:
			return r, fmt.Errorf("source stopped: %v", err)
		case <-ctx.Done():
			return r, fmt.Errorf("%d clusters: have %d pods: %w", n, len(store), ctx.Err())
		}
	}
	r.synced = time.Since(start)
	r.heap = heapInUse() - heap0
	r.rss = rss() - rss0
	runtime.KeepAlive(store)
	runtime.KeepAlive(clients)
	cancel()
	for {
		select {
		case <-out:
		case <-errc:
			return r, nil
		}
	}
}

type neverAnswers struct{}

func (neverAnswers) Run(ctx context.Context, _ chan<- kube.Batch) error {
	<-ctx.Done()
	return nil
}

// fill builds a fake cluster with pods spread over 20 namespaces, each with
// two init containers and an app container, half of them initializing.
func fill(n int) (*fake.Clientset, error) {
	c := fake.NewSimpleClientset() //nolint:staticcheck // the field-managed tracker is far slower to fill
	gvr := schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	for i := range n {
		ns := "ns-" + strconv.Itoa(i%20)
		name := fmt.Sprintf("web-%d-%05d", i%50, i)
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(fmt.Sprintf("uid-%d", i)),
				ResourceVersion: "1", Labels: map[string]string{"app": fmt.Sprintf("web-%d", i%50)},
				CreationTimestamp: metav1.NewTime(time.Now().Add(-time.Hour))},
			Spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "wait-db", Image: "busybox:1.36"}, {Name: "migrate", Image: "migrate:v4"}},
				Containers:     []corev1.Container{{Name: "app", Image: "ghcr.io/acme/web:1.0"}},
				NodeName:       "node-" + strconv.Itoa(i%100),
			},
			Status: corev1.PodStatus{Phase: corev1.PodPending, InitContainerStatuses: []corev1.ContainerStatus{
				{Name: "wait-db", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}},
				{Name: "migrate", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			}},
		}
		if err := c.Tracker().Create(gvr, p, ns); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rss is the process's resident set (Linux), 0 elsewhere.
func rss() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Command heapsize measures the Go heap a pod watcher holds per pod once its
// informers have synced: initwatch's kube source (trimmed objects, as the
// TUI keeps them) or, for comparison, a plain client-go informer.
//
// It prints "<bytes per pod> <pods>" on stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/initwatch/initwatch/kube"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	mode := flag.String("mode", "initwatch", "initwatch (kube.NewInformerSource) or informer (plain client-go)")
	want := flag.Int("pods", 0, "pods to wait for")
	flag.Parse()
	if err := run(*kubeconfig, *mode, *want); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, mode string, want int) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("build client: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	before := heapInUse()
	var held any
	var n int
	switch mode {
	case "initwatch":
		held, n, err = syncSource(ctx, cs, want)
	case "informer":
		held, n, err = syncInformer(ctx, cs, want)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return err
	}
	after := heapInUse()
	runtime.KeepAlive(held)
	fmt.Printf("%d %d\n", (int64(after)-int64(before))/int64(n), n)
	return nil
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// syncSource runs initwatch's source and keeps its pods in a map by key,
// as the TUI's store does, until want pods are there and the source synced.
// The source keeps running (its informers hold the pods) while the heap is
// measured; the returned value keeps the map alive.
func syncSource(ctx context.Context, cs kubernetes.Interface, want int) (any, int, error) {
	src := kube.NewInformerSource(cs, kube.Options{})
	out := make(chan kube.Batch)
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, out) }()
	// What the TUI keeps: the packed pods the source sends.
	pods := map[kube.PodKey]*kube.PackedPod{}
	synced := false
	for !synced || len(pods) < want {
		select {
		case b := <-out:
			for _, p := range b.Packed {
				pods[p.Key()] = p
			}
			for _, k := range b.Removed {
				delete(pods, k)
			}
			synced = synced || b.Synced
		case err := <-errc:
			if err == nil {
				err = errors.New("source stopped")
			}
			return nil, 0, err
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("waiting for %d pods, have %d: %w", want, len(pods), ctx.Err())
		}
	}
	return pods, len(pods), nil
}

// syncInformer is what a tool without a transform holds: client-go's pod
// informer, whole objects.
func syncInformer(ctx context.Context, cs kubernetes.Interface, want int) (any, int, error) {
	f := informers.NewSharedInformerFactory(cs, 0)
	inf := f.Core().V1().Pods().Informer()
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return nil, 0, errors.New("informer did not sync")
	}
	n := len(inf.GetStore().ListKeys())
	if n < want {
		return nil, 0, fmt.Errorf("informer holds %d pods, want %d", n, want)
	}
	return inf, n, nil
}

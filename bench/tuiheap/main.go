// Command tuiheap measures the Go heap initwatch's terminal UI holds per pod:
// the real data path in one process — the informer source built as the CLI
// builds it (protobuf clientset, all namespaces, pods; events as -events
// says: "focused", as the CLI does, watches none until a pod detail opens;
// "all" keeps every event about a pod, as initwatch did before), its
// batches folded into the TUI's root model, a 160×40 window; owners watched
// as the CLI watches them unless -owners=false — until the model's header
// counts every pod. The live heap after a full collection,
// minus the live heap before the source started, divided by the pods, is the
// figure. bench/tuiscale runs it; it prints "<bytes per pod> <live heap
// bytes> <pods>".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	want := flag.Int("pods", 0, "pods to wait for")
	events := flag.String("events", "focused", "events watched: focused (one pod's, as the CLI) or all")
	owners := flag.Bool("owners", true, "watch the pods' owners, as the CLI does (false: pods alone)")
	memprofile := flag.String("memprofile", "", "write a heap profile here once every pod is in")
	flag.Parse()
	if err := run(*kubeconfig, *want, *events, *owners, *memprofile); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(kubeconfig string, want int, events string, owners bool, memprofile string) error {
	if want <= 0 {
		return errors.New("-pods must be positive")
	}
	if events != "focused" && events != "all" {
		return fmt.Errorf("-events %q: want focused or all", events)
	}
	flags := kube.NewConfigFlags("bench")
	flags.Kubeconfig = kubeconfig
	opts, err := flags.SourceOptions()
	if err != nil {
		return err
	}
	opts.FocusedEvents = events == "focused"
	opts.WithEvents = events == "all"
	opts.WithOwners = owners
	cs, err := flags.Clientset()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	before := liveHeap()
	src := kube.NewInformerSource(cs, opts)
	var m tea.Model = tui.NewApp(tui.Options{Source: src})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	out := make(chan kube.Batch)
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, out) }()
	total := strconv.Itoa(want) + " total"
	for !strings.Contains(m.View(), total) {
		select {
		case b := <-out:
			m, _ = m.Update(tui.BatchMsg{Batch: b, At: time.Now()})
		case err := <-errc:
			if err == nil {
				err = errors.New("source stopped")
			}
			return err
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d pods: %w", want, ctx.Err())
		}
	}
	after := liveHeap()
	if memprofile != "" {
		if err := writeHeapProfile(memprofile); err != nil {
			return err
		}
	}
	runtime.KeepAlive(m)
	held := int64(after) - int64(before)
	fmt.Printf("%d %d %d\n", held/int64(want), after, want)
	return nil
}

// liveHeap is the heap still reachable after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// writeHeapProfile writes the heap profile as of the last collection.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return fmt.Errorf("heap profile %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("heap profile %s: %w", path, err)
	}
	return nil
}

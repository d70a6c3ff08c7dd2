package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// probe is one latency sample: a new restart count written into a target
// pod, and when each party knew about it.
type probe struct {
	sent    time.Time // just before the write request left
	acked   time.Time // the apiserver answered: the write is committed
	watched time.Time // a bare watch of the targets in the driver received it
	// watchedAll is when a bare watch of every pod, as initwatch watches
	// (protobuf, all namespaces), received it.
	watchedAll time.Time
	// tapped is when initwatch's own connection delivered it (watchTap):
	// received from the apiserver, then passed on to initwatch.
	tapped tapStamp
	shown  time.Time // the first frame whose row for the pod shows it
}

// never marks a span whose end never came.
const never = time.Duration(math.MinInt64)

// Spans of a probe (never when an end is missing).
func (p probe) screenAfterAck() time.Duration  { return span(p.acked, p.shown) }
func (p probe) screenAfterSend() time.Duration { return span(p.sent, p.shown) }
func (p probe) watchAfterAck() time.Duration   { return span(p.acked, p.watched) }
func (p probe) watchAllAfterAck() time.Duration {
	return span(p.acked, p.watchedAll)
}
func (p probe) screenAfterWatchAll() time.Duration {
	return span(p.watchedAll, p.shown)
}
func (p probe) deliveredAfterAck() time.Duration { return span(p.acked, p.tapped.received) }
func (p probe) screenAfterDelivered() time.Duration {
	return span(p.tapped.passed, p.shown)
}
func (p probe) tapDelay() time.Duration { return span(p.tapped.received, p.tapped.passed) }

func span(from, to time.Time) time.Duration {
	if from.IsZero() || to.IsZero() {
		return never
	}
	return to.Sub(from)
}

// latencyRun is one run of the write→screen measurement.
type latencyRun struct {
	probes    []probe
	load      *writeLoad
	probeErrs int
	// What initwatch used under the load: share of a core, and its
	// resident set at the end.
	cpu float64
	// machineBusy is the share of all the machine's cores in use meanwhile.
	machineBusy float64
	mem         memory
	// watchRestarts counts the bare watches started again mid-run.
	watchRestarts int64
	// initwatchWatches counts initwatch's watches of all pods (one unless
	// the apiserver ended it and initwatch watched again).
	initwatchWatches int
}

// runLatency starts the TUI filtered to the latency targets, puts the write
// load on the other pods, and every probe interval writes a new restart
// count into one target. Each probe records when the write was sent and
// acknowledged, when a bare watch saw it, and the frame that showed it.
func (b *bench) runLatency(n, rate int, seed uint64) (latencyRun, error) {
	var r latencyRun
	tap, err := startTap(b.c.cp.AdminConfig(), filepath.Join(b.tmp, "tap.kubeconfig"))
	if err != nil {
		return r, err
	}
	defer tap.close()
	t, err := startTerm([]string{b.o.initwatch, "--kubeconfig", tap.kubeconfig, "-A"}, b.tuiEnv(), b.o.rows, b.o.cols)
	if err != nil {
		return r, err
	}
	defer b.stopTerm(t)
	if _, err := t.waitFor(fmt.Sprintf("initwatch to show %d pods", n), initwatchShowsAll(n), b.o.frameTimeout); err != nil {
		return r, err
	}
	if _, err := t.send("/"); err != nil {
		return r, err
	}
	if _, err := t.waitFor("the filter prompt", filterPrompt, 10*time.Second); err != nil {
		return r, err
	}
	if _, err := t.send(targetQuery + "\r"); err != nil {
		return r, err
	}
	var names []string
	for _, i := range b.c.targets {
		names = append(names, b.c.pods[i].name)
	}
	if _, err := t.waitFor("the latency targets on screen", allRows(names), 30*time.Second); err != nil {
		return r, err
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	seen, err := b.c.watchPods(ctx, b.c.probe, targetQuery)
	if err != nil {
		return r, err
	}
	seenAll, err := b.c.watchPods(ctx, b.c.watcher, "")
	if err != nil {
		return r, err
	}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	loadDone := make(chan *writeLoad, 1)
	go func() { loadDone <- b.c.runWriteLoad(loadCtx, rate, b.o.writers, seed) }()
	// Let the load reach its pace before the first probe.
	time.Sleep(time.Second)
	cpu0, cpuErr := cpuTime(t.pid())
	mach0, machErr := readMachineTimes()
	t0 := time.Now()

	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(b.o.probeEvery)
	end := time.After(b.o.latencyFor)
loop:
	for {
		select {
		case <-end:
			break loop
		case <-tick.C:
		}
		b.probeSeq++
		k := b.c.targets[b.probeSeq%len(b.c.targets)]
		v := int32(1000 + b.probeSeq)
		name := b.c.pods[k].name
		shown, cancel := t.watch(rowShows(name, strconv.Itoa(int(v))))
		watched, watchedAll := seen.expect(name, v), seenAll.expect(name, v)
		tapped := tap.seen.expect(name, v)
		wg.Go(func() {
			defer cancel()
			pctx, done := context.WithTimeout(ctx, b.o.probeTimeout)
			defer done()
			var p probe
			p.sent = time.Now()
			if err := b.c.setRestarts(pctx, b.c.probe, k, v); err != nil {
				mu.Lock()
				r.probeErrs++
				mu.Unlock()
				return
			}
			p.acked = time.Now()
			for shown != nil || watched != nil || watchedAll != nil || tapped != nil {
				select {
				case at := <-shown:
					p.shown, shown = at, nil
				case at := <-watched:
					p.watched, watched = at, nil
				case at := <-watchedAll:
					p.watchedAll, watchedAll = at, nil
				case st := <-tapped:
					p.tapped, tapped = st, nil
				case <-pctx.Done():
					shown, watched, watchedAll, tapped = nil, nil, nil, nil
				}
			}
			mu.Lock()
			r.probes = append(r.probes, p)
			mu.Unlock()
		})
	}
	tick.Stop()
	// The last probes finish under load too.
	wg.Wait()
	cpu1, err := cpuTime(t.pid())
	if mach1, err := readMachineTimes(); err == nil && machErr == nil {
		r.machineBusy = busySince(mach0, mach1)
	}
	if err = errors.Join(cpuErr, err); err == nil {
		r.cpu = float64(cpu1-cpu0) / float64(time.Since(t0))
		r.mem, err = readMemory(t.pid())
	}
	stopLoad()
	r.load = <-loadDone
	r.watchRestarts = seen.restarts.Load() + seenAll.restarts.Load()
	if err != nil {
		return r, err
	}
	if err := tap.problems(); err != nil {
		return r, err
	}
	tap.mu.Lock()
	r.initwatchWatches = tap.streams
	tap.mu.Unlock()
	return r, nil
}

// podWatch is a bare client-go watch in the driver, from the current
// resourceVersion on: the earliest a watcher of that scope could learn of a
// probe, the baseline the screen is compared with.
type podWatch struct {
	restarts atomic.Int64
	arrivals[time.Time]
}

// watchPods watches the pods matching selector ("" for all) with cs. A
// watch the apiserver ends (a busy watch cache can refuse a fresh
// resourceVersion for a while) is started again; probes written meanwhile
// have no baseline, and the report counts the restarts.
func (c *cluster) watchPods(ctx context.Context, cs kubernetes.Interface, selector string) (*podWatch, error) {
	pods := cs.CoreV1().Pods("")
	start := func() (watch.Interface, error) {
		list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: selector, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("list pods to watch: %w", err)
		}
		w, err := pods.Watch(ctx, metav1.ListOptions{LabelSelector: selector, ResourceVersion: list.ResourceVersion})
		if err != nil {
			return nil, fmt.Errorf("watch pods: %w", err)
		}
		return w, nil
	}
	w, err := start()
	if err != nil {
		return nil, err
	}
	tw := &podWatch{}
	targets := map[string]bool{}
	for _, i := range c.targets {
		targets[c.pods[i].name] = true
	}
	go func() {
		for {
			for ev := range w.ResultChan() {
				at := time.Now()
				if ev.Type == watch.Error {
					break
				}
				pod, ok := ev.Object.(*corev1.Pod)
				if !ok || ev.Type != watch.Modified || !targets[pod.Name] || len(pod.Status.InitContainerStatuses) == 0 {
					continue
				}
				tw.saw(pod.Name, pod.Status.InitContainerStatuses[0].RestartCount, at)
			}
			w.Stop()
			for {
				if ctx.Err() != nil {
					return
				}
				tw.restarts.Add(1)
				if w, err = start(); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()
	return tw, nil
}

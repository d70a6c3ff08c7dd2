package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Labels of the start-up comparison.
const (
	labelTUI     = "initwatch (TUI, first full frame)"
	labelList    = "client-go LIST, bare (bench/listpods)"
	labelKubectl = "kubectl get pods -A"
	labelGet     = "initwatch get -A"
	labelK9s     = "k9s v0.50.16 (first full list)"
)

// sizeResult is everything measured at one pod count.
type sizeResult struct {
	pods, runs int
	events     int // events about the pods in the cluster
	startup    map[string][]time.Duration
	// Terminal programs, by "initwatch" / "k9s".
	rss, peak map[string][]int64
	cpu       map[string][]float64
	heapPod   []int64
	heapTotal []int64
	// The same with every event kept (tuiheap -events all).
	heapPodAll, heapTotalAll []int64
	// Filter keystrokes, pooled over runs.
	keyFirst, keySecond []time.Duration
	matchFirst          int
	matchSecond         int
	// Write → screen, one per write rate: the target's rate first.
	latency []*latencyResult
	k9sErr  string
}

// latencyResult is the write → screen measurement at one write rate.
type latencyResult struct {
	rate int // status writes/s asked for
	// Probes, pooled over runs.
	probes        []probe
	writeRates    []float64
	writeFailed   int64
	writeDropped  int64
	probeErrs     int
	watchRestarts int64
	// initwatchRewatches counts initwatch's watches of all pods beyond the
	// first of each run.
	initwatchRewatches int
	loadCPU            []float64 // initwatch during the runs
	machineBusy        []float64 // the whole machine, share of all cores
	loadRSS            []int64
}

// latencyAt returns the result at the target's write rate, or nil.
func (r *sizeResult) latencyAt(rate int) *latencyResult {
	for _, l := range r.latency {
		if l.rate == rate {
			return l
		}
	}
	return nil
}

func newSizeResult(n, runs int) *sizeResult {
	return &sizeResult{
		pods: n, runs: runs,
		startup: map[string][]time.Duration{},
		rss:     map[string][]int64{}, peak: map[string][]int64{},
		cpu: map[string][]float64{},
	}
}

// step is one thing measured in a run.
type step struct {
	name string
	run  func() error
}

// measure runs every measurement at n pods.
func (b *bench) measure(n int) (*sizeResult, error) {
	runs := b.o.runs
	if n >= 10000 {
		runs = b.o.runsLarge
	}
	huge := n > targetPods
	if huge {
		// 50,000 pods: kubectl alone takes some 20 s a start; the
		// latency is measured on the replay (no apiserver in the way).
		runs = b.o.runsHuge
	}
	frames := b.o.frames
	if huge {
		frames = 1
	}
	res := newSizeResult(n, runs)
	res.events = b.c.events
	res.matchFirst = b.c.matching(b.o.filterQuery[:1])
	res.matchSecond = b.c.matching(b.o.filterQuery[:2])
	kc := b.c.kubeconfig

	oneShot := func(label string, argv []string, count func(string) int) step {
		return step{label, func() error {
			for range frames {
				d, out, err := timed(argv)
				if err != nil {
					return err
				}
				if got := count(out); got != n {
					return fmt.Errorf("%s reported %d pods, want %d", label, got, n)
				}
				res.startup[label] = append(res.startup[label], d)
			}
			return nil
		}}
	}
	steps := []step{
		{labelTUI, func() error {
			// Extra starts timed to the first full frame only; the last
			// one goes on to the idle and keystroke measurements.
			for range frames - 1 {
				d, err := b.firstFrame(n)
				if err != nil {
					return err
				}
				res.startup[labelTUI] = append(res.startup[labelTUI], d)
			}
			s, err := b.runInitwatch(n)
			if err != nil {
				return err
			}
			res.startup[labelTUI] = append(res.startup[labelTUI], s.firstFrame)
			res.rss["initwatch"] = append(res.rss["initwatch"], s.mem.rss)
			res.peak["initwatch"] = append(res.peak["initwatch"], s.mem.peak)
			res.cpu["initwatch"] = append(res.cpu["initwatch"], s.cpu)
			res.keyFirst = append(res.keyFirst, s.keyFirst...)
			res.keySecond = append(res.keySecond, s.keySecond...)
			return nil
		}},
		oneShot(labelList, []string{b.o.listpods, "-kubeconfig", kc}, firstNumber),
		oneShot(labelKubectl, []string{b.o.kubectl, "get", "pods", "-A", "--no-headers", "--kubeconfig", kc}, lineCount),
		oneShot(labelGet, []string{b.o.initwatch, "get", "-A", "--no-headers", "--kubeconfig", kc}, lineCount),
	}
	if b.o.k9s != "" {
		steps = append(steps, step{labelK9s, func() error {
			s, err := b.runK9s(n)
			if err != nil {
				return err
			}
			res.startup[labelK9s] = append(res.startup[labelK9s], s.firstFrame)
			res.rss["k9s"] = append(res.rss["k9s"], s.mem.rss)
			res.peak["k9s"] = append(res.peak["k9s"], s.mem.peak)
			res.cpu["k9s"] = append(res.cpu["k9s"], s.cpu)
			return nil
		}})
	}

	if b.o.part("startup") {
		if err := b.measureStartup(n, runs, res, steps); err != nil {
			return nil, err
		}
	}
	if b.o.part("heap") {
		if err := b.measureHeap(n, res); err != nil {
			return nil, err
		}
	}
	if b.o.part("latency") && !huge {
		if err := b.measureLatency(n, runs, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// measureStartup runs the start-up comparison, idle and keystroke steps.
func (b *bench) measureStartup(n, runs int, res *sizeResult, steps []step) error {
	// One unmeasured pass warms the apiserver's caches and the page cache
	// (binaries, kubeconfig) for every program.
	logf("%d pods: warm-up pass", n)
	if err := b.warmUp(n); err != nil {
		return err
	}
	for r := range runs {
		// Rotate the order so no program always runs first or last.
		for k := range steps {
			s := steps[(k+r)%len(steps)]
			if s.name == labelK9s && res.k9sErr != "" {
				continue
			}
			logf("%d pods: run %d/%d: %s", n, r+1, runs, s.name)
			if err := s.run(); err != nil {
				if s.name == labelK9s {
					// k9s is a baseline: its failure is reported, the rest
					// of the benchmark goes on.
					res.k9sErr = oneLine(err.Error())
					logf("k9s failed, no k9s baseline at %d pods: %v", n, err)
					continue
				}
				return fmt.Errorf("%d pods, run %d, %s: %w", n, r+1, s.name, err)
			}
			time.Sleep(2 * time.Second) // let the apiserver drop the last client's watches
		}
	}
	return nil
}

// measureHeap runs bench/tuiheap three times.
func (b *bench) measureHeap(n int, res *sizeResult) error {
	logf("%d pods: Go heap per pod (bench/tuiheap)", n)
	modes := []string{"focused", "focused", "focused"}
	if b.c.events > 0 {
		modes = append(modes, "all", "all", "all")
	}
	for _, mode := range modes {
		_, out, err := timed([]string{b.o.tuiheap, "-kubeconfig", b.c.kubeconfig, "-pods", strconv.Itoa(n), "-events", mode})
		if err != nil {
			return err
		}
		f := strings.Fields(out)
		if len(f) != 3 {
			return fmt.Errorf("tuiheap printed %q", out)
		}
		perPod, err1 := strconv.ParseInt(f[0], 10, 64)
		total, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("tuiheap printed %q", out)
		}
		if mode == "all" {
			res.heapPodAll = append(res.heapPodAll, perPod)
			res.heapTotalAll = append(res.heapTotalAll, total)
			continue
		}
		res.heapPod = append(res.heapPod, perPod)
		res.heapTotal = append(res.heapTotal, total)
	}
	return nil
}

// measureLatency runs the write → screen measurement.
func (b *bench) measureLatency(n, runs int, res *sizeResult) error {
	for _, rate := range b.o.writeRates() {
		l := &latencyResult{rate: rate}
		res.latency = append(res.latency, l)
		for r := range runs {
			logf("%d pods: latency run %d/%d (%d writes/s for %s)", n, r+1, runs, rate, b.o.latencyFor)
			lr, err := b.runLatency(n, rate, uint64(n*100+r))
			if err != nil {
				return fmt.Errorf("%d pods, latency run %d at %d writes/s: %w", n, r+1, rate, err)
			}
			l.probes = append(l.probes, lr.probes...)
			l.writeRates = append(l.writeRates, lr.load.achieved())
			l.writeFailed += lr.load.failed.Load()
			l.writeDropped += lr.load.dropped.Load()
			l.probeErrs += lr.probeErrs
			l.watchRestarts += lr.watchRestarts
			l.initwatchRewatches += max(lr.initwatchWatches-1, 0)
			l.loadCPU = append(l.loadCPU, lr.cpu)
			l.machineBusy = append(l.machineBusy, lr.machineBusy)
			l.loadRSS = append(l.loadRSS, lr.mem.rss)
			if e := lr.load.firstErr.Load(); e != nil && b.o.verbose {
				logf("first write error: %v", *e)
			}
			// Let the apiserver work off the load (its watch cache catches
			// up) before the next run starts its watches.
			time.Sleep(5 * time.Second)
		}
		slices.Sort(l.writeRates)
	}
	return nil
}

// warmUp runs each program once, unmeasured.
func (b *bench) warmUp(n int) error {
	kc := b.c.kubeconfig
	for _, argv := range [][]string{
		{b.o.listpods, "-kubeconfig", kc},
		{b.o.kubectl, "get", "pods", "-A", "--no-headers", "--kubeconfig", kc},
		{b.o.initwatch, "get", "-A", "--no-headers", "--kubeconfig", kc},
	} {
		if _, _, err := timed(argv); err != nil {
			return err
		}
	}
	t, err := startTerm([]string{b.o.initwatch, "--kubeconfig", kc, "-A"}, b.tuiEnv(), b.o.rows, b.o.cols)
	if err != nil {
		return err
	}
	_, err = t.waitFor("initwatch (warm-up)", initwatchShowsAll(n), b.o.frameTimeout)
	b.stopTerm(t)
	if err != nil {
		return err
	}
	if b.o.k9s != "" {
		t, err := startTerm([]string{b.o.k9s, "--kubeconfig", kc, "-A", "-c", "pods", "--readonly", "--splashless"}, b.tuiEnv(), b.o.rows, b.o.cols)
		if err != nil {
			return err
		}
		if _, err := t.waitFor("k9s (warm-up)", k9sShowsAll(n), b.o.frameTimeout); err != nil {
			logf("k9s warm-up failed: %v", err)
		}
		b.stopTerm(t)
	}
	time.Sleep(2 * time.Second)
	return nil
}

// oneLine keeps the first line of an error for the report.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

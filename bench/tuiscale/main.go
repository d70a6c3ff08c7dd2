// Command tuiscale is initwatch's scale benchmark (make bench). It starts a
// real etcd + kube-apiserver (the e2e harness), loads 1,000 then 10,000 pods
// with four init containers each over 20 namespaces (created in parallel,
// then their statuses written through the status subresource in a spread of
// init states), runs the real initwatch binary in a pseudo-terminal of a
// fixed size and measures, as medians over several runs with the baselines
// measured in the same run:
//
//  1. start → the first frame that shows all N pods, next to a bare client-go
//     LIST of all pods, `kubectl get pods -A`, `initwatch get -A` and k9s;
//  2. the resident set once idle, and the Go heap held per pod;
//  3. CPU while nothing changes;
//  4. status write in the apiserver → the changed row on screen, p50/p99,
//     while 1,000 status writes a second hit other pods;
//  5. one filter keystroke → the frame with the filtered list, plus the Go
//     benchmarks of package tui.
//
// It reads screens with a small terminal emulator (vt.go), so what it times
// is what a user would see. It prints the results and writes BENCHMARKS.md.
// Run it through bench/run.sh (make bench), which builds the binaries.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/kube"
)

type options struct {
	sizes                []int
	runs, runsLarge      int
	runsHuge             int
	frames               int // start-up samples per program and run
	namespaces, parallel int

	settle, idle, frameTimeout time.Duration
	keystrokes                 int
	filterQuery                string

	writeRate, writers int
	// calmRate is a second, lower write rate measured after writeRate:
	// one the apiserver absorbs on the machine (0: none).
	calmRate                             int
	latencyFor, probeEvery, probeTimeout time.Duration

	rows, cols int

	initwatch, listpods, tuiheap, kubectl, k9s string
	goBench                                    bool
	out                                        string
	verbose                                    bool
	// hold loads the pods and keeps the cluster up for manual profiling
	// instead of measuring, with holdRate status writes a second on it.
	hold     bool
	holdRate int
	// env is extra environment for the programs measured (experiments:
	// GOGC=off, say); a report made with it says so.
	env string
	// only limits the measurements to some parts (startup, heap, latency,
	// replay); empty means all. A report from a partial run says so.
	only string

	// The replay runs (bench/replay): initwatch alone, no apiserver.
	replay                   string
	replaySizes, replayRates []int
	replayRuns               int
	replayFor                time.Duration
	// The rate far above what initwatch takes is measured longer, with
	// probes followed longer, to see whether its lag stays bounded.
	overloadFor, overloadTimeout time.Duration
	events                       bool
}

// writeRates are the write rates latency is measured at: the target's
// first.
func (o *options) writeRates() []int {
	if o.calmRate > 0 && o.calmRate != o.writeRate {
		return []int{o.writeRate, o.calmRate}
	}
	return []int{o.writeRate}
}

// part reports whether the measurement called name is to run.
func (o *options) part(name string) bool {
	if o.only == "" {
		return true
	}
	for _, p := range strings.Split(o.only, ",") {
		if strings.TrimSpace(p) == name {
			return true
		}
	}
	return false
}

func main() {
	var o options
	var sizes string
	flag.StringVar(&sizes, "pods", "1000,10000,50000", "pod counts to measure, in increasing order (pods are added, never removed)")
	flag.IntVar(&o.runs, "runs", 3, "runs of every measurement (medians are reported)")
	flag.IntVar(&o.runsLarge, "runs-large", 3, "runs at 10,000 pods")
	flag.IntVar(&o.runsHuge, "runs-huge", 1, "runs above 10,000 pods (one start of each program a run; no write latency: the replay measures it)")
	flag.IntVar(&o.frames, "starts", 3, "start-up samples of each program per run (k9s: one)")
	flag.IntVar(&o.namespaces, "namespaces", 20, "namespaces the pods are spread over")
	flag.IntVar(&o.parallel, "parallel", 32, "concurrent requests while loading")
	flag.DurationVar(&o.settle, "settle", 5*time.Second, "wait after the first full frame before measuring idle")
	flag.DurationVar(&o.idle, "idle", 30*time.Second, "idle period over which CPU is measured")
	flag.DurationVar(&o.frameTimeout, "frame-timeout", 3*time.Minute, "longest wait for a full list")
	flag.IntVar(&o.keystrokes, "keystrokes", 10, "filter keystroke rounds per run")
	flag.StringVar(&o.filterQuery, "filter", "73", "filter typed, one character at a time (two ASCII characters, no '=')")
	flag.IntVar(&o.writeRate, "write-rate", 1000, "status writes per second on other pods during the latency runs")
	flag.IntVar(&o.calmRate, "calm-write-rate", 100, "a second, lower write rate to measure latency at, one the apiserver keeps up with (0: none)")
	flag.IntVar(&o.writers, "writers", 64, "concurrent status writes at most")
	flag.DurationVar(&o.latencyFor, "latency-for", 30*time.Second, "length of one latency run")
	flag.DurationVar(&o.probeEvery, "probe-every", 100*time.Millisecond, "interval between probe writes")
	flag.DurationVar(&o.probeTimeout, "probe-timeout", 5*time.Second, "a probe not on screen by then counts as never shown")
	flag.IntVar(&o.rows, "rows", 40, "terminal rows")
	flag.IntVar(&o.cols, "cols", 160, "terminal columns")
	flag.StringVar(&o.initwatch, "initwatch", "bin/initwatch", "initwatch binary")
	flag.StringVar(&o.listpods, "listpods", "bin/bench/listpods", "bare LIST binary (bench/listpods)")
	flag.StringVar(&o.tuiheap, "tuiheap", "bin/bench/tuiheap", "heap measuring binary (bench/tuiheap)")
	flag.StringVar(&o.kubectl, "kubectl", "", "kubectl binary (default: as the e2e tests find it)")
	flag.StringVar(&o.k9s, "k9s", "bin/k9s", "k9s binary; missing means no k9s baseline")
	flag.BoolVar(&o.goBench, "gobench", true, "also run the Go benchmarks of package tui")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write (partial and experimental runs write one only when it is given)")
	flag.BoolVar(&o.verbose, "v", false, "log more")
	flag.StringVar(&o.env, "env", "", "extra environment for the terminal programs, comma-separated K=V (experiments)")
	flag.StringVar(&o.only, "only", "", "measure only these parts, comma-separated: startup, heap, latency (default all)")
	flag.IntVar(&o.holdRate, "hold-write-rate", 0, "with -hold: status writes per second to keep on the pods")
	var replaySizes, replayRates string
	flag.StringVar(&o.replay, "replay", "bin/bench/replay", "replay binary (bench/replay); empty: no replay runs")
	flag.StringVar(&replaySizes, "replay-pods", "10000,50000", "pod counts the replay serves")
	flag.StringVar(&replayRates, "replay-rates", "1000,5000,10000", "change rates (changes/s) initwatch is measured at on the replay")
	flag.IntVar(&o.replayRuns, "replay-runs", 3, "runs of every replay measurement")
	flag.DurationVar(&o.replayFor, "replay-for", 20*time.Second, "length of one replay measurement at one rate")
	flag.DurationVar(&o.overloadFor, "replay-overload-for", 60*time.Second, "length of the replay measurement at a rate above what initwatch takes")
	flag.DurationVar(&o.overloadTimeout, "replay-overload-timeout", 60*time.Second, "at that rate, a probe not on screen by then counts as never shown")
	flag.BoolVar(&o.events, "events", true, "the load writes six kubelet-like events per pod")
	flag.BoolVar(&o.hold, "hold", false, "load the largest -pods count, print the kubeconfig and keep the cluster up until interrupted (no measuring)")
	flag.Parse()
	if err := o.parseSizes(sizes); err != nil {
		fail(err)
	}
	var err error
	if o.replaySizes, err = parseCounts("-replay-pods", replaySizes); err != nil {
		fail(err)
	}
	if o.replayRates, err = parseCounts("-replay-rates", replayRates); err != nil {
		fail(err)
	}
	outSet := false
	flag.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
	if (o.only != "" || o.env != "") && !outSet {
		// A partial or experimental run must not replace the report of a
		// full one by accident.
		o.out = ""
	}
	// client-go logs every request cut short when a write load stops;
	// those are expected here, and the figures say what failed.
	kube.RedirectClientLogs(io.Discard)
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

// parseCounts reads positive counts separated by commas.
func parseCounts(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s %q: want positive counts separated by commas", name, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func (o *options) parseSizes(s string) error {
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-pods %q: want positive counts separated by commas", s)
		}
		if len(o.sizes) > 0 && n <= o.sizes[len(o.sizes)-1] {
			return fmt.Errorf("-pods %q: counts must increase", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.runs < 3 || o.runsLarge < 1 {
		return fmt.Errorf("-runs %d: at least 3 runs make a median", o.runs)
	}
	if o.frames < 1 {
		return fmt.Errorf("-starts %d: at least one", o.frames)
	}
	if len(o.filterQuery) != 2 || strings.ContainsAny(o.filterQuery, "= ") {
		return fmt.Errorf("-filter %q: want two characters, no '=' or space", o.filterQuery)
	}
	return nil
}

// bench holds the run's state.
type bench struct {
	o        options
	c        *cluster
	tmp      string
	probeSeq int

	machine  machine
	goBench  []goBenchResult
	results  []*sizeResult
	replay   []*replaySize
	failed   string // the size whose measurement failed, and why
	k9sNote  string // why there is no k9s baseline, if there is none
	versions map[string]string
}

func run(o options) error {
	b := &bench{o: o, versions: map[string]string{}}
	if err := b.checkBinaries(); err != nil {
		return err
	}
	b.machine = readMachine()
	tmp, err := os.MkdirTemp("", "initwatch-bench-")
	if err != nil {
		return err
	}
	b.tmp = tmp
	defer os.RemoveAll(tmp)
	if err := b.writeK9sConfig(); err != nil {
		return err
	}

	if o.goBench {
		logf("Go benchmarks of package tui (go test -bench)…")
		if b.goBench, err = runGoBench(); err != nil {
			return err
		}
	}

	// initwatch alone first, while no apiserver or etcd holds the CPU.
	if o.replay != "" && o.part("replay") {
		if err := b.measureReplay(); err != nil {
			return err
		}
	}
	if o.only == "replay" {
		return b.finish()
	}

	ctx := context.Background()
	logf("starting etcd + kube-apiserver…")
	c, err := startCluster(ctx, o.namespaces)
	if err != nil {
		return err
	}
	c.withEvents = o.events
	defer c.stop()
	b.c = c
	if o.hold {
		return b.holdCluster(ctx)
	}
	for _, n := range o.sizes {
		start := time.Now()
		err := c.grow(ctx, n, o.parallel)
		var res *sizeResult
		if err == nil {
			logf("loaded %d pods and %d events in %s", n, c.events, time.Since(start).Round(time.Second))
			res, err = b.measure(n)
		}
		if err != nil {
			if len(b.results) == 0 {
				return err
			}
			// What was measured at the smaller counts still makes a
			// report; it says what failed.
			b.failed = fmt.Sprintf("%d pods: %s", n, c.explainStop(ctx, err))
			logf("%s", b.failed)
			break
		}
		b.results = append(b.results, res)
	}
	return b.finish()
}

// finish prints the report and writes it when asked to.
func (b *bench) finish() error {
	o := b.o
	b.machine.loadEnd = loadAverage()
	report := b.report()
	fmt.Print(report)
	if o.out == "" {
		logf("partial or experimental run: not written to a file (use -out)")
		return nil
	}
	var full string
	var err error
	if o.only == "replay" {
		// The replay alone: refresh its section, keep every other figure.
		var w strings.Builder
		b.writeReplay(&w)
		full, err = withReplaySection(w.String(), o.out)
	} else {
		full, err = withOtherSections(report, o.out)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.out, []byte(full), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", o.out, err)
	}
	logf("wrote %s", o.out)
	return nil
}

// checkBinaries resolves every program the benchmark runs.
func (b *bench) checkBinaries() error {
	o := &b.o
	if o.kubectl == "" {
		k, err := controlplane.FindKubectl()
		if err != nil {
			return err
		}
		o.kubectl = k
	}
	bins := []*string{&o.initwatch, &o.listpods, &o.tuiheap, &o.kubectl}
	if o.replay != "" {
		bins = append(bins, &o.replay)
	}
	for _, p := range bins {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("benchmark needs %s: %w", *p, err)
		}
		*p = abs
	}
	if o.k9s != "" {
		abs, err := filepath.Abs(o.k9s)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			b.k9sNote = fmt.Sprintf("no k9s baseline: %s is missing (make k9s builds it from hack/k9s)", o.k9s)
			o.k9s = ""
		} else {
			o.k9s = abs
		}
	} else {
		b.k9sNote = "no k9s baseline: disabled with -k9s ''"
	}
	b.versions["initwatch"] = "initwatch " + versionField(o.initwatch, "Version", "version")
	b.versions["kubectl"] = versionField(o.kubectl, "Client Version", "version", "--client")
	if o.k9s != "" {
		b.versions["k9s"] = k9sVersion(o.k9s)
	}
	return nil
}

// holdCluster loads the pods and waits for SIGINT or SIGTERM, so that a
// developer can run and profile initwatch against a loaded apiserver.
func (b *bench) holdCluster(ctx context.Context) error {
	n := b.o.sizes[len(b.o.sizes)-1]
	if err := b.c.grow(ctx, n, b.o.parallel); err != nil {
		return err
	}
	logf("%d pods loaded; kubeconfig: %s (interrupt to stop)", n, b.c.kubeconfig)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if b.o.holdRate > 0 {
		w := b.c.runWriteLoad(ctx, b.o.holdRate, b.o.writers, 1)
		logf("wrote %.0f statuses/s (%d dropped, %d failed)", w.achieved(), w.dropped.Load(), w.failed.Load())
		return nil
	}
	<-ctx.Done()
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

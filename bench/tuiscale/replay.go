package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// replayProc is a running bench/replay: the pods it serves, the probes it
// reports, its counters.
type replayProc struct {
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	kubeconfig string
	targets    []string
	seq        probeSeq

	probes arrivals[time.Time] // send time of each probe
	stats  chan replayStats
	done   chan struct{}
	errMu  sync.Mutex
	errs   []string
}

// replayStats is the replay's "stats" answer.
type replayStats struct {
	Sent       int64 `json:"sent"`
	Probes     int64 `json:"probes"`
	Delivered  int64 `json:"delivered"`
	Watches    int64 `json:"watches"`
	Lists      int64 `json:"lists"`
	Listed     int64 `json:"listed"`
	SlowClosed int64 `json:"slowClosed"`
	MaxBacklog int   `json:"maxBacklog"`
	Backlog    int   `json:"backlog"`
	CPUNanos   int64 `json:"cpuNanos"`
}

// startReplay starts bench/replay serving n pods and waits for it to be
// ready.
func startReplay(bin string, n, namespaces int, format string) (*replayProc, error) {
	cmd := exec.Command(bin, "-pods", strconv.Itoa(n), "-namespaces", strconv.Itoa(namespaces),
		"-targets", strconv.Itoa(targetCount), "-format", format)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start replay: %w", err)
	}
	r := &replayProc{cmd: cmd, stdin: stdin, stats: make(chan replayStats, 1), done: make(chan struct{})}
	ready := make(chan error, 1)
	go r.read(stdout, ready)
	select {
	case err := <-ready:
		if err != nil {
			r.stop()
			return nil, err
		}
	case <-time.After(5 * time.Minute):
		r.stop()
		return nil, fmt.Errorf("replay of %d pods not ready after 5m", n)
	}
	return r, nil
}

func (r *replayProc) read(stdout io.Reader, ready chan<- error) {
	defer close(r.done)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	isReady := false
	for sc.Scan() {
		kind, rest, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "targets":
			r.targets = strings.Fields(rest)
		case "ready":
			r.kubeconfig = rest
			r.seq.targets = r.targets
			isReady = true
			ready <- nil
		case "probe":
			f := strings.Fields(rest)
			if len(f) != 3 {
				r.fail("probe line %q", rest)
				continue
			}
			count, err1 := strconv.Atoi(f[1])
			sent, err2 := strconv.ParseInt(f[2], 10, 64)
			if err1 != nil || err2 != nil {
				r.fail("probe line %q", rest)
				continue
			}
			r.probes.saw(f[0], int32(count), time.Unix(0, sent))
		case "stats":
			var st replayStats
			if err := json.Unmarshal([]byte(rest), &st); err != nil {
				r.fail("stats line %q", rest)
				continue
			}
			r.stats <- st
		default:
			r.fail("replay said %q", sc.Text())
		}
	}
	if !isReady {
		ready <- fmt.Errorf("replay exited before it was ready")
	}
}

func (r *replayProc) fail(format string, args ...any) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *replayProc) problems() error {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if len(r.errs) > 0 {
		return fmt.Errorf("replay: %s", strings.Join(r.errs, "; "))
	}
	return nil
}

func (r *replayProc) command(format string, args ...any) error {
	_, err := fmt.Fprintf(r.stdin, format+"\n", args...)
	return err
}

func (r *replayProc) snapshot() (replayStats, error) {
	if err := r.command("stats"); err != nil {
		return replayStats{}, err
	}
	select {
	case st := <-r.stats:
		return st, nil
	case <-time.After(10 * time.Second):
		return replayStats{}, fmt.Errorf("replay: no stats")
	}
}

func (r *replayProc) stop() {
	_ = r.stdin.Close()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
	}
	_ = r.cmd.Wait()
}

// replayRun is initwatch against the replay at one change rate.
type replayRun struct {
	rate int
	// sent → row on screen, and sent → a bare client-go watch of the
	// targets received it (the transport's floor), per probe.
	shown, bare []time.Duration
	missed      int
	// late is sent → screen of the last probes of the run: how far behind
	// initwatch was when the load stopped.
	late []time.Duration
	// halves is the largest sent → screen of the probes sent in the first
	// and in the second half of the window (never if one was not shown): a
	// lag that keeps growing is larger in the second.
	halves  [2]time.Duration
	changes int64 // sent while measuring
	// taken is how many of the changes the replay wrote to watch
	// connections in the window: what initwatch read (HTTP/2 flow control
	// holds the rest back), plus the few probes of the bare watch.
	taken    int64
	achieved float64 // of them, per second
	cpu      time.Duration
	// waited is how long initwatch's threads waited, runnable, for a CPU
	// over the window: the share of the machine it could not get.
	waited    time.Duration
	replayCPU time.Duration
	window    time.Duration
	busy      float64 // the machine, share of all cores
	memBefore memory
	memAfter  memory
	st0, st1  replayStats
	load      string
}

// cpuPer1000 is initwatch's CPU time per 1,000 changes it took in, in
// milliseconds. Dividing by the changes sent instead would flatter a
// process that falls behind: it spends nothing on what it never reads.
func (r *replayRun) cpuPer1000() float64 {
	if r.taken == 0 {
		return 0
	}
	return float64(r.cpu) / float64(time.Millisecond) / (float64(r.taken) / 1000)
}

// replaySize is the replay measurement at one pod count.
type replaySize struct {
	pods      int
	firstFrms []time.Duration
	runs      [][]*replayRun // [run][rate]
}

// measureReplay runs initwatch against bench/replay at every size and rate.
func (b *bench) measureReplay() error {
	for _, n := range b.o.replaySizes {
		logf("replay: encoding %d pods…", n)
		rp, err := startReplay(b.o.replay, n, b.o.namespaces, "protobuf")
		if err != nil {
			return err
		}
		res := &replaySize{pods: n}
		b.replay = append(b.replay, res)
		for run := range b.o.replayRuns {
			runs, frame, err := b.replaySession(rp, n, run)
			if err != nil {
				rp.stop()
				return fmt.Errorf("replay at %d pods, run %d: %w", n, run+1, err)
			}
			res.firstFrms = append(res.firstFrms, frame)
			res.runs = append(res.runs, runs)
		}
		err = rp.problems()
		rp.stop()
		if err != nil {
			return err
		}
	}
	return nil
}

// replaySession starts initwatch on the replay, filters it to the targets
// and measures every rate in turn on the same process (so its memory is
// followed across rates).
func (b *bench) replaySession(rp *replayProc, n, run int) ([]*replayRun, time.Duration, error) {
	t, err := startTerm([]string{b.o.initwatch, "--kubeconfig", rp.kubeconfig, "-A"}, b.tuiEnvFor(rp.kubeconfig), b.o.rows, b.o.cols)
	if err != nil {
		return nil, 0, err
	}
	defer b.stopTerm(t)
	at, err := t.waitFor(fmt.Sprintf("initwatch to show %d replayed pods", n), initwatchShowsAll(n), b.o.frameTimeout)
	if err != nil {
		return nil, 0, err
	}
	frame := at.Sub(t.started)
	if _, err := t.send("/"); err != nil {
		return nil, 0, err
	}
	if _, err := t.waitFor("the filter prompt", filterPrompt, 10*time.Second); err != nil {
		return nil, 0, err
	}
	if _, err := t.send(targetQuery + "\r"); err != nil {
		return nil, 0, err
	}
	if _, err := t.waitFor("the replay's targets on screen", allRows(rp.targets), 30*time.Second); err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bare, err := bareTargetWatch(ctx, rp.kubeconfig)
	if err != nil {
		return nil, 0, err
	}
	var out []*replayRun
	for _, rate := range b.o.replayRates {
		logf("replay: %d pods, run %d/%d: %d changes/s for %s", n, run+1, b.o.replayRuns, rate, b.replayWindow(rate))
		r, err := b.replayRate(rp, t, bare, rate)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, frame, nil
}

// lookahead is how many probes the screen is watched for before they are
// sent.
const lookahead = 8

// probeSeq is the replay's probe numbering, which the driver follows to
// watch the screen for a probe before it is sent.
type probeSeq struct {
	next    int
	targets []string
}

func (p *probeSeq) take() (name string, count int32) {
	p.next++
	return p.targets[p.next%len(p.targets)], int32(1000 + p.next)
}

// overloaded reports whether rate is far above what initwatch is asked to
// take (replayOverloadRatio times the target's): there the question is
// whether its lag stays bounded, not how small it is.
func overloaded(rate int) bool { return rate >= replayOverloadRatio*replayTargetRate }

// replayWindow is how long rate is measured, and probeTimeout how long a
// probe is followed before it counts as never shown.
func (b *bench) replayWindow(rate int) time.Duration {
	if overloaded(rate) {
		return b.o.overloadFor
	}
	return b.o.replayFor
}

func (b *bench) replayProbeTimeout(rate int) time.Duration {
	if overloaded(rate) {
		return b.o.overloadTimeout
	}
	return b.o.probeTimeout
}

// replayRate measures one rate: background changes at rate plus a probe
// every probe interval, for replayWindow(rate).
func (b *bench) replayRate(rp *replayProc, t *term, bare *arrivals[time.Time], rate int) (*replayRun, error) {
	r := &replayRun{rate: rate, load: loadAverage()}
	window, probeTimeout := b.replayWindow(rate), b.replayProbeTimeout(rate)
	if err := rp.command("rate %d", rate); err != nil {
		return nil, err
	}
	time.Sleep(time.Second) // let the rate settle before measuring
	var err error
	if r.memBefore, err = readMemory(t.pid()); err != nil {
		return nil, err
	}
	if r.st0, err = rp.snapshot(); err != nil {
		return nil, err
	}
	cpu0, err := cpuTime(t.pid())
	if err != nil {
		return nil, err
	}
	wait0, err := runDelay(t.pid())
	if err != nil {
		return nil, err
	}
	mach0, machErr := readMachineTimes()
	t0 := time.Now()

	type pending struct {
		name   string
		count  int32
		shown  <-chan time.Time
		cancel func()
	}
	seq := &rp.seq
	var queue []pending
	// Watch the screen for the next probes before they are sent.
	for range lookahead {
		name, count := seq.take()
		ch, c := t.watch(rowShowsAtLeast(name, int(count)))
		queue = append(queue, pending{name, count, ch, c})
	}
	var mu sync.Mutex
	var results []replayProbe
	var wg sync.WaitGroup
	follow := func(p pending) {
		wg.Go(func() {
			defer p.cancel()
			res := replayProbe{name: p.name}
			// A probe watched ahead but never sent has no send time.
			select {
			case res.sent = <-rp.probes.expect(p.name, p.count):
			case <-time.After(window + 5*time.Second):
				return
			}
			deadline := time.After(time.Until(res.sent.Add(probeTimeout)))
			shown, bareCh := p.shown, bare.expect(p.name, p.count)
			for shown != nil || bareCh != nil {
				select {
				case res.shown = <-shown:
					shown = nil
				case res.bare = <-bareCh:
					bareCh = nil
				case <-deadline:
					shown, bareCh = nil, nil
				}
			}
			mu.Lock()
			results = append(results, res)
			mu.Unlock()
		})
	}
	for _, p := range queue {
		follow(p)
	}
	if err := rp.command("probe-every %s", b.o.probeEvery); err != nil {
		return nil, err
	}
	// Keep probes watched ahead at the replay's pace.
	probesDue := int(window / b.o.probeEvery)
	tick := time.NewTicker(b.o.probeEvery)
	for k := lookahead; k < probesDue; k++ {
		<-tick.C
		name, count := seq.take()
		ch, c := t.watch(rowShowsAtLeast(name, int(count)))
		follow(pending{name, count, ch, c})
	}
	for time.Since(t0) < window {
		time.Sleep(10 * time.Millisecond)
	}
	// The window closes: counters and CPU first, then the load stops.
	cpu1, err := cpuTime(t.pid())
	if err != nil {
		return nil, err
	}
	wait1, err := runDelay(t.pid())
	if err != nil {
		return nil, err
	}
	r.window = time.Since(t0)
	if r.st1, err = rp.snapshot(); err != nil {
		return nil, err
	}
	if mach1, err := readMachineTimes(); err == nil && machErr == nil {
		r.busy = busySince(mach0, mach1)
	}
	if err := rp.command("probe-every 0"); err != nil {
		return nil, err
	}
	tick.Stop()
	if err := rp.command("rate 0"); err != nil {
		return nil, err
	}
	// Follow the replay's numbering from the probes it really sent.
	time.Sleep(50 * time.Millisecond)
	st, err := rp.snapshot()
	if err != nil {
		return nil, err
	}
	seq.next = int(st.Probes)
	// Probes watched ahead but never sent are dropped below (no send time).
	wg.Wait()
	if r.memAfter, err = readMemory(t.pid()); err != nil {
		return nil, err
	}
	r.cpu = cpu1 - cpu0
	r.waited = wait1 - wait0
	r.changes = r.st1.Sent - r.st0.Sent
	r.taken = r.st1.Delivered - r.st0.Delivered
	r.achieved = float64(r.changes) / r.window.Seconds()
	r.replayCPU = time.Duration(r.st1.CPUNanos - r.st0.CPUNanos)
	slices.SortFunc(results, func(a, b replayProbe) int { return a.sent.Compare(b.sent) })
	for _, res := range results {
		if res.shown.IsZero() {
			r.missed++
			r.shown = append(r.shown, never)
		} else {
			r.shown = append(r.shown, res.shown.Sub(res.sent))
		}
		if !res.bare.IsZero() {
			r.bare = append(r.bare, res.bare.Sub(res.sent))
		}
	}
	r.halves = lagHalves(results, t0, r.window)
	// The last five probes sent: how far behind the screen was at the end.
	for _, res := range results[max(len(results)-5, 0):] {
		if res.shown.IsZero() {
			r.late = append(r.late, never)
		} else {
			r.late = append(r.late, res.shown.Sub(res.sent))
		}
	}
	// Let initwatch drain what is left before the next rate.
	time.Sleep(2 * time.Second)
	return r, nil
}

// lagHalves returns the largest sent → screen of the probes sent in each
// half of the window that started at t0.
func lagHalves(results []replayProbe, t0 time.Time, window time.Duration) [2]time.Duration {
	var out [2]time.Duration
	for _, res := range results {
		h := 0
		if res.sent.Sub(t0) >= window/2 {
			h = 1
		}
		switch {
		case out[h] == never:
		case res.shown.IsZero():
			out[h] = never
		default:
			out[h] = max(out[h], res.shown.Sub(res.sent))
		}
	}
	return out
}

// replayProbe is one probe: when the replay sent it, the frame that showed
// it, and when the bare watch received it.
type replayProbe struct {
	name              string
	sent, shown, bare time.Time
}

// bareTargetWatch is a bare client-go watch of the replay's targets in the
// driver, speaking protobuf on a connection of its own: when a probe could
// first be known to any client, the floor initwatch is compared with.
func bareTargetWatch(ctx context.Context, kubeconfig string) (*arrivals[time.Time], error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = -1, 0
	cfg.Dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	w, err := cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{LabelSelector: targetQuery})
	if err != nil {
		return nil, fmt.Errorf("bare watch of the replay: %w", err)
	}
	a := &arrivals[time.Time]{}
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			at := time.Now()
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type != watch.Modified || len(pod.Status.InitContainerStatuses) == 0 {
				continue
			}
			a.saw(pod.Name, pod.Status.InitContainerStatuses[0].RestartCount, at)
		}
	}()
	return a, nil
}

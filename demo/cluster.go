// Package demo is a simulated Kubernetes cluster for `initwatch --demo`.
//
// The cluster is client-go's fake clientset plus a simulator that plays the
// scheduler, the kubelet and the Deployment/ReplicaSet, StatefulSet,
// DaemonSet, Job and CronJob controllers (as far as the demo needs): it
// creates pods and writes their status step by step as a kubelet v1.37 does
// (phases, conditions and their transition times, init container states,
// CrashLoopBackOff with back-off delays, restart counts, last states), and
// records the events those components send. initwatch watches it through the
// same kube.NewInformerSource pipeline it uses on a real cluster, and reads
// container logs through a kube.LogSource served from the simulator's memory.
//
// Time is simulated: the simulator owns a clock that Run moves with the wall
// clock times a speed factor, and that tests move with Step, deterministically
// and without sleeping. Every random choice comes from one generator seeded
// with Options.Seed, and actions run in (time, insertion) order, so a seed
// always yields the same sequence of states, however time is stepped.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/initwatch/initwatch/kube"
)

// Options configure a simulated cluster.
type Options struct {
	// Seed selects the run: the same seed gives the same names, timings and
	// failures.
	Seed uint64
	// Speed multiplies the wall clock in Run (1 = real time, 5 = five times
	// faster). Zero means 1.
	Speed float64
	// Start is the simulated instant at which the demo begins. Zero means
	// the wall clock at New, truncated to the second, so timestamps on
	// screen look current.
	Start time.Time
	// FailRelease makes the checkout release fail in this cluster: its
	// new pods' db-migrate init container exits 1 on every run (a dirty
	// schema), so they crash-loop and the rollout stalls. With several
	// demo clusters, the release rolls out in all and fails in one.
	FailRelease bool
}

// tick is how often Run moves the simulated clock. Ages are shown to the
// second, so a 50 ms granularity is invisible even at 5x.
const tick = 50 * time.Millisecond

// Cluster is a simulated cluster. Create it with New, then either call Run
// (wall-clock driven) or Step (test driven), not both at once.
type Cluster struct {
	client *fake.Clientset
	clock  clock
	speed  float64
	start  time.Time
	logs   *logStore
	guard  *watchGuard

	// mu is held while the simulation moves; it guards everything below.
	mu      sync.Mutex
	agenda  agenda
	seq     uint64
	rng     *rand.Rand
	rv      map[string]uint64 // next resourceVersion per resource, as the tracker counts
	nodes   []*simNode
	events  *recorder
	digests map[string]string // image → sha256, drawn once
	err     error             // the first failed write stops the simulation

	failRelease bool // Options.FailRelease
}

// New builds the cluster: nodes, namespaces, the workloads that already run
// before the demo starts, and the agenda of every scenario.
func New(opts Options) *Cluster {
	if opts.Speed <= 0 {
		opts.Speed = 1
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now().Truncate(time.Second)
	}
	c := &Cluster{
		// The simple tracker, not NewClientset's field-managed one: that
		// one rebuilds a REST mapper and a field manager on every write,
		// a hundred times slower, and the demo writes a status every few
		// milliseconds of a stepped test while never using server-side
		// apply.
		client:      fake.NewSimpleClientset(), //nolint:staticcheck // see above
		speed:       opts.Speed,
		start:       opts.Start,
		logs:        newLogStore(),
		rng:         rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		rv:          map[string]uint64{},
		failRelease: opts.FailRelease,
	}
	c.clock.set(opts.Start)
	c.guard = newWatchGuard()
	installReactors(c.client, c.guard)
	c.events = &recorder{c: c, byKey: map[string]*corev1.Event{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	setupScenarios(c)
	return c
}

// Client is the fake clientset the simulator writes to. Only the simulator
// may write to it; readers see what a real apiserver would serve.
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// Source watches the simulated cluster through the real informer pipeline.
// Events and owners are watched too, whatever opts says: the demo exists to
// show them (the rollout summary reads the owners).
func (c *Cluster) Source(opts kube.Options) kube.PodSource {
	opts.WithEvents = true
	opts.WithOwners = true
	return kube.NewInformerSource(c.client, opts)
}

// Logs serves the simulated containers' logs.
func (c *Cluster) Logs() kube.LogSource { return &logSource{c: c} }

// Now is the simulated time; the TUI uses it as its clock so that ages
// agree with the timestamps the simulator writes.
func (c *Cluster) Now() time.Time { return c.clock.Now() }

// Start is the simulated instant at which the demo began.
func (c *Cluster) Start() time.Time { return c.start }

// Speed is the factor Run applies to the wall clock.
func (c *Cluster) Speed() float64 { return c.speed }

// Step moves simulated time forward by d, running every action due on the
// way at its own instant. It returns the error that stopped the simulation,
// if any.
func (c *Cluster) Step(d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.advance(d)
}

// Run moves simulated time with the wall clock, times the speed, until ctx
// is cancelled (then it returns nil) or a write to the clientset fails.
// The simulation happens in the calling goroutine; log followers started by
// Logs().Stream are owned by their own contexts.
func (c *Cluster) Run(ctx context.Context) error {
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			d := time.Duration(float64(now.Sub(last)) * c.speed)
			last = now
			if err := c.Step(d); err != nil {
				return err
			}
		}
	}
}

func (c *Cluster) advance(d time.Duration) error {
	target := c.clock.Now().Add(d)
	for c.err == nil {
		a := c.agenda.next(target)
		if a == nil {
			break
		}
		c.clock.set(a.at)
		a.fn()
	}
	// The fake records a deep copy of every request for test assertions;
	// nothing here reads that record, and left alone it would grow by a
	// pod per write for as long as the demo runs.
	c.client.ClearActions()
	if c.err != nil {
		return c.err
	}
	c.clock.set(target)
	return nil
}

// now is the simulated instant of the running action.
func (c *Cluster) now() time.Time { return c.clock.Now() }

// after schedules fn d from now (d < 0 counts as 0).
func (c *Cluster) after(d time.Duration, fn func()) {
	c.at(c.now().Add(max(d, 0)), fn)
}

// at schedules fn at t, or now if t is past.
func (c *Cluster) at(t time.Time, fn func()) {
	if now := c.now(); t.Before(now) {
		t = now
	}
	c.seq++
	c.agenda.add(&action{at: t, seq: c.seq, fn: fn})
}

// jitter is a random duration in [lo, hi).
func (c *Cluster) jitter(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(c.rng.Int64N(int64(hi-lo)))
}

// fail records the first write error; the simulation stops there, since
// every later state would build on a write the watchers never saw.
func (c *Cluster) fail(err error) {
	if c.err == nil && err != nil {
		c.err = err
	}
}

// failed reports whether the simulation has stopped.
func (c *Cluster) failed() bool { return c.err != nil }

var errStalled = errors.New("a watcher of the simulated cluster stopped reading")

// nextRV returns the resourceVersion the fake tracker is about to assign to
// the next write of resource, so that objects carry the same numbers the
// tracker hands to List and Watch: a reflector that re-watches from an
// object's version then resumes at the right place.
func (c *Cluster) nextRV(resource string) string {
	if c.rv[resource] == 0 {
		c.rv[resource] = 1 // the tracker's initial version for an empty set
	}
	c.rv[resource]++
	return fmt.Sprint(c.rv[resource])
}

// beforeWrite applies back-pressure, see watchGuard.
func (c *Cluster) beforeWrite() bool {
	if c.failed() {
		return false
	}
	if err := c.guard.wait(); err != nil {
		c.fail(err)
		return false
	}
	return true
}

package demo

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
)

// Constants of the kubelet v1.37.
const (
	// backoffInitial and backoffMax are the kubelet's CrashLoopBackOff
	// delays (flowcontrol.Backoff with 10s doubling up to 5m).
	backoffInitial = 10 * time.Second
	backoffMax     = 300 * time.Second
	// backoffEventEvery is how often a pod in back-off is synced again,
	// each sync repeating the BackOff event.
	backoffEventEvery = 10 * time.Second
	// terminationMessageLines and terminationMessageBytes bound the log
	// tail a FallbackToLogsOnError container gets as its message.
	terminationMessageLines = 80
	terminationMessageBytes = 2048
)

// Container state reasons the kubelet writes.
const (
	reasonPodInitializing   = "PodInitializing"
	reasonContainerCreating = "ContainerCreating"
	reasonCrashLoopBackOff  = "CrashLoopBackOff"
	reasonCompleted         = "Completed"
	reasonError             = "Error"
)

// simPod is one pod as the scheduler and its node's kubelet see it. Its pod
// field is the authoritative object; every change is written to the
// clientset as a whole, as the kubelet's status manager does.
type simPod struct {
	c    *Cluster
	pod  *corev1.Pod
	plan *podPlan
	node *simNode
	ctrs []*simCtr // init containers in spec order, then app containers

	admitted    bool
	sandbox     bool
	failed      bool // restartPolicy Never and an init container failed
	terminating bool
	finishing   bool // terminating and every container has stopped
	gone        bool
	conds       conditionSet

	// onReady is called once, when the pod first turns Ready (the
	// ReplicaSet controller counts available pods).
	onReady  func(*simPod)
	wasReady bool
	// onDone is called once, when the pod first reaches phase Succeeded
	// (the Job controller counts completions).
	onDone  func(*simPod)
	wasDone bool
}

// simCtr is one container's runtime state on the node.
type simCtr struct {
	spec      *corev1.Container
	init      bool // in spec.initContainers
	sidecar   bool // an init container with restartPolicy Always
	fieldPath string
	plan      *ctrPlan

	state, last  corev1.ContainerState
	restartCount int32
	containerID  string
	image        string
	imageID      string
	started      bool
	ready        bool

	runs     int  // runs begun so far
	token    int  // bumps with every run; stale actions compare it
	busy     bool // pulling or creating: a start is under way
	running  bool
	stopping bool
	log      *logRun

	backoff    time.Duration // current back-off entry; zero before the first restart
	retryAt    time.Time     // when the pending back-off ends
	finishedAt time.Time     // of the last run
}

func (k *simCtr) succeeded() bool {
	t := k.state.Terminated
	return t != nil && t.ExitCode == 0
}

// failedRun reports a classic container whose last run failed and that has
// not been started again yet.
func (k *simCtr) failedRun() bool {
	if k.running || k.busy {
		return false
	}
	if t := k.state.Terminated; t != nil {
		return t.ExitCode != 0
	}
	if w := k.state.Waiting; w != nil && w.Reason == reasonCrashLoopBackOff {
		return true
	}
	return false
}

func (k *simCtr) status() corev1.ContainerStatus {
	started := k.started
	return corev1.ContainerStatus{
		Name:                 k.spec.Name,
		State:                k.state,
		LastTerminationState: k.last,
		Ready:                k.ready,
		RestartCount:         k.restartCount,
		Image:                k.image,
		ImageID:              k.imageID,
		ContainerID:          k.containerID,
		Started:              &started,
	}
}

func newSimPod(c *Cluster, pod *corev1.Pod, plan *podPlan) *simPod {
	p := &simPod{c: c, pod: pod, plan: plan}
	waiting := reasonContainerCreating
	if len(pod.Spec.InitContainers) > 0 {
		waiting = reasonPodInitializing
	}
	add := func(spec *corev1.Container, init bool, path string) {
		k := &simCtr{
			spec:      spec,
			init:      init,
			sidecar:   init && spec.RestartPolicy != nil && *spec.RestartPolicy == corev1.ContainerRestartPolicyAlways,
			fieldPath: fmt.Sprintf("%s{%s}", path, spec.Name),
			plan:      plan.containers[spec.Name],
			image:     spec.Image,
			state:     corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: waiting}},
		}
		p.ctrs = append(p.ctrs, k)
	}
	for i := range pod.Spec.InitContainers {
		add(&pod.Spec.InitContainers[i], true, "spec.initContainers")
	}
	for i := range pod.Spec.Containers {
		add(&pod.Spec.Containers[i], false, "spec.containers")
	}
	return p
}

// admit is the kubelet's first look at a bound pod: a status with every
// container waiting, then a sandbox.
func (p *simPod) admit() {
	if p.gone {
		return
	}
	p.admitted = true
	now := p.c.stamp()
	p.pod.Status.StartTime = &now
	p.pod.Status.HostIP = p.node.hostIP
	p.pod.Status.HostIPs = []corev1.HostIP{{IP: p.node.hostIP}}
	p.writeStatus()
	p.c.after(p.plan.sandbox, p.sandboxReady)
}

func (p *simPod) sandboxReady() {
	if p.gone || p.terminating {
		return
	}
	p.sandbox = true
	ip := p.node.allocIP()
	p.pod.Status.PodIP = ip
	p.pod.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	p.writeStatus()
	p.sync()
}

// sync is one pass of the kubelet's pod worker: start what may start, in
// the order the kubelet allows, and restart what failed.
func (p *simPod) sync() {
	if p.gone || p.terminating || p.failed || !p.sandbox || p.c.failed() {
		return
	}
	for _, k := range p.ctrs {
		if !k.init {
			continue
		}
		switch {
		case k.busy:
			return
		case k.sidecar:
			if k.runs == 0 {
				p.start(k)
				return
			}
			if !k.started {
				return // the next init container waits for the startup probe
			}
		case k.succeeded():
			continue
		case k.running:
			return
		case k.failedRun():
			if p.pod.Spec.RestartPolicy == corev1.RestartPolicyNever {
				p.fail()
				return
			}
			p.restart(k)
			return
		default:
			p.start(k)
			return
		}
	}
	for _, k := range p.ctrs {
		if !k.init && k.runs == 0 && !k.busy {
			p.start(k)
		}
	}
}

// restart applies the kubelet's back-off to a failed container: the first
// failure restarts at once, later ones wait 10s, 20s, 40s... after the
// container finished, shown as CrashLoopBackOff meanwhile.
func (p *simPod) restart(k *simCtr) {
	now := p.c.now()
	if k.backoff > 0 && now.Sub(k.finishedAt) < k.backoff {
		retry := k.finishedAt.Add(k.backoff)
		if k.retryAt.Equal(retry) {
			return // already waiting for this back-off to end
		}
		k.retryAt = retry
		p.backOff(k, k.token, retry)
		// The status only says CrashLoopBackOff from the next status
		// update on: the kubelet learns it from this sync's result.
		token := k.token
		p.c.after(p.c.jitter(800*time.Millisecond, 1500*time.Millisecond), func() {
			if p.gone || p.terminating || k.token != token || k.busy || k.state.Terminated == nil {
				return
			}
			k.last = k.state
			k.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
				Reason: reasonCrashLoopBackOff,
				Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s",
					k.backoff, k.spec.Name, p.desc()),
			}}
			p.writeStatus()
		})
		p.c.at(retry, p.sync)
		return
	}
	if k.backoff == 0 {
		k.backoff = backoffInitial
	} else {
		k.backoff = min(2*k.backoff, backoffMax)
	}
	p.start(k)
}

// backOff records the BackOff event now and again at every resync until
// the back-off ends.
func (p *simPod) backOff(k *simCtr, token int, until time.Time) {
	if p.gone || p.terminating || k.token != token || !p.c.now().Before(until) {
		return
	}
	p.c.events.kubelet(p, k.fieldPath, corev1.EventTypeWarning, "BackOff",
		fmt.Sprintf("Back-off restarting failed container %s in pod %s", k.spec.Name, p.desc()))
	p.c.after(backoffEventEvery+p.c.jitter(0, time.Second), func() { p.backOff(k, token, until) })
}

// start pulls the image if the node lacks it, then creates and starts the
// container, with the events the kubelet records on the way.
func (p *simPod) start(k *simCtr) {
	k.busy = true
	token := k.token
	image := k.spec.Image
	create := func() {
		p.c.after(p.c.jitter(100*time.Millisecond, 400*time.Millisecond), func() {
			if p.gone || p.terminating || k.token != token {
				return
			}
			p.c.events.kubelet(p, k.fieldPath, corev1.EventTypeNormal, "Created", "Container created")
			p.c.after(p.c.jitter(50*time.Millisecond, 300*time.Millisecond), func() {
				if p.gone || p.terminating || k.token != token {
					return
				}
				p.begin(k)
			})
		})
	}
	if p.node.images[image] {
		p.c.events.kubelet(p, k.fieldPath, corev1.EventTypeNormal, "Pulled",
			fmt.Sprintf("Container image %q already present on machine and can be accessed by the pod", image))
		create()
		return
	}
	p.c.events.kubelet(p, k.fieldPath, corev1.EventTypeNormal, "Pulling", fmt.Sprintf("Pulling image %q", image))
	pull := time.Second
	size := int64(5 << 20)
	if k.plan != nil && k.plan.pull > 0 {
		pull = k.plan.pull
		size = k.plan.imageSize
	}
	waited := pull + p.c.jitter(0, 200*time.Millisecond)
	p.c.after(waited, func() {
		if p.gone || p.terminating || k.token != token {
			return
		}
		p.node.images[image] = true
		p.c.events.kubelet(p, k.fieldPath, corev1.EventTypeNormal, "Pulled",
			fmt.Sprintf("Successfully pulled image %q in %v (%v including waiting). Image size: %v bytes.",
				image, pull.Truncate(time.Millisecond), waited.Truncate(time.Millisecond), size))
		create()
	})
}

// begin is a new run of k: a new container ID, a running state, the
// previous run moved to lastState.
func (p *simPod) begin(k *simCtr) {
	c := p.c
	k.busy = false
	k.running = true
	k.token++
	token := k.token
	run := k.plan.run(k.runs)
	k.restartCount = int32(k.runs)
	k.runs++
	if k.state.Terminated != nil {
		k.last = k.state
	}
	k.containerID = c.containerID()
	k.image = normalizeImage(k.spec.Image)
	k.imageID = imageID(k.spec.Image, c.digest(k.spec.Image))
	startedAt := c.stamp()
	k.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: startedAt}}
	k.started = k.spec.StartupProbe == nil || k.plan == nil || k.plan.startup <= 0
	k.ready = false
	if !k.init || k.sidecar {
		k.ready = k.started && k.spec.ReadinessProbe == nil
	}
	c.events.kubelet(p, k.fieldPath, corev1.EventTypeNormal, "Started", "Container started")
	k.log = c.logs.open(k.containerID)
	p.writeStatus()

	start := c.now()
	if run.lines != nil {
		for _, l := range run.lines(start) {
			at := l.Time
			text := l.Text
			c.at(at, func() {
				if k.token == token && k.running {
					k.log.append(kube.LogLine{Time: c.now(), Text: text})
				}
			})
		}
	}
	if run.every > 0 && run.tick != nil {
		p.tick(k, token, run, 0)
	}
	if run.exitAfter > 0 {
		c.after(run.exitAfter, func() { p.exit(k, token, run.exitCode) })
	}
	switch {
	case !k.started:
		p.probeStartup(k, token)
	case k.spec.ReadinessProbe != nil && (!k.init || k.sidecar):
		p.probeReady(k, token)
	}
	if k.sidecar && k.started {
		// The next init container starts at the next sync, once the
		// prober has reported this one started.
		c.after(c.jitter(500*time.Millisecond, time.Second), p.sync)
	}
}

func (p *simPod) tick(k *simCtr, token int, run runPlan, n int) {
	p.c.after(run.every, func() {
		if k.token != token || !k.running {
			return
		}
		k.log.append(kube.LogLine{Time: p.c.now(), Text: run.tick(n, p.c.now())})
		p.tick(k, token, run, n+1)
	})
}

// exit ends a run. The kubelet notices it at its next relist (PLEG), up to
// a second later, and acts on it in the same sync.
func (p *simPod) exit(k *simCtr, token int, code int32) {
	c := p.c
	if p.gone || k.token != token || !k.running {
		return
	}
	k.running = false
	k.finishedAt = c.now()
	reason := reasonCompleted
	if code != 0 {
		reason = reasonError
	}
	term := &corev1.ContainerStateTerminated{
		ExitCode:    code,
		Reason:      reason,
		StartedAt:   k.state.Running.StartedAt,
		FinishedAt:  c.stamp(),
		ContainerID: k.containerID,
	}
	if code != 0 && k.spec.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError {
		term.Message = k.log.tail(terminationMessageLines, terminationMessageBytes)
	}
	k.log.finish()
	c.after(c.jitter(300*time.Millisecond, 1200*time.Millisecond), func() {
		if p.gone || k.token != token {
			return
		}
		k.state = corev1.ContainerState{Terminated: term}
		k.started = false
		k.ready = k.init && !k.sidecar && code == 0
		p.writeStatus()
		if p.terminating {
			p.stopped()
			return
		}
		p.sync()
	})
}

// desc is the kubelet's pod description in messages: name_namespace(uid).
func (p *simPod) desc() string {
	return fmt.Sprintf("%s_%s(%s)", p.pod.Name, p.pod.Namespace, p.pod.UID)
}

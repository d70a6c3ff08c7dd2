package demo

import (
	"time"

	"github.com/initwatch/initwatch/kube"
)

// podPlan is what will happen to one pod: the scenarios fill it in, the
// scheduler and the kubelet play it.
type podPlan struct {
	// schedule is the delay from creation to binding.
	schedule time.Duration
	// unschedulable, when set, makes the scheduler report FailedScheduling
	// first (with this message) and bind only after unschedulableFor.
	unschedulable    string
	unschedulableFor time.Duration
	// admit is the delay from binding to the kubelet's first status;
	// sandbox the delay from there to a ready sandbox with an IP.
	admit   time.Duration
	sandbox time.Duration
	// node pins the pod to a node index; -1 lets the scheduler choose.
	node int
	// containers by name; a container without a plan runs forever, quietly.
	containers map[string]*ctrPlan
}

// ctrPlan is what one container does, run after run.
type ctrPlan struct {
	// pull is how long pulling the image takes when the node lacks it;
	// imageSize is what the kubelet reports afterwards.
	pull      time.Duration
	imageSize int64
	// runs[i] is the i-th run of the container; runs past the end repeat
	// the last one.
	runs []runPlan
	// startup is how long the startupProbe fails before it passes (only
	// meaningful with a startupProbe in the spec); probePeriod spaces the
	// "Unhealthy" events meanwhile.
	startup     time.Duration
	probePeriod time.Duration
	// ready is how long the readinessProbe takes to pass once the container
	// has started (only meaningful with a readinessProbe in the spec).
	ready time.Duration
	// stop is how long the container takes to exit after SIGTERM.
	stop time.Duration
}

// runPlan is one run of a container.
type runPlan struct {
	// exitAfter is how long the run lasts; zero means it runs until the pod
	// is deleted.
	exitAfter time.Duration
	exitCode  int32
	// lines are the lines the run writes, computed from its start time.
	lines func(start time.Time) []kube.LogLine
	// every > 0 makes a running container write tick(n, t) every so often.
	every time.Duration
	tick  func(n int, at time.Time) string
}

func (p *ctrPlan) run(i int) runPlan {
	if p == nil || len(p.runs) == 0 {
		return runPlan{}
	}
	return p.runs[min(i, len(p.runs)-1)]
}

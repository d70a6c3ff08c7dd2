package podgen

import (
	"fmt"
	"math/rand/v2"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Generator names pods and spreads them over namespaces.
type Generator struct {
	Templates  []Template
	Namespaces []string
	Labels     map[string]string // added to every pod (a selector for the tests)
	Base       time.Time         // "now" when the statuses are generated
	n          int
}

func (g *Generator) template(name string) Template {
	t, err := Find(g.Templates, name)
	if err != nil {
		panic(err) // the oracle's templates are fixed files: a missing one is a bug here
	}
	return t
}

// pod makes the next pod from template, cycling namespaces and restart
// policies so that every policy meets every state somewhere.
func (g *Generator) pod(template, desc string) *corev1.Pod {
	g.n++
	t := g.template(template)
	name := fmt.Sprintf("%s-%03d", t.Name, g.n)
	pod := newPod(t, name, g.Namespaces[g.n%len(g.Namespaces)], desc, g.Labels)
	policies := []corev1.RestartPolicy{corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever}
	pod.Spec.RestartPolicy = policies[(g.n/len(g.Namespaces))%len(policies)]
	return pod
}

func (g *Generator) withPlan(template string, plan Plan) Case {
	pod := g.pod(template, describe(template, plan))
	st := BuildStatus(pod, plan, g.Base)
	return Case{Pod: pod, Status: &st}
}

// OracleCases returns the generated set the e2e oracle compares with
// kubectl: every branch of kubectl's printPod, on classic init containers
// and native sidecars, plus seeded random mixes. The same inputs always
// give the same cases.
func (g *Generator) OracleCases() []Case {
	var cases []Case
	cases = append(cases, g.initBlocked()...)
	cases = append(cases, g.initialized()...)
	cases = append(cases, g.restarts()...)
	cases = append(cases, g.podLevel()...)
	cases = append(cases, g.random(rand.New(rand.NewPCG(20251125, 2)), 60)...)
	return cases
}

// initBlocked stops initialization at every position of every template,
// in every state that blocks it.
func (g *Generator) initBlocked() []Case {
	var cases []Case
	for _, name := range []string{"seed-app", "sidecars", "single-init"} {
		t := g.template(name)
		inits := t.Pod.Spec.InitContainers
		for pos := range inits {
			blockers := InitBlockers
			if isSidecar(&inits[pos]) {
				blockers = append(append([]State(nil), SidecarBlockers...), InitBlockers...)
			}
			for bi, b := range blockers {
				plan := Plan{Init: make([]State, len(inits))}
				for i := range inits {
					switch {
					case i < pos && isSidecar(&inits[i]):
						// Alternate: a started sidecar counts in READY
						// only when ready.
						plan.Init[i] = []State{SidecarReady, SidecarStarted}[bi%2]
					case i < pos:
						plan.Init[i] = []State{TermCompleted, TermZeroNoReason}[bi%2]
					case i == pos:
						plan.Init[i] = b
					default:
						// The kubelet reports later steps as waiting with
						// PodInitializing; an older one may not list them.
						plan.Init[i] = []State{WaitingPodInitializing, Absent}[(bi/2)%2]
					}
				}
				if b == WaitingCrashLoop {
					plan.InitRestarts = make([]Restart, pos+1)
					plan.InitRestarts[pos] = Restart{Count: 4, LastAgo: Ago(95 * time.Second)}
				}
				plan.Apps = make([]State, len(t.Pod.Spec.Containers))
				for i := range plan.Apps {
					plan.Apps[i] = WaitingPodInitializing
				}
				cases = append(cases, g.withPlan(name, plan))
			}
		}
	}
	return cases
}

// initialized finishes initialization and walks every app container state,
// alone and next to other containers (kubectl reads app containers last to
// first, and the first container's state wins).
func (g *Generator) initialized() []Case {
	var cases []Case
	for i, s := range AppStates {
		done := []State{TermCompleted, TermCompleted, TermCompleted, TermCompleted}
		cases = append(cases, g.withPlan("seed-app", Plan{Init: done, Apps: []State{s}}))

		// Ready sidecars with one order of apps, a started-but-unready one
		// with the other (swapped on odd states): READY counts both ways.
		ready := []State{TermCompleted, SidecarReady, TermCompleted, SidecarReady}
		started := []State{TermCompleted, SidecarReady, TermCompleted, SidecarStarted}
		if i%2 == 1 {
			ready, started = started, ready
		}
		cases = append(cases, g.withPlan("sidecars", Plan{Init: ready, Apps: []State{s, RunningReady}}))
		cases = append(cases, g.withPlan("sidecars", Plan{Init: started, Apps: []State{RunningReady, s}}))

		for _, ready := range []bool{false, true} {
			cases = append(cases, g.withPlan("plain", Plan{Apps: []State{TermCompleted, s}, Ready: boolPtr(ready)}))
			cases = append(cases, g.withPlan("plain", Plan{Apps: []State{s, TermCompleted}, Ready: boolPtr(ready)}))
		}
		cases = append(cases, g.withPlan("plain", Plan{Apps: []State{s, TermError}}))
	}
	return cases
}

// restarts puts restart counts and last-termination times on init
// containers, sidecars and apps, before and after initialization, at ages
// that exercise every unit of kubectl's short durations.
func (g *Generator) restarts() []Case {
	ages := []*time.Duration{
		Ago(7 * time.Second), Ago(95 * time.Second), Ago(7*time.Minute + 12*time.Second),
		Ago(47 * time.Minute), Ago(5*time.Hour + 3*time.Minute), Ago(30 * time.Hour),
		Ago(3*24*time.Hour + 4*time.Hour), Ago(400 * 24 * time.Hour),
		nil,                 // restarts without a last state: no "(… ago)"
		Ago(0),              // a last state without finishedAt
		Ago(-2 * time.Hour), // a clock ahead of the server: kubectl prints <invalid>
	}
	var cases []Case
	for i, age := range ages {
		// Initializing: every init restart counts.
		cases = append(cases, g.withPlan("seed-app", Plan{
			Init:         []State{TermCompleted, WaitingCrashLoop, WaitingPodInitializing, WaitingPodInitializing},
			InitRestarts: []Restart{{Count: 1, LastAgo: Ago(2 * time.Hour)}, {Count: int32(2 + i), LastAgo: age}},
			Apps:         []State{WaitingPodInitializing},
		}))
		// Initialized: only sidecar restarts count, plus the apps'.
		cases = append(cases, g.withPlan("sidecars", Plan{
			Init:         []State{TermCompleted, SidecarReady, TermCompleted, SidecarReady},
			InitRestarts: []Restart{{Count: 3, LastAgo: Ago(time.Minute)}, {Count: int32(1 + i), LastAgo: age}},
			Apps:         []State{RunningReady, WaitingCrashLoop},
			AppRestarts:  []Restart{{}, {Count: int32(i), LastAgo: Ago(time.Duration(i) * 17 * time.Minute)}},
		}))
	}
	return cases
}

// podLevel covers what the pod, not a container, decides: reasons,
// deletion, scheduling gates, missing or odd statuses.
func (g *Generator) podLevel() []Case {
	var cases []Case
	running := Plan{Init: []State{TermCompleted, TermCompleted, TermCompleted, TermCompleted}, Apps: []State{RunningReady}}
	initializing := Plan{Init: []State{TermCompleted, Running, WaitingPodInitializing, WaitingPodInitializing}, Apps: []State{WaitingPodInitializing}}
	for _, r := range []struct{ reason, message string }{
		{"Evicted", "The node was low on resource: memory."},
		{"OutOfcpu", "Node didn't have enough resource: cpu"},
		{"NodeAffinity", "Pod Predicate NodeAffinity failed"},
		{"UnexpectedAdmissionError", "Allocate failed due to no healthy devices"},
	} {
		cases = append(cases, g.withPlan("seed-app", Plan{Phase: corev1.PodFailed, Reason: r.reason, Message: r.message,
			Init: running.Init, Apps: []State{TermError}}))
	}
	cases = append(cases, g.withPlan("plain", Plan{Phase: corev1.PodFailed, Reason: "Evicted", Message: "ephemeral storage"}))

	// Deleted pods: Terminating, except in a terminal phase; Unknown when
	// the node was lost.
	for _, plan := range []Plan{
		running, initializing,
		{Apps: []State{TermCompleted, TermCompleted}, Phase: corev1.PodSucceeded},
		{Apps: []State{TermError, TermCompleted}, Phase: corev1.PodFailed},
		withReason(running, "NodeLost"),
		withReason(initializing, "NodeLost"),
	} {
		template := "seed-app"
		if len(plan.Init) == 0 {
			template = "plain"
		}
		c := g.withPlan(template, plan)
		c.Pod.Finalizers = []string{HoldFinalizer}
		c.Delete = true
		cases = append(cases, c)
	}
	// NodeLost without a deletion is just a reason.
	cases = append(cases, g.withPlan("seed-app", withReason(running, "NodeLost")))

	// Scheduling gates: the apiserver itself sets PodScheduled=False with
	// reason SchedulingGated on create.
	for _, name := range []string{"seed-app", "sidecars"} {
		pod := g.pod(name, name+" scheduling-gated")
		pod.Spec.NodeName = ""
		pod.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "initwatch.dev/quota"}}
		cases = append(cases, Case{Pod: pod})
	}
	// Never updated: Pending, bound or not.
	for _, name := range []string{"seed-app", "plain"} {
		cases = append(cases, Case{Pod: g.pod(name, name+" never-updated")})
		pod := g.pod(name, name+" unscheduled")
		pod.Spec.NodeName = ""
		cases = append(cases, Case{Pod: pod})
	}
	// Phases with no container statuses at all.
	for _, phase := range []corev1.PodPhase{corev1.PodRunning, corev1.PodSucceeded, corev1.PodFailed, corev1.PodUnknown} {
		cases = append(cases, g.withPlan("sidecars", Plan{Phase: phase}))
	}
	// Initialized=True overrides a failed init container: RESTARTS and
	// STATUS come from the app containers (when they say anything).
	for _, apps := range [][]State{{RunningReady}, {WaitingCrashLoop}, {TermCompleted}} {
		cases = append(cases, g.withPlan("seed-app", Plan{
			Init:         []State{TermCompleted, TermError, WaitingPodInitializing, WaitingPodInitializing},
			InitRestarts: []Restart{{}, {Count: 5, LastAgo: Ago(3 * time.Minute)}},
			Apps:         apps, Initialized: boolPtr(true), Phase: corev1.PodRunning,
		}))
	}
	// Statuses in an order the kubelet never uses, and for a container the
	// spec does not have.
	cases = append(cases, g.withPlan("seed-app", Plan{Init: []State{TermCompleted, TermCompleted, Running, WaitingPodInitializing},
		Apps: []State{WaitingPodInitializing}, ReverseInit: true}))
	cases = append(cases, g.withPlan("sidecars", Plan{Init: []State{TermCompleted, SidecarReady, Running, WaitingPodInitializing},
		Apps: []State{WaitingPodInitializing}, ReverseInit: true}))
	extra := TermError
	cases = append(cases, g.withPlan("single-init", Plan{Init: []State{TermCompleted}, Apps: []State{RunningReady}, ExtraInit: &extra}))
	pending := WaitingPodInitializing
	cases = append(cases, g.withPlan("single-init", Plan{Init: []State{Running}, Apps: []State{WaitingPodInitializing}, ExtraInit: &pending}))
	return cases
}

func withReason(p Plan, reason string) Plan {
	p.Reason = reason
	return p
}

// random mixes states freely (seeded, so the set is the same every run):
// combinations no table above thought of.
func (g *Generator) random(r *rand.Rand, n int) []Case {
	names := []string{"seed-app", "sidecars", "single-init", "plain"}
	all := append(append(append([]State(nil), InitBlockers...), SidecarBlockers...),
		TermCompleted, TermZeroNoReason, SidecarStarted, SidecarReady, RunningReady, Absent)
	pick := func() State { return all[r.IntN(len(all))] }
	restart := func() Restart {
		switch r.IntN(4) {
		case 0:
			return Restart{}
		case 1:
			return Restart{Count: int32(r.IntN(9))}
		default:
			return Restart{Count: int32(1 + r.IntN(30)), LastAgo: Ago(time.Duration(r.IntN(5*24*3600)) * time.Second)}
		}
	}
	var cases []Case
	for range n {
		name := names[r.IntN(len(names))]
		t := g.template(name)
		var plan Plan
		for range t.Pod.Spec.InitContainers {
			plan.Init = append(plan.Init, pick())
			plan.InitRestarts = append(plan.InitRestarts, restart())
		}
		for range t.Pod.Spec.Containers {
			plan.Apps = append(plan.Apps, pick())
			plan.AppRestarts = append(plan.AppRestarts, restart())
		}
		if r.IntN(5) == 0 {
			plan.Initialized = boolPtr(r.IntN(2) == 0)
		}
		if r.IntN(5) == 0 {
			plan.Ready = boolPtr(r.IntN(2) == 0)
		}
		cases = append(cases, g.withPlan(name, plan))
	}
	return cases
}

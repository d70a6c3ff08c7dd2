package podgen

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// StepPlan is the plan of a pod part-way through initialization, as the
// kubelet reports it: the first done init containers finished (sidecars
// started and ready), the next one running, the rest waiting. With done at
// or past the number of init containers the pod is initialized and its app
// containers run ready.
func StepPlan(pod *corev1.Pod, done int) Plan {
	inits := pod.Spec.InitContainers
	var plan Plan
	for i := range inits {
		switch {
		case i < done && isSidecar(&inits[i]):
			plan.Init = append(plan.Init, SidecarReady)
		case i < done:
			plan.Init = append(plan.Init, TermCompleted)
		case i == done:
			plan.Init = append(plan.Init, Running)
		default:
			plan.Init = append(plan.Init, WaitingPodInitializing)
		}
	}
	for range pod.Spec.Containers {
		if done >= len(inits) {
			plan.Apps = append(plan.Apps, RunningReady)
		} else {
			plan.Apps = append(plan.Apps, WaitingPodInitializing)
		}
	}
	return plan
}

// Step makes a seed-app pod at init step done (see StepPlan).
func (g *Generator) Step(done int) Case {
	return g.withPlan("seed-app", StepPlan(g.template("seed-app").Pod, done))
}

// Spread makes the i-th pod of a large load: seed-app pods spread over
// every init step, with some crash-looping and failed init containers, as
// a rollout in trouble looks.
func (g *Generator) Spread(i int) Case {
	pod := g.template("seed-app").Pod
	switch i % 8 {
	case 5:
		plan := StepPlan(pod, 2)
		plan.Init[2] = WaitingCrashLoop
		plan.InitRestarts = []Restart{{}, {}, {Count: 6, LastAgo: Ago(90 * time.Second)}}
		return g.withPlan("seed-app", plan)
	case 6:
		plan := StepPlan(pod, 1)
		plan.Init[1] = TermError
		return g.withPlan("seed-app", plan)
	case 7:
		return g.Step(len(pod.Spec.InitContainers))
	default:
		return g.Step(i % 8)
	}
}

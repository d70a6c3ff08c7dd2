package model

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// EffectiveResources computes the requests and limits the scheduler and the
// kubelet account for pod, and which side sets them.
//
// The rule is the one of k8s.io/component-helpers/resource (KEP-753, native
// sidecars, Kubernetes >= 1.29): walking init containers in order, a sidecar
// adds to a running total that stays for the pod's life, and a classic init
// container needs its own value plus the sidecars started before it; the init
// side is the largest of those. The app side is the sum of app containers and
// all sidecars. The pod needs max(init, app), replaced by spec.resources when
// set, plus spec.overhead (added to limits only when a limit is set). Values
// come from the spec, as the apiserver defaulted them (a limit without a
// request implies the request).
func EffectiveResources(pod *corev1.Pod) Resources {
	return Resources{
		CPURequest:    figure(pod, corev1.ResourceCPU, requestsOf, true),
		CPULimit:      figure(pod, corev1.ResourceCPU, limitsOf, false),
		MemoryRequest: figure(pod, corev1.ResourceMemory, requestsOf, true),
		MemoryLimit:   figure(pod, corev1.ResourceMemory, limitsOf, false),
	}
}

func requestsOf(r *corev1.ResourceRequirements) corev1.ResourceList { return r.Requests }
func limitsOf(r *corev1.ResourceRequirements) corev1.ResourceList   { return r.Limits }

// amount is a quantity that may be absent (no container sets it).
type amount struct {
	q   resource.Quantity
	set bool
}

func (a *amount) add(q resource.Quantity) {
	if !a.set {
		a.q, a.set = q.DeepCopy(), true
		return
	}
	a.q.Add(q)
}

func (a *amount) raise(b amount) {
	if b.set && (!a.set || b.q.Cmp(a.q) > 0) {
		a.q, a.set = b.q.DeepCopy(), true
	}
}

func (a amount) String() string {
	if !a.set {
		return ""
	}
	return a.q.String()
}

func figure(pod *corev1.Pod, name corev1.ResourceName, list func(*corev1.ResourceRequirements) corev1.ResourceList, isRequest bool) ResourceFigure {
	var app, initMax, sidecars amount
	for i := range pod.Spec.Containers {
		if q, ok := list(&pod.Spec.Containers[i].Resources)[name]; ok {
			app.add(q)
		}
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		q, ok := list(&c.Resources)[name]
		if isRestartable(c) {
			if ok {
				sidecars.add(q)
				app.add(q)
			}
			initMax.raise(sidecars)
			continue
		}
		// Own value first, then the sidecars: the sum keeps the format of
		// its first term, and upstream adds in this order.
		var need amount
		if ok {
			need.add(q)
		}
		if sidecars.set {
			need.add(sidecars.q)
		}
		initMax.raise(need)
	}

	f := ResourceFigure{Init: initMax.String(), App: app.String()}
	effective := app
	effective.q = app.q.DeepCopy()
	effective.raise(initMax)
	switch {
	case initMax.set && app.set && initMax.q.Cmp(app.q) == 0:
		f.Dominant = SideTie
	case initMax.set && (!app.set || initMax.q.Cmp(app.q) > 0):
		f.Dominant = SideInit
	case app.set:
		f.Dominant = SideApp
	}
	if pod.Spec.Resources != nil {
		if q, ok := list(pod.Spec.Resources)[name]; ok {
			effective = amount{q: q.DeepCopy(), set: true}
			f.Dominant = SidePod
		}
	}
	if oh, ok := pod.Spec.Overhead[name]; ok && (isRequest || (effective.set && !effective.q.IsZero())) {
		f.Overhead = oh.String()
		effective.add(oh)
	}
	f.Effective = effective.String()
	if effective.set {
		if name == corev1.ResourceCPU {
			f.Value = effective.q.MilliValue()
		} else {
			f.Value = effective.q.Value()
		}
	}
	return f
}

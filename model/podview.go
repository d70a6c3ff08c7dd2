package model

import (
	"cmp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NewPodView computes everything the pod list and `initwatch get` show for
// pod at now. Call it when the pod changes (and on the clock tick that
// refreshes ages), never from a View.
func NewPodView(pod *corev1.Pod, now time.Time) PodView {
	return newPodView(InitSteps(pod, now), pod, now)
}

// PodViewer computes pod views whose steps live in memory of its own,
// reused from one view to the next: the pod list computes a view on every
// change of a pod only to copy a few fields out of it, and at 5,000
// changes a second the steps alone (some 270 bytes each) were a tenth of
// everything initwatch allocated. The zero value is ready to use.
type PodViewer struct {
	steps []InitStep
}

// View returns NewPodView(pod, now); its Steps are valid until the next
// View, and nothing may keep them.
func (pv *PodViewer) View(pod *corev1.Pod, now time.Time) PodView {
	clear(pv.steps) // let the last pod's strings go
	pv.steps = appendInitSteps(pv.steps[:0], pod, now)
	steps := pv.steps
	if len(steps) == 0 {
		steps = nil // as InitSteps returns for a pod without init containers
	}
	return newPodView(steps, pod, now)
}

func newPodView(steps []InitStep, pod *corev1.Pod, now time.Time) PodView {
	printed := Print(pod, now)
	v := PodView{
		Context:       ContextOf(pod),
		Namespace:     pod.Namespace,
		Name:          pod.Name,
		UID:           string(pod.UID),
		Labels:        pod.Labels,
		Owner:         ownerOf(pod),
		Node:          pod.Spec.NodeName,
		Phase:         string(pod.Status.Phase),
		RestartPolicy: string(pod.Spec.RestartPolicy),
		Created:       pod.CreationTimestamp.Time,
		Printed:       printed,
		Steps:         steps,
		Progress:      InitProgress(pod, steps),
	}
	v.Category = Categorize(pod.Status.Phase, printed, steps)
	return v
}

// ownerOf names the controller of pod as "Kind/name", falling back to the
// first owner when none is marked as controller.
func ownerOf(pod *corev1.Pod) string {
	refs := pod.OwnerReferences
	if len(refs) == 0 {
		return ""
	}
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		ref = &refs[0]
	}
	return Sanitize(ref.Kind + "/" + ref.Name)
}

// isInitCount reports whether status has the shape Init:N/M.
func isInitCount(status string) bool {
	rest, ok := strings.CutPrefix(status, "Init:")
	if !ok {
		return false
	}
	n, m, ok := strings.Cut(rest, "/")
	return ok && isDigits(n) && isDigits(m)
}

// isExitStatus reports whether status has the shape [Init:]ExitCode:N or
// [Init:]Signal:N, what kubectl prints for an exit without a reason.
func isExitStatus(status string) bool {
	rest := strings.TrimPrefix(status, "Init:")
	for _, prefix := range []string{"ExitCode:", "Signal:"} {
		if num, ok := strings.CutPrefix(rest, prefix); ok {
			return isDigits(strings.TrimPrefix(num, "-"))
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// failureReasons are the STATUS values (with or without "Init:") that mean
// something went wrong rather than "not there yet".
var failureReasons = map[string]bool{
	"Error":                      true,
	"CrashLoopBackOff":           true,
	"ImagePullBackOff":           true,
	"ErrImagePull":               true,
	"ErrImageNeverPull":          true,
	"InvalidImageName":           true,
	"ImageInspectError":          true,
	"RegistryUnavailable":        true,
	"SignatureValidationFailed":  true,
	"CreateContainerConfigError": true,
	"CreateContainerError":       true,
	"RunContainerError":          true,
	"PreStartHookError":          true,
	"PostStartHookError":         true,
	"StartError":                 true,
	"ContainerCannotRun":         true,
	"OOMKilled":                  true,
	"ContainerStatusUnknown":     true,
	"DeadlineExceeded":           true,
	"Evicted":                    true,
	"Failed":                     true,
	"UnexpectedAdmissionError":   true,
	"NodeAffinity":               true,
	"OutOfcpu":                   true,
	"OutOfmemory":                true,
}

// startingReasons are the STATUS values of a pod on its way up.
var startingReasons = map[string]bool{
	"Pending":           true,
	"PodInitializing":   true,
	"ContainerCreating": true,
	"SchedulingGated":   true,
}

// Categorize sorts a pod into the header groups from its phase, printed
// columns and init steps. A pod being deleted (Terminating, Unknown) is
// not-ready whatever else holds; a failing step makes the pod failing even
// when STATUS still reads Init:N/M or Running.
func Categorize(phase corev1.PodPhase, p Printed, steps []InitStep) Category {
	status := p.Status
	switch {
	case status == statusTerminating || status == statusUnknown:
		return CategoryNotReady
	case phase == corev1.PodSucceeded || status == reasonCompleted:
		return CategoryDone
	case phase == corev1.PodFailed || isFailureStatus(status):
		return CategoryFailing
	}
	for i := range steps {
		if steps[i].Phase == PhaseFailed || steps[i].Phase == PhaseCrashLooping {
			return CategoryFailing
		}
	}
	switch {
	// Any Init: status left is Init:N/M or a harmless waiting reason.
	case strings.HasPrefix(status, "Init:"), startingReasons[status], phase == corev1.PodPending:
		return CategoryInitializing
	case status == statusRunning && p.TotalCount > 0 && p.ReadyCount == p.TotalCount:
		return CategoryReady
	}
	return CategoryNotReady
}

func isFailureStatus(status string) bool {
	if isExitStatus(status) {
		return true
	}
	reason, isInit := strings.CutPrefix(status, "Init:")
	if isInit && !isInitCount(status) && !startingReasons[reason] {
		// kubectl prints Init:<reason> only for a failed exit or a waiting
		// reason other than PodInitializing: all of them are trouble.
		return true
	}
	return failureReasons[reason]
}

// String names a category as the header shows it.
func (c Category) String() string {
	switch c {
	case CategoryFailing:
		return "failing"
	case CategoryInitializing:
		return "initializing"
	case CategoryNotReady:
		return "not-ready"
	case CategoryReady:
		return "ready"
	case CategoryDone:
		return "done"
	}
	return "unknown"
}

// SortKey selects a pod list order.
type SortKey string

const (
	SortDefault   SortKey = "default"   // category (failing first), then namespace, name
	SortName      SortKey = "name"      // name, then namespace
	SortNamespace SortKey = "namespace" // namespace, then name
	SortAge       SortKey = "age"       // oldest first, then namespace, name
	SortRestarts  SortKey = "restarts"  // most restarts first, then namespace, name
)

// SortKeys lists the orders in the order a key cycles through them.
var SortKeys = []SortKey{SortDefault, SortName, SortNamespace, SortAge, SortRestarts}

// Compare orders two pods by key, for slices.SortFunc: negative when a comes
// first. Every key ends on namespace, name and context, so the order is total and a
// list does not jitter between frames. An unknown key sorts as SortDefault.
func Compare(a, b *PodView, key SortKey) int {
	var c int
	switch key {
	case SortName:
		c = cmp.Compare(a.Name, b.Name)
	case SortNamespace:
		// falls through to the namespace/name tie-break
	case SortAge:
		c = a.Created.Compare(b.Created)
	case SortRestarts:
		c = cmp.Compare(b.Printed.RestartCount, a.Printed.RestartCount)
	default:
		c = cmp.Compare(a.Category, b.Category)
	}
	if c != 0 {
		return c
	}
	if c = cmp.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	if c = cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	// The same namespace/name in two clusters: side by side, by context.
	if c = cmp.Compare(a.Context, b.Context); c != 0 {
		return c
	}
	return cmp.Compare(a.UID, b.UID)
}

// Less is Compare for sort.Slice.
func Less(a, b *PodView, key SortKey) bool { return Compare(a, b, key) < 0 }

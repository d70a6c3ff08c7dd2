package rollout

import (
	"cmp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

// StepKind says what failed in a signature.
type StepKind string

const (
	StepInit       StepKind = "init"       // a classic init container
	StepSidecar    StepKind = "sidecar"    // a native sidecar (init container with restartPolicy Always)
	StepContainer  StepKind = "container"  // an app container
	StepScheduling StepKind = "scheduling" // the pod could not be scheduled
	StepPod        StepKind = "pod"        // the pod failed as a whole (Evicted, DeadlineExceeded, ...)
)

// Signature is one way pods fail, and the pods failing that way: pods of one
// workload grouped by (step, reason, exit code, signal, normalised message).
//
// This is a shared contract: the rollouts view, `initwatch rollouts` and
// `initwatch wait`'s diagnosis all print it. Fields are only ever added.
//
// Which pods count: a pod whose container is failing now (terminated
// non-zero, waiting in CrashLoopBackOff or with an error reason such as
// ErrImagePull), or whose init container is retrying after a failed run
// (running or waiting again, its last run failed) — a crash-looping pod stays
// in its signature between restarts instead of hopping in and out. Also pods
// the scheduler cannot place (StepScheduling) and pods failed as a whole
// without a failed container (StepPod). App containers count only while
// failing now, not for a crash long since healed.
type Signature struct {
	Workload WorkloadRef `json:"workload"`
	// Step is the container's name; "" for StepScheduling and StepPod.
	Step     string   `json:"step,omitempty"`
	StepKind StepKind `json:"stepKind"`
	// StepIndex is the container's position in its spec list (init
	// containers in spec order), -1 for pod-level signatures.
	StepIndex int `json:"stepIndex"`
	// Reason is the failed run's termination reason (Error, OOMKilled,
	// StartError, ...), or the waiting reason when no run ended
	// (ErrImagePull and ImagePullBackOff both as ErrImagePull,
	// CreateContainerConfigError, ...), or Unschedulable, or the pod's reason.
	Reason   string `json:"reason"`
	ExitCode *int32 `json:"exitCode,omitempty"`
	Signal   *int32 `json:"signal,omitempty"`
	// Message is the example pod's termination (or waiting, or condition)
	// message, sanitised; Pattern is the normalised form all the pods
	// share: numbers, addresses, hashes, the pod's and node's names replaced.
	Message string `json:"message,omitempty"`
	Pattern string `json:"pattern,omitempty"`
	// Image is the failing container's image on the example pod.
	Image string `json:"image,omitempty"`

	Count int `json:"count"` // pods
	// CrashLooping counts the pods now waiting in CrashLoopBackOff (or
	// ImagePullBackOff); Retrying those running the step again after a
	// failed run; NotRetrying those failed for good: the pod failed, or
	// restartPolicy Never (or the container's restart rules) will not run
	// the step again.
	CrashLooping int `json:"crashLooping"`
	Retrying     int `json:"retrying"`
	NotRetrying  int `json:"notRetrying"`
	// WillNotRetry is true when every pod of the signature failed for good.
	WillNotRetry bool  `json:"willNotRetry"`
	Restarts     int64 `json:"restarts"` // of the step, summed over the pods
	// FirstSeen and LastSeen bound the failed runs' finish times (the
	// condition's transition for scheduling, the pod's creation when the
	// status dates nothing).
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	// Nodes holds the pods per node, most first; a pod not yet scheduled
	// counts under "". OnOneNode tells "all N on node X".
	Nodes []NodeCount `json:"nodes"`
	// Example is the pod that failed last (its logs are the freshest).
	Example PodRef `json:"example"`
	// Pods lists every pod of the signature, sorted by name.
	Pods []PodRef `json:"pods"`
}

// NodeCount is how many pods of a signature are on one node.
type NodeCount struct {
	Node  string `json:"node"`
	Count int    `json:"count"`
}

// OnOneNode returns the node when every pod of the signature is on the same
// (scheduled) node and there is more than one pod — worth saying, since it
// points at the node rather than the release.
func (s *Signature) OnOneNode() (string, bool) {
	if len(s.Nodes) == 1 && s.Nodes[0].Node != "" && s.Count > 1 {
		return s.Nodes[0].Node, true
	}
	return "", false
}

// sigKey groups failures into signatures.
type sigKey struct {
	workload WorkloadRef
	step     string
	kind     StepKind
	reason   string
	exitCode int64 // math.MinInt64 when none
	signal   int32
	pattern  string
}

const noExit = -1 << 63

// failure is one pod's failure of one step.
type failure struct {
	step      string
	kind      StepKind
	index     int
	reason    string
	exitCode  *int32
	signal    *int32
	message   string
	pattern   string
	image     string
	at        time.Time
	backOff   bool
	retrying  bool
	permanent bool
	restarts  int32
}

func (f *failure) key(w WorkloadRef) sigKey {
	k := sigKey{workload: w, step: f.step, kind: f.kind, reason: f.reason, exitCode: noExit, pattern: f.pattern}
	if f.exitCode != nil {
		k.exitCode = int64(*f.exitCode)
	}
	if f.signal != nil {
		k.signal = *f.signal
	}
	return k
}

// Signatures groups the failing pods of pods into signatures, placing each
// pod in its workload with owners (nil: from the pods alone), most pods
// first. Pass the pods to judge (e.g. only a new revision's): every pod given
// is considered. now dates nothing here yet but keeps the signature of the
// summary's other functions; it is used for pods without any date.
func Signatures(pods []*corev1.Pod, owners *Owners, now time.Time) []Signature {
	g := newSigGrouper()
	var buf []failure
	for _, pod := range pods {
		if pod == nil {
			continue
		}
		buf = podFailures(pod, now, buf[:0])
		if len(buf) == 0 {
			continue
		}
		place := owners.Resolve(pod)
		ref := RefOf(pod)
		for i := range buf {
			g.add(place.Workload, ref, &buf[i])
		}
	}
	return g.result()
}

// sigGrouper accumulates failures into signatures.
type sigGrouper struct {
	index  map[sigKey]int
	sigs   []Signature
	latest []time.Time // when the example failed, per signature
}

func newSigGrouper() *sigGrouper { return &sigGrouper{index: make(map[sigKey]int)} }

func (g *sigGrouper) add(w WorkloadRef, ref PodRef, f *failure) {
	k := f.key(w)
	i, ok := g.index[k]
	if !ok {
		i = len(g.sigs)
		g.index[k] = i
		g.sigs = append(g.sigs, Signature{
			Workload: w, Step: f.step, StepKind: f.kind, StepIndex: f.index,
			Reason: f.reason, ExitCode: f.exitCode, Signal: f.signal,
			Pattern: f.pattern, FirstSeen: f.at, LastSeen: f.at,
		})
		g.latest = append(g.latest, time.Time{})
	}
	s := &g.sigs[i]
	s.Count++
	s.Pods = append(s.Pods, ref)
	s.Restarts += int64(f.restarts)
	switch {
	case f.permanent:
		s.NotRetrying++
	case f.backOff:
		s.CrashLooping++
	case f.retrying:
		s.Retrying++
	}
	if f.at.Before(s.FirstSeen) {
		s.FirstSeen = f.at
	}
	if f.at.After(s.LastSeen) {
		s.LastSeen = f.at
	}
	// The example is the latest failure; ties go to the first name, so the
	// choice does not depend on the order pods came in.
	if s.Example.Name == "" || f.at.After(g.latest[i]) ||
		(f.at.Equal(g.latest[i]) && comparePodRefs(ref, s.Example) < 0) {
		s.Example, s.Message, s.Image = ref, f.message, f.image
		g.latest[i] = f.at
	}
}

func (g *sigGrouper) result() []Signature {
	for i := range g.sigs {
		s := &g.sigs[i]
		s.WillNotRetry = s.NotRetrying == s.Count
		slices.SortFunc(s.Pods, comparePodRefs)
		s.Nodes = countNodes(s.Pods)
	}
	slices.SortStableFunc(g.sigs, compareSignatures)
	return g.sigs
}

// compareSignatures orders the most pods first, then the latest failure,
// then by workload and step so the order is stable.
func compareSignatures(a, b Signature) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
		return c
	}
	if c := compareRefs(a.Workload, b.Workload); c != 0 {
		return c
	}
	if c := cmp.Compare(a.StepIndex, b.StepIndex); c != 0 {
		return c
	}
	return cmp.Or(strings.Compare(a.Step, b.Step), strings.Compare(a.Reason, b.Reason), strings.Compare(a.Pattern, b.Pattern))
}

func comparePodRefs(a, b PodRef) int {
	return cmp.Or(strings.Compare(a.Context, b.Context), strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
}

func countNodes(pods []PodRef) []NodeCount {
	var nodes []NodeCount
	for _, p := range pods {
		i := slices.IndexFunc(nodes, func(n NodeCount) bool { return n.Node == p.Node })
		if i < 0 {
			nodes = append(nodes, NodeCount{Node: p.Node})
			i = len(nodes) - 1
		}
		nodes[i].Count++
	}
	slices.SortFunc(nodes, func(a, b NodeCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Node, b.Node))
	})
	return nodes
}

// podFailures appends to buf the failures pod shows now.
func podFailures(pod *corev1.Pod, now time.Time, buf []failure) []failure {
	n := len(buf)
	podFailed := pod.Status.Phase == corev1.PodFailed
	initDone := initializedTrue(pod)
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		cs := statusOf(pod.Status.InitContainerStatuses, c.Name)
		if cs == nil {
			continue
		}
		kind := StepInit
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			kind = StepSidecar
		}
		// Before initialization completes a classic init container is
		// retried, so its failed last run still describes the pod; after
		// it, only a sidecar can fail again.
		retryCounts := !initDone && kind == StepInit
		if f, ok := containerFailure(pod, c, cs, kind, i, retryCounts, podFailed); ok {
			buf = append(buf, f)
		}
	}
	if initDone || len(pod.Spec.InitContainers) == 0 {
		for i := range pod.Spec.Containers {
			c := &pod.Spec.Containers[i]
			cs := statusOf(pod.Status.ContainerStatuses, c.Name)
			if cs == nil {
				continue
			}
			if f, ok := containerFailure(pod, c, cs, StepContainer, i, false, podFailed); ok {
				buf = append(buf, f)
			}
		}
	}
	if len(buf) > n {
		return buf
	}
	if f, ok := podLevelFailure(pod, now); ok {
		buf = append(buf, f)
	}
	return buf
}

// containerFailure tells whether the container status shows a failure, and
// which. retryCounts includes a container running or waiting again after a
// failed run.
func containerFailure(pod *corev1.Pod, c *corev1.Container, cs *corev1.ContainerStatus,
	kind StepKind, index int, retryCounts, podFailed bool) (failure, bool) {
	f := failure{
		step: c.Name, kind: kind, index: index, image: c.Image,
		restarts: cs.RestartCount,
	}
	st, last := cs.State, cs.LastTerminationState
	var run *corev1.ContainerStateTerminated
	switch {
	case st.Terminated != nil && st.Terminated.ExitCode != 0:
		run = st.Terminated
		f.permanent = podFailed || !model.ContainerRestarts(&pod.Spec, c, run.ExitCode)
	case st.Waiting != nil && isBackOff(st.Waiting.Reason):
		f.backOff = true
		if last.Terminated != nil && last.Terminated.ExitCode != 0 {
			run = last.Terminated
		} else {
			f.reason, f.message = canonicalWaiting(st.Waiting.Reason), st.Waiting.Message
		}
	case st.Waiting != nil && model.IsErrorWaitingReason(st.Waiting.Reason):
		f.reason, f.message = canonicalWaiting(st.Waiting.Reason), st.Waiting.Message
	case retryCounts && last.Terminated != nil && last.Terminated.ExitCode != 0 &&
		(st.Running != nil || st.Waiting != nil):
		run = last.Terminated
		f.retrying = true
	default:
		return failure{}, false
	}
	if run != nil {
		f.reason = run.Reason
		if f.reason == "" {
			f.reason = "Error"
		}
		code := run.ExitCode
		f.exitCode = &code
		if run.Signal != 0 {
			sig := run.Signal
			f.signal = &sig
		}
		f.message = run.Message
		f.at = run.FinishedAt.Time
	}
	f.reason = model.Sanitize(f.reason)
	f.message = model.SanitizeMultiline(strings.TrimSpace(f.message))
	f.pattern = Normalize(f.message, pod.Name, pod.Spec.NodeName)
	if f.at.IsZero() {
		f.at = podDate(pod)
	}
	if podFailed {
		f.permanent = true
	}
	return f, true
}

// podLevelFailure is a failure of the pod itself: unschedulable, or failed
// without a failed container to blame (evicted, past its deadline).
func podLevelFailure(pod *corev1.Pod, now time.Time) (failure, bool) {
	if pod.Status.Phase == corev1.PodFailed {
		f := failure{kind: StepPod, index: -1, reason: model.Sanitize(pod.Status.Reason), permanent: true, at: podDate(pod)}
		if f.reason == "" {
			f.reason = "Failed"
		}
		f.message = model.SanitizeMultiline(strings.TrimSpace(pod.Status.Message))
		f.pattern = Normalize(f.message, pod.Name, pod.Spec.NodeName)
		return f, true
	}
	if pod.Spec.NodeName != "" || pod.DeletionTimestamp != nil {
		return failure{}, false
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			f := failure{kind: StepScheduling, index: -1, reason: c.Reason, at: c.LastTransitionTime.Time}
			f.message = model.SanitizeMultiline(strings.TrimSpace(c.Message))
			f.pattern = Normalize(f.message, pod.Name, "")
			if f.at.IsZero() {
				f.at = podDate(pod)
			}
			_ = now
			return f, true
		}
	}
	return failure{}, false
}

// podDate dates a failure the status does not: the pod's creation.
func podDate(pod *corev1.Pod) time.Time { return pod.CreationTimestamp.Time }

func statusOf(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

func initializedTrue(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodInitialized {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// isBackOff tells the waiting reasons the kubelet uses between retries.
func isBackOff(reason string) bool {
	return reason == "CrashLoopBackOff" || reason == "ImagePullBackOff"
}

// canonicalWaiting folds the two faces of one image pull failure (the
// kubelet alternates between them) into one signature.
func canonicalWaiting(reason string) string {
	if reason == "ImagePullBackOff" {
		return "ErrImagePull"
	}
	return reason
}

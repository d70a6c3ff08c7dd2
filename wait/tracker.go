package wait

import (
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/kubectl/pkg/polymorphichelpers"
	deploymentutil "k8s.io/kubectl/pkg/util/deployment"

	"github.com/initwatch/initwatch/model"
)

// Tracker holds what the watches delivered about the targets of one
// `initwatch wait` and judges it. It is not safe for concurrent use: the
// command's loop owns it.
type Tracker struct {
	// context is the kubeconfig context the tracker judges when a wait
	// spans several clusters (see Clusters); "" for one cluster.
	context string
	rules   Rules
	targets []*tracked
	pods    map[types.UID]*podEntry
	rs      map[types.UID]*appsv1.ReplicaSet
	events  map[types.UID]*corev1.Event
}

type tracked struct {
	target Target
	For    For
	obj    metav1.Object // the workload or the pod; nil until seen
	gone   bool          // deleted while waiting
	// printed is the message the last change line showed.
	printed string
}

type podEntry struct {
	pod   *corev1.Pod
	view  model.PodView
	mem   podMemory
	steps []model.InitStep

	// What the last change line showed.
	printed         string
	printedRestarts int
	printedSteps    []model.InitStep
}

// NewTracker starts tracking targets, each with its --for.
func NewTracker(rules Rules, targets []Target, fors []For) *Tracker {
	t := &Tracker{rules: rules, pods: map[types.UID]*podEntry{},
		rs: map[types.UID]*appsv1.ReplicaSet{}, events: map[types.UID]*corev1.Event{}}
	for i, tg := range targets {
		t.targets = append(t.targets, &tracked{target: tg, For: fors[i]})
	}
	return t
}

// SetObject records the latest version of a target's workload (or pod), or
// of a ReplicaSet (for a Deployment's revisions).
func (t *Tracker) SetObject(obj metav1.Object) {
	if rs, ok := obj.(*appsv1.ReplicaSet); ok {
		t.rs[rs.UID] = rs
	}
	kind := kindOf(obj)
	for _, tr := range t.targets {
		if tr.target.Kind == kind && tr.target.Name == obj.GetName() {
			tr.obj = obj
			tr.gone = false
		}
	}
}

// RemoveObject records a deletion.
func (t *Tracker) RemoveObject(obj metav1.Object) {
	if rs, ok := obj.(*appsv1.ReplicaSet); ok {
		delete(t.rs, rs.UID)
	}
	kind := kindOf(obj)
	for _, tr := range t.targets {
		if tr.target.Kind == kind && tr.target.Name == obj.GetName() {
			tr.gone = true
		}
	}
}

func kindOf(obj metav1.Object) Kind {
	switch obj.(type) {
	case *corev1.Pod:
		return KindPod
	case *appsv1.Deployment:
		return KindDeployment
	case *appsv1.StatefulSet:
		return KindStatefulSet
	case *appsv1.DaemonSet:
		return KindDaemonSet
	case *appsv1.ReplicaSet:
		return KindReplicaSet
	case *batchv1.Job:
		return KindJob
	}
	return ""
}

// UpsertPod records a pod's latest version.
func (t *Tracker) UpsertPod(pod *corev1.Pod, now time.Time) {
	e := t.pods[pod.UID]
	if e == nil {
		e = &podEntry{}
		t.pods[pod.UID] = e
	}
	e.pod = pod
	e.view = model.NewPodView(pod, now)
	e.steps = e.view.Steps
	e.mem.observe(pod, now)
	t.SetObject(pod)
}

// RemovePod forgets a deleted pod.
func (t *Tracker) RemovePod(namespace, name string) {
	for uid, e := range t.pods {
		if e.pod.Namespace == namespace && e.pod.Name == name {
			delete(t.pods, uid)
		}
	}
	for _, tr := range t.targets {
		if tr.target.Kind == KindPod && tr.target.Name == name {
			tr.gone = true
		}
	}
}

// UpsertEvent records an event; RemoveEvent forgets one.
func (t *Tracker) UpsertEvent(ev *corev1.Event) { t.events[ev.UID] = ev }

// RemoveEvent forgets an event.
func (t *Tracker) RemoveEvent(ev *corev1.Event) { delete(t.events, ev.UID) }

// members are the pods a target is judged on: for workloads, the new
// revision's pods only, in name order.
func (t *Tracker) members(tr *tracked) []*podEntry {
	var out []*podEntry
	match := t.memberFunc(tr)
	if match == nil {
		return nil
	}
	for _, e := range t.pods {
		if match(e.pod) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *podEntry) int { return strings.Compare(a.pod.Name, b.pod.Name) })
	return out
}

func (t *Tracker) memberFunc(tr *tracked) func(*corev1.Pod) bool {
	switch tr.target.Kind {
	case KindSelector:
		return func(*corev1.Pod) bool { return true }
	case KindPod:
		return func(p *corev1.Pod) bool { return p.Name == tr.target.Name }
	}
	if tr.obj == nil {
		return nil
	}
	owner := tr.obj.GetUID()
	switch o := tr.obj.(type) {
	case *appsv1.Deployment:
		rs := t.newReplicaSet(o)
		if rs == nil {
			return nil
		}
		return func(p *corev1.Pod) bool { return controlledBy(p, rs.UID) }
	case *appsv1.StatefulSet:
		rev := o.Status.UpdateRevision
		return func(p *corev1.Pod) bool {
			return controlledBy(p, owner) && (rev == "" || p.Labels[appsv1.ControllerRevisionHashLabelKey] == rev)
		}
	case *appsv1.DaemonSet:
		gen := o.Annotations["deprecated.daemonset.template.generation"]
		return func(p *corev1.Pod) bool {
			return controlledBy(p, owner) && (gen == "" || p.Labels["pod-template-generation"] == gen)
		}
	}
	return func(p *corev1.Pod) bool { return controlledBy(p, owner) }
}

// newReplicaSet is the Deployment's ReplicaSet at its current revision
// (the revision annotation the deployment controller writes on both), or
// nil while the controller has not created it.
func (t *Tracker) newReplicaSet(d *appsv1.Deployment) *appsv1.ReplicaSet {
	rev, err := deploymentutil.Revision(d)
	if err != nil || rev == 0 {
		return nil
	}
	for _, rs := range t.rs {
		if !controlledBy(rs, d.UID) {
			continue
		}
		if r, err := deploymentutil.Revision(rs); err == nil && r == rev {
			return rs
		}
	}
	return nil
}

func controlledBy(obj metav1.Object, uid types.UID) bool {
	ref := metav1.GetControllerOfNoCopy(obj)
	return ref != nil && ref.UID == uid
}

// State is where waiting stands.
type State string

const (
	Waiting State = "waiting"
	Done    State = "done"
	Failed  State = "failed"
	// TimedOut is set by the command when --timeout passed.
	TimedOut State = "timed out"
)

// Verdict is the judgement of every target at one instant.
type Verdict struct {
	State   State          `json:"state"`
	Trips   []Trip         `json:"stops,omitempty"`
	Targets []TargetStatus `json:"targets"`
}

// TargetStatus is one target's progress.
type TargetStatus struct {
	// Context is the cluster judged, when a wait spans several.
	Context string `json:"context,omitempty"`
	Target  string `json:"target"`
	For     For    `json:"for"`
	Done    bool   `json:"done"`
	// Message is kubectl rollout status's line for rollouts, else a count
	// of the pods done.
	Message string `json:"message"`
	// Pods are the pods judged (the new revision's, for workloads).
	Pods []string `json:"pods"`
	// Err is a rollout status kubectl cannot give (OnDelete strategy...).
	Err string `json:"error,omitempty"`
}

// Evaluate judges every target at now.
func (t *Tracker) Evaluate(now time.Time) Verdict {
	v := Verdict{State: Done}
	for _, tr := range t.targets {
		st, trips := t.evaluate(tr, now)
		st.Context = t.context
		for i := range trips {
			trips[i].Context = t.context
		}
		v.Targets = append(v.Targets, st)
		v.Trips = append(v.Trips, trips...)
		if !st.Done {
			v.State = Waiting
		}
		if st.Err != "" {
			v.Trips = append(v.Trips, Trip{Rule: RuleRolloutStatus, Context: t.context, Target: st.Target, Detail: st.Err})
		}
	}
	if len(v.Trips) > 0 {
		v.State = Failed
	}
	return v
}

// RuleRolloutStatus: kubectl's rollout status code refused the object
// (an OnDelete update strategy, say), as `kubectl rollout status` would.
const RuleRolloutStatus Rule = "rollout-status"

func (t *Tracker) evaluate(tr *tracked, now time.Time) (TargetStatus, []Trip) {
	name := tr.target.String()
	st := TargetStatus{Target: name, For: tr.For}
	members := t.members(tr)
	var trips []Trip
	for _, e := range members {
		st.Pods = append(st.Pods, e.pod.Name)
		if e.pod.DeletionTimestamp != nil {
			continue // going away: its failures no longer matter
		}
		trips = append(trips, t.rules.checkPod(name, e.pod, e.steps, &e.mem, now)...)
	}
	if tr.target.Kind != KindPod && tr.target.Kind != KindSelector && tr.obj == nil {
		st.Message = fmt.Sprintf("waiting for %s to be seen", name)
		return st, trips
	}
	if tr.gone {
		st.Message = name + " was deleted"
		return st, trips
	}
	if tr.For == ForRollout {
		return t.rollout(tr, st, trips)
	}
	done, total := 0, 0
	for _, e := range members {
		if e.pod.DeletionTimestamp != nil {
			continue
		}
		total++
		if podDone(e, tr.For) {
			done++
		}
	}
	want := total
	if n, ok := desiredReplicas(tr.obj); ok {
		want = n
	}
	word := "ready"
	if tr.For == ForInitialized {
		word = "initialized"
	}
	switch {
	case want == 0 && tr.target.Kind == KindSelector:
		st.Message = "no pod matches " + tr.target.Selector + " yet"
	case total == 0 && tr.target.Kind == KindPod:
		st.Message = "pod " + tr.target.Name + " not seen yet"
	default:
		st.Message = fmt.Sprintf("%d of %d pods %s", done, want, word)
		st.Done = done >= want && total <= max(want, done) && (want > 0 || tr.target.Kind != KindSelector)
	}
	if d, ok := tr.obj.(*appsv1.Deployment); ok && d.Generation > d.Status.ObservedGeneration {
		st.Done = false
		st.Message = "waiting for the deployment spec update to be observed"
	}
	return st, trips
}

func podDone(e *podEntry, f For) bool {
	if e.pod.Status.Phase == corev1.PodSucceeded {
		return true
	}
	if f == ForInitialized {
		return e.view.Progress.Initialized || len(e.pod.Spec.InitContainers) == 0 && e.pod.Status.Phase == corev1.PodRunning
	}
	for _, c := range e.pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// desiredReplicas is how many pods a workload wants, for --for ready or
// initialized on a workload.
func desiredReplicas(obj metav1.Object) (int, bool) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return int(ptrOr(o.Spec.Replicas, 1)), true
	case *appsv1.StatefulSet:
		return int(ptrOr(o.Spec.Replicas, 1)), true
	case *appsv1.ReplicaSet:
		return int(ptrOr(o.Spec.Replicas, 1)), true
	case *appsv1.DaemonSet:
		return int(o.Status.DesiredNumberScheduled), true
	}
	return 0, false
}

func ptrOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// rollout judges --for rollout: kubectl's StatusViewer for Deployments,
// StatefulSets and DaemonSets, the Complete and Failed conditions for Jobs.
func (t *Tracker) rollout(tr *tracked, st TargetStatus, trips []Trip) (TargetStatus, []Trip) {
	if job, ok := tr.obj.(*batchv1.Job); ok {
		return jobStatus(job, st, trips)
	}
	robj, ok := tr.obj.(runtime.Object)
	if !ok {
		st.Err = fmt.Sprintf("%s has no rollout status", st.Target)
		return st, trips
	}
	gvk := map[Kind]string{KindDeployment: "Deployment", KindStatefulSet: "StatefulSet", KindDaemonSet: "DaemonSet"}[tr.target.Kind]
	viewer, err := polymorphichelpers.StatusViewerFor(appsv1.SchemeGroupVersion.WithKind(gvk).GroupKind())
	if err != nil {
		st.Err = err.Error()
		return st, trips
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(robj)
	if err != nil {
		st.Err = fmt.Sprintf("read %s: %v", st.Target, err)
		return st, trips
	}
	msg, done, err := viewer.Status(&unstructured.Unstructured{Object: content}, 0)
	st.Message = strings.TrimSpace(msg)
	st.Done = done && err == nil
	if err == nil {
		return st, trips
	}
	if d, isDeploy := tr.obj.(*appsv1.Deployment); isDeploy && progressDeadlineExceeded(d) {
		st.Message = fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name)
		if t.rules.StopOnProgressDeadline {
			trips = append(trips, Trip{Rule: RuleProgressDeadline, Target: st.Target,
				Detail: progressDetail(d) + " (relax with --stop-on-progress-deadline=false)"})
		}
		return st, trips
	}
	st.Err = err.Error()
	return st, trips
}

func progressDeadlineExceeded(d *appsv1.Deployment) bool {
	c := deploymentutil.GetDeploymentCondition(d.Status, appsv1.DeploymentProgressing)
	return c != nil && c.Reason == deploymentutil.TimedOutReason
}

func progressDetail(d *appsv1.Deployment) string {
	c := deploymentutil.GetDeploymentCondition(d.Status, appsv1.DeploymentProgressing)
	msg := fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name)
	if c != nil && c.Message != "" {
		msg += ": " + model.Sanitize(c.Message)
	}
	return msg
}

func jobStatus(job *batchv1.Job, st TargetStatus, trips []Trip) (TargetStatus, []Trip) {
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			st.Done = true
			st.Message = fmt.Sprintf("job %q completed", job.Name)
			return st, trips
		case batchv1.JobFailed:
			msg := fmt.Sprintf("job %q failed", job.Name)
			if c.Reason != "" {
				msg += " (" + model.Sanitize(c.Reason) + ")"
			}
			if c.Message != "" {
				msg += ": " + model.Sanitize(c.Message)
			}
			st.Message = msg
			trips = append(trips, Trip{Rule: RuleJobFailed, Target: st.Target, Detail: msg})
			return st, trips
		}
	}
	completions := ptrOr(job.Spec.Completions, 1)
	st.Message = fmt.Sprintf("waiting for job %q: %d of %d completions, %d active, %d failed",
		job.Name, job.Status.Succeeded, completions, job.Status.Active, job.Status.Failed)
	return st, trips
}

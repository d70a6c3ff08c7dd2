package wait

import (
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// Report is the outcome of a wait: what `-o json` writes as one document,
// and what the text diagnosis prints.
type Report struct {
	Result   State          `json:"result"` // done, failed, timed out
	ExitCode int            `json:"exitCode"`
	Elapsed  string         `json:"elapsed"`
	Targets  []TargetStatus `json:"targets"`
	// Stops are the stop rules that ended the wait (Result failed).
	Stops []Trip `json:"stops,omitempty"`
	// Failures are the failing pods grouped by failure signature, as the
	// rollouts view groups them, each with its example's log and events.
	Failures []Failure `json:"failures,omitempty"`
	// Pending are the judged pods not done yet (Result timed out): where
	// each one stands.
	Pending []Pending `json:"pending,omitempty"`
	// Unjudged are the clusters whose pods could not be read (a wait over
	// several contexts): why each one is missing from the judgement.
	Unjudged []HeldCluster `json:"unjudged,omitempty"`
}

// Failure is one failure signature with what explains it.
type Failure struct {
	rollout.Signature
	// Log is the end of the example pod's failed run, when it had one.
	Log *LogExcerpt `json:"log,omitempty"`
	// Events are the example pod's recent Warning events, newest first.
	Events []model.EventRow `json:"events,omitempty"`
}

// LogExcerpt is the end of one container run's log. The command fills
// Lines (or Err) through the cluster's log API.
type LogExcerpt struct {
	// Context is the pod's cluster, when a wait spans several: its logs
	// are read there.
	Context   string   `json:"context,omitempty"`
	Namespace string   `json:"namespace"`
	Pod       string   `json:"pod"`
	Container string   `json:"container"`
	Previous  bool     `json:"previous"` // the run before the current one (kubectl logs -p)
	TailLines int      `json:"tailLines"`
	Lines     []string `json:"lines"`
	Err       string   `json:"error,omitempty"`
}

// Pending is one pod that was not done when the time ran out.
type Pending struct {
	Context   string `json:"context,omitempty"` // the pod's cluster, when a wait spans several
	Namespace string `json:"namespace"`
	Pod       string `json:"pod"`
	Status    string `json:"status"` // kubectl's STATUS
	Ready     string `json:"ready"`
	// Step is the init container that holds the pod up, with its state
	// and for how long.
	Step    string `json:"step,omitempty"`
	State   string `json:"state,omitempty"` // running, waiting, ...
	For     string `json:"for,omitempty"`   // "19s"
	Message string `json:"message,omitempty"`
}

// maxWarningEvents is how many recent Warning events a failure shows.
const maxWarningEvents = 5

// Diagnose builds the report of verdict v (its State may be overridden to
// TimedOut by the caller first). logLines is --log-lines; 0 asks no logs.
func (t *Tracker) Diagnose(v Verdict, now time.Time, elapsed time.Duration, logLines int) *Report {
	r := &Report{Result: v.State, ExitCode: ExitCodeOf(v.State), Elapsed: model.HumanDuration(elapsed),
		Targets: v.Targets, Stops: v.Trips}
	pods := t.judged()
	if v.State == Done {
		return r
	}
	list := make([]*corev1.Pod, 0, len(pods))
	for _, e := range pods {
		list = append(list, e.pod)
	}
	events := t.eventList()
	for _, sig := range rollout.Signatures(list, nil, now) {
		t.stampSignature(&sig)
		f := Failure{Signature: sig}
		if e := t.podNamed(sig.Example.Namespace, sig.Example.Name); e != nil {
			f.Log = failedRun(e.pod, sig, logLines)
			f.Events = warnings(e.pod, events, now)
			if f.Log != nil {
				f.Log.Context = t.context
			}
		}
		r.Failures = append(r.Failures, f)
	}
	if v.State == TimedOut {
		for _, e := range pods {
			if p, ok := pending(e, t.forOf(e), now); ok {
				p.Context = t.context
				r.Pending = append(r.Pending, p)
			}
		}
	}
	return r
}

// stampSignature names the tracker's cluster in a signature whose pods did
// not carry it (the sources stamp pods with their context; fixtures and
// hand-built pods may not), so a failure always says where it happened.
func (t *Tracker) stampSignature(sig *rollout.Signature) {
	if t.context == "" {
		return
	}
	if sig.Workload.Context == "" {
		sig.Workload.Context = t.context
	}
	if sig.Example.Context == "" {
		sig.Example.Context = t.context
	}
	for i := range sig.Pods {
		if sig.Pods[i].Context == "" {
			sig.Pods[i].Context = t.context
		}
	}
}

// qualified prefixes name with its cluster ("us-1:shop/web-0"), as
// rollout's PodRef and WorkloadRef print theirs; name alone for one cluster.
func qualified(context, name string) string {
	if context == "" {
		return name
	}
	return context + ":" + name
}

// judged are the pods every target is judged on, once each, by name.
func (t *Tracker) judged() []*podEntry {
	var out []*podEntry
	for _, tr := range t.targets {
		for _, e := range t.members(tr) {
			if e.pod.DeletionTimestamp == nil && !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b *podEntry) int {
		return strings.Compare(a.pod.Namespace+"/"+a.pod.Name, b.pod.Namespace+"/"+b.pod.Name)
	})
	return out
}

// forOf is the --for a pod is judged by: ready unless only initialized
// was asked of every target that judges it.
func (t *Tracker) forOf(e *podEntry) For {
	f := ForInitialized
	for _, tr := range t.targets {
		if tr.For != ForInitialized && slices.Contains(t.members(tr), e) {
			f = ForReady
		}
	}
	return f
}

func (t *Tracker) podNamed(ns, name string) *podEntry {
	for _, e := range t.pods {
		if e.pod.Namespace == ns && e.pod.Name == name {
			return e
		}
	}
	return nil
}

func (t *Tracker) eventList() []*corev1.Event {
	out := make([]*corev1.Event, 0, len(t.events))
	for _, ev := range t.events {
		out = append(out, ev)
	}
	return out
}

// failedRun is the log request for the run that failed: the current one
// when the container is terminated, else the previous one. Signatures
// without a run (image pulls, scheduling) have no log.
func failedRun(pod *corev1.Pod, sig rollout.Signature, lines int) *LogExcerpt {
	if lines <= 0 || sig.ExitCode == nil || sig.Step == "" {
		return nil
	}
	ex := &LogExcerpt{Namespace: pod.Namespace, Pod: pod.Name, Container: sig.Step, TailLines: lines}
	for _, cs := range allStatuses(pod) {
		if cs.Name == sig.Step {
			ex.Previous = cs.State.Terminated == nil && cs.LastTerminationState.Terminated != nil
		}
	}
	return ex
}

func warnings(pod *corev1.Pod, events []*corev1.Event, now time.Time) []model.EventRow {
	var out []model.EventRow
	for _, row := range model.PodEvents(model.EventsFor(pod, events), now) {
		if row.Type == corev1.EventTypeWarning && len(out) < maxWarningEvents {
			out = append(out, row)
		}
	}
	return out
}

// pending says where a pod not done stands.
func pending(e *podEntry, f For, now time.Time) (Pending, bool) {
	if podDone(e, f) {
		return Pending{}, false
	}
	v := &e.view
	p := Pending{Namespace: e.pod.Namespace, Pod: e.pod.Name, Status: v.Printed.Status, Ready: v.Printed.Ready}
	if i := v.Progress.Active; i >= 0 && i < len(v.Steps) {
		s := &v.Steps[i]
		p.Step = s.Name
		p.State = stepState(s)
		if s.Duration != nil && s.State.Kind == model.StateRunning {
			p.For = model.HumanDuration(*s.Duration)
		}
		p.Message = s.State.Message
		return p, true
	}
	for _, c := range e.pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			p.State = "not scheduled"
			p.Message = model.Sanitize(c.Message)
			if !c.LastTransitionTime.IsZero() {
				p.For = model.Since(c.LastTransitionTime.Time, now)
			}
			return p, true
		}
	}
	if !v.Progress.Initialized && v.Progress.Total > 0 {
		p.State = "initializing"
	} else {
		p.State = "not ready"
		p.Message = notReadyContainers(e.pod)
	}
	return p, true
}

func stepState(s *model.InitStep) string {
	switch s.State.Kind {
	case model.StateRunning:
		return "running"
	case model.StateWaiting:
		if s.State.Reason != "" {
			return "waiting: " + s.State.Reason
		}
		return "waiting"
	case model.StateTerminated:
		return "terminated: " + s.State.Reason + exitText(s.State)
	}
	return string(s.Phase)
}

func notReadyContainers(pod *corev1.Pod) string {
	var names []string
	for _, cs := range pod.Status.ContainerStatuses {
		if !cs.Ready {
			names = append(names, cs.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "containers not ready: " + strings.Join(names, ", ")
}

// Exit codes of `initwatch wait`.
const (
	ExitDone        = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitTimedOut    = 3
	ExitUnreachable = 4
)

// ExitCodeOf maps an outcome to the exit code.
func ExitCodeOf(s State) int {
	switch s {
	case Done:
		return ExitDone
	case TimedOut:
		return ExitTimedOut
	}
	return ExitFailed
}

// podCount counts the judged pods done and failing, for the summary line.
func (t *Tracker) podCount() (done, failing, total int) {
	for _, e := range t.judged() {
		total++
		switch {
		case podDone(e, t.forOf(e)):
			done++
		case e.view.Category == model.CategoryFailing:
			failing++
		}
	}
	return done, failing, total
}

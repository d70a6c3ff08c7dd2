package rollout

import "time"

// Summary is the rollout picture across every watched pod: one entry per
// workload, the rollouts in progress and in trouble first.
type Summary struct {
	Workloads []Workload `json:"workloads"`
	// Access lists the owner kinds that could not be read; Fallback says,
	// one line each, what the summary did instead (Access.Lines). Every
	// view prints Fallback when it is not empty.
	Access   Access   `json:"access"`
	Fallback []string `json:"fallback,omitempty"`
	// Pods is the number of pods summarised.
	Pods int `json:"pods"`
}

// Workload is one top owner and its pods.
type Workload struct {
	Ref WorkloadRef `json:"workload"`
	// Inferred is true when the owner could not be read (RBAC, or not
	// listed yet) and the workload was resolved from its pods alone; then
	// Desired is unknown.
	Inferred bool `json:"inferred,omitempty"`

	// Desired is the replicas the owner asks for (Deployment and
	// StatefulSet spec.replicas, DaemonSet desiredNumberScheduled, Job
	// completions); nil when unknown.
	Desired *int32 `json:"desired,omitempty"`
	// Pods counts every pod of the workload; Updated those of the newest
	// revision; Initialized and Ready those of the newest revision that are.
	Pods        int `json:"pods"`
	Updated     int `json:"updated"`
	Initialized int `json:"initialized"`
	Ready       int `json:"ready"`
	// Progress is Ready of the newest revision over Desired (over Pods when
	// Desired is unknown), 0 to 1. For Jobs and CronJobs, whose pods end
	// Succeeded and are then never Ready, completed pods count as well.
	Progress float64 `json:"progress"`

	// Status is what `kubectl rollout status` prints for it (Deployments,
	// StatefulSets, DaemonSets, following kubectl's rules), or an
	// equivalent sentence for the other kinds; Done says the rollout is
	// complete, Failed that it cannot complete (progress deadline exceeded,
	// Job failed).
	Status string `json:"status"`
	Done   bool   `json:"done"`
	Failed bool   `json:"failed,omitempty"`

	// Started is when the rollout began: the newest revision's creation
	// (its ReplicaSet's, else its first pod's). Running is how long it has
	// run at the summary's clock (zero once Done).
	Started time.Time     `json:"started"`
	Running time.Duration `json:"running"`
	// LastProgress is the last time a pod finished a step (or turned
	// Ready); Moving is true when that was within the summary's window,
	// Stalled when the rollout is not done and nothing moved in it.
	LastProgress time.Time `json:"lastProgress"`
	Moving       bool      `json:"moving"`
	Stalled      bool      `json:"stalled"`

	// Revisions, newest first (the one being rolled out), then the old ones.
	Revisions []Revision `json:"revisions"`
	// Steps is the funnel of the newest revision's init containers in spec
	// order. Bottleneck is the index of the step holding the most pods,
	// Slowest of the step with the largest p95 duration; -1 when none.
	Steps      []Step `json:"steps"`
	Bottleneck int    `json:"bottleneck"`
	Slowest    int    `json:"slowest"`
	Restarts   int64  `json:"restarts"`
	// Signatures of the workload's failing pods, every revision, most pods
	// first.
	Signatures []Signature `json:"signatures"`
}

// Revision is one version of a workload's pod template.
type Revision struct {
	// Name is the ReplicaSet (Deployment), the controller-revision-hash
	// (StatefulSet, DaemonSet), the Job (CronJob); "" for workloads
	// without revisions (a bare ReplicaSet's or Job's pods, pods without
	// owner).
	Name string `json:"name"`
	// Number is the Deployment revision; 0 when unknown.
	Number int64 `json:"number,omitempty"`
	// New marks the newest revision, the one a rollout moves pods to.
	New         bool      `json:"new"`
	Pods        int       `json:"pods"`
	Initialized int       `json:"initialized"`
	Ready       int       `json:"ready"`
	Terminating int       `json:"terminating"`
	Failing     int       `json:"failing"`             // pods in a signature
	Failed      int       `json:"failed"`              // pods in phase Failed
	Succeeded   int       `json:"succeeded,omitempty"` // pods in phase Succeeded (a Job's that completed)
	Created     time.Time `json:"created"`
}

// Step is one init container across the newest revision's pods.
type Step struct {
	Name    string `json:"name"`
	Index   int    `json:"index"`
	Sidecar bool   `json:"sidecar"`
	// Pods done with it, in it (running, waiting, crash-looping), failed
	// for good, and not reached yet. They add up to the revision's pods.
	Done         int `json:"done"`
	Running      int `json:"running"`
	Waiting      int `json:"waiting"`
	CrashLooping int `json:"crashLooping"`
	Failed       int `json:"failed"`
	NotReached   int `json:"notReached"`
	// Reasons counts the waiting and back-off reasons of the pods in it,
	// most first ("PodInitializing", "CrashLoopBackOff", ...).
	Reasons  []ReasonCount `json:"reasons,omitempty"`
	Restarts int64         `json:"restarts"`
	// Durations of the finished runs (current and last state of each pod).
	Durations Durations `json:"durations"`
}

// Held is the pods the step holds: in it or failed there.
func (s *Step) Held() int { return s.Running + s.Waiting + s.CrashLooping + s.Failed }

// ReasonCount is how many pods wait for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Durations describes a set of run durations: percentiles and a histogram
// for a small distribution picture (HistogramBuckets equal-width buckets
// from 0 to Max).
type Durations struct {
	Count     int           `json:"count"`
	P50       time.Duration `json:"p50"`
	P95       time.Duration `json:"p95"`
	Max       time.Duration `json:"max"`
	Histogram []int         `json:"histogram,omitempty"`
}

// HistogramBuckets is the number of buckets of Durations.Histogram.
const HistogramBuckets = 8

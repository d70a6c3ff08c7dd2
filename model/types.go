// Package model turns Kubernetes API objects into what initwatch shows.
//
// Everything here is a pure function of API objects and a clock (the caller
// passes now; nothing reads the system time): no clientsets, no terminal, no
// goroutines. The one piece of state is History, which records the STATUS
// values a watched pod went through. The same functions feed the TUI,
// `initwatch get` and its JSON output, so a STATUS string is computed in
// exactly one place and matches, character for character, what
// `kubectl get pods` prints (Print follows printPod of Kubernetes v1.37).
//
// Free text from the cluster (reasons, messages, event fields) comes out of
// this package already passed through Sanitize, so it cannot carry terminal
// escape sequences; log lines are sanitized by the caller with Sanitize or
// SanitizeKeepSGR. Names, namespaces, labels and node names are left as the
// apiserver validated them.
package model

import "time"

// Printed holds the columns kubectl's pod printer computes (READY, STATUS,
// RESTARTS, AGE), already formatted as kubectl prints them.
type Printed struct {
	Ready    string `json:"ready"`    // "1/2"
	Status   string `json:"status"`   // "Init:1/4", "Init:CrashLoopBackOff", "Running", ...
	Restarts string `json:"restarts"` // "3 (5m ago)" or "0"
	Age      string `json:"age"`      // "4m12s"

	// Parsed forms, for sorting and counting without re-parsing strings.
	ReadyCount    int        `json:"readyCount"`
	TotalCount    int        `json:"totalCount"`
	RestartCount  int        `json:"restartCount"`
	LastRestartAt *time.Time `json:"lastRestartAt,omitempty"`
}

// StepKind tells a classic init container from a native sidecar
// (an init container with restartPolicy: Always, Kubernetes >= 1.29).
type StepKind string

const (
	KindInit    StepKind = "init"
	KindSidecar StepKind = "sidecar"
)

// StepPhase is where one init container stands.
type StepPhase string

const (
	PhaseWaiting        StepPhase = "waiting"         // not started yet, or waiting with no error reason
	PhaseRunning        StepPhase = "running"         // classic init container running
	PhaseSucceeded      StepPhase = "succeeded"       // terminated with exit code 0
	PhaseFailed         StepPhase = "failed"          // terminated non-zero, or waiting with an error reason (ErrImagePull, ...)
	PhaseCrashLooping   StepPhase = "crash-looping"   // waiting in CrashLoopBackOff
	PhaseSidecarStarted StepPhase = "sidecar-started" // sidecar running (started) but not ready
	PhaseSidecarReady   StepPhase = "sidecar-ready"   // sidecar running and ready
)

// StateKind is the kind of a ContainerState.
type StateKind string

const (
	StateNone       StateKind = ""
	StateWaiting    StateKind = "Waiting"
	StateRunning    StateKind = "Running"
	StateTerminated StateKind = "Terminated"
)

// ContainerState flattens corev1.ContainerState for display ("State:" and
// "Last State:" blocks of kubectl describe).
type ContainerState struct {
	Kind       StateKind  `json:"kind,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Message    string     `json:"message,omitempty"`
	ExitCode   *int32     `json:"exitCode,omitempty"`
	Signal     *int32     `json:"signal,omitempty"`
	StartedAt  *time.Time `json:"startedAt,omitempty"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
}

// InitStep is one init container of a pod, in spec order.
type InitStep struct {
	Index           int            `json:"index"`
	Name            string         `json:"name"`
	Image           string         `json:"image"`                 // as in the spec
	StatusImage     string         `json:"statusImage,omitempty"` // as the runtime reports it: normalised (docker.io/library/...), and the old image until the next run after a spec edit
	ImageID         string         `json:"imageID,omitempty"`
	Kind            StepKind       `json:"kind"`
	Phase           StepPhase      `json:"phase"`
	State           ContainerState `json:"state"`
	LastState       ContainerState `json:"lastState"`
	Ready           bool           `json:"ready"`
	Started         *bool          `json:"started,omitempty"`
	RestartCount    int32          `json:"restartCount"`
	Duration        *time.Duration `json:"duration,omitempty"`     // finished-started, or now-started while running
	WillNotRetry    bool           `json:"willNotRetry,omitempty"` // failed for good: the pod failed, or the container/pod restart policy (restartPolicy Never, restartPolicyRules) does not restart this exit
	HasStartupProbe bool           `json:"hasStartupProbe,omitempty"`
}

// Progress summarises a pod's initialization.
type Progress struct {
	Done        int    `json:"done"`   // steps finished (succeeded, or sidecar started)
	Total       int    `json:"total"`  // init containers in the spec, sidecars included
	Active      int    `json:"active"` // index of the step that holds initialization up, -1 if none
	ActiveName  string `json:"activeName,omitempty"`
	Initialized bool   `json:"initialized"`
}

// Condition is one pod condition as the server sent it.
type Condition struct {
	Type               string     `json:"type"`
	Status             string     `json:"status"`
	Reason             string     `json:"reason,omitempty"`
	Message            string     `json:"message,omitempty"`
	LastTransitionTime *time.Time `json:"lastTransitionTime,omitempty"`
	LastProbeTime      *time.Time `json:"lastProbeTime,omitempty"`
}

// Side says which part of a pod sets its effective request or limit.
type Side string

const (
	SideNone Side = ""     // nothing requested on either side
	SideInit Side = "init" // the largest init container (plus sidecars started before it)
	SideApp  Side = "app"  // the sum of app containers plus sidecars
	SideTie  Side = "tie"
	SidePod  Side = "pod" // spec.resources (pod-level resources) overrides both container sides
)

// ResourceFigure is one resource (cpu or memory), request or limit.
type ResourceFigure struct {
	Init      string `json:"init"` // effective init value, quantity string ("500m", "1Gi"), "" when unset
	App       string `json:"app"`  // sum of app containers and sidecars
	Overhead  string `json:"overhead,omitempty"`
	Effective string `json:"effective"` // max(init, app) + overhead
	Dominant  Side   `json:"dominant"`
	// Value is the effective value in milli-units (cpu) or bytes (memory), for sorting.
	Value int64 `json:"value"`
}

// Resources are the pod's effective requests and limits.
type Resources struct {
	CPURequest    ResourceFigure `json:"cpuRequest"`
	CPULimit      ResourceFigure `json:"cpuLimit"`
	MemoryRequest ResourceFigure `json:"memoryRequest"`
	MemoryLimit   ResourceFigure `json:"memoryLimit"`
}

// Transition is one STATUS value a pod went through, as watched.
type Transition struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// EventRow is one (possibly folded) event, as kubectl describe lists it.
type EventRow struct {
	Type      string     `json:"type"`   // Normal, Warning
	Reason    string     `json:"reason"` // BackOff, Pulled, ...
	Age       string     `json:"age"`    // "12s", "2m (x3 over 5m)"
	From      string     `json:"from"`
	Message   string     `json:"message"`
	Count     int32      `json:"count"`
	FirstSeen *time.Time `json:"firstSeen,omitempty"`
	LastSeen  *time.Time `json:"lastSeen,omitempty"`
	FieldPath string     `json:"fieldPath,omitempty"` // "spec.initContainers{init-fetch-files}"
	Container string     `json:"container,omitempty"` // the container named by FieldPath, "" for the pod itself
}

// Category groups pods for the header counts and the default sort order.
type Category int

const (
	CategoryFailing      Category = iota // Init:Error, Init:CrashLoopBackOff, CrashLoopBackOff, Error, ...
	CategoryInitializing                 // Init:N/M, PodInitializing, ContainerCreating, Pending, SchedulingGated
	CategoryNotReady                     // running but not all ready, Terminating, Unknown
	CategoryReady                        // Running and all ready
	CategoryDone                         // Completed / Succeeded
)

// PodView is everything the list and `initwatch get` show for one pod,
// computed once per pod change (never in View).
type PodView struct {
	// Context is the kubeconfig context the pod was read from when several
	// clusters are watched (ContextOf), "" for one cluster.
	Context       string            `json:"context,omitempty"`
	Namespace     string            `json:"namespace"`
	Name          string            `json:"name"`
	UID           string            `json:"uid"`
	Labels        map[string]string `json:"labels,omitempty"`
	Owner         string            `json:"owner,omitempty"` // "ReplicaSet/web-7d9f", "" if none
	Node          string            `json:"node,omitempty"`
	Phase         string            `json:"phase"`
	RestartPolicy string            `json:"restartPolicy"`
	Created       time.Time         `json:"created"`
	Printed       Printed           `json:"printed"`
	Steps         []InitStep        `json:"initContainers"`
	Progress      Progress          `json:"progress"`
	Category      Category          `json:"category"`
}

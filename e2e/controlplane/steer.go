package controlplane

import (
	"strconv"
	"time"
)

// The annotations the kwok Stages of testdata/kwok/kubelet read on a pod
// (put them in a workload's pod template; Steer writes them). See
// testdata/kwok/kubelet/README.md for what each stage does with them.
const (
	// AnnotationStep is the Go duration of each kubelet step (default 1s).
	AnnotationStep = "kwok.initwatch.dev/step"
	// AnnotationRunPrefix + NAME is how long init container NAME runs
	// each time (default: the step).
	AnnotationRunPrefix = "kwok.initwatch.dev/run."
	// AnnotationFail names the init container whose runs exit non-zero.
	AnnotationFail = "kwok.initwatch.dev/fail"
	// AnnotationFailTimes is how many runs fail before one succeeds, or
	// "always" (the default).
	AnnotationFailTimes = "kwok.initwatch.dev/fail-times"
	// AnnotationExitCode, AnnotationReason and AnnotationMessage describe
	// a failed run (defaults 1, "Error", none).
	AnnotationExitCode = "kwok.initwatch.dev/exit-code"
	AnnotationReason   = "kwok.initwatch.dev/reason"
	AnnotationMessage  = "kwok.initwatch.dev/message"
	// AnnotationBackoffSeconds is the first CrashLoopBackOff wait in whole
	// seconds (default 10, the kubelet's); it doubles up to 300.
	AnnotationBackoffSeconds = "kwok.initwatch.dev/backoff-seconds"
	// AnnotationStop is how long containers take to stop once the pod is
	// deleted (default: the step).
	AnnotationStop = "kwok.initwatch.dev/stop"
)

// Steer says how kwok, as the kubelet, treats a workload's pods. Zero
// fields keep the Stages' defaults.
type Steer struct {
	// Step is the time between two kubelet status writes.
	Step time.Duration
	// Run is how long named init containers run each time.
	Run map[string]time.Duration
	// Fail names the classic init container that exits non-zero.
	Fail string
	// FailTimes is how many of its runs fail before one succeeds; 0 means
	// every run fails.
	FailTimes int
	// ExitCode, Reason and Message of each failed run.
	ExitCode int
	Reason   string
	Message  string
	// BackoffSeconds shortens the kubelet's CrashLoopBackOff (10 s, then
	// doubling).
	BackoffSeconds int
	// Stop is how long the containers take to stop on deletion.
	Stop time.Duration
}

// Annotations are s as pod annotations.
func (s Steer) Annotations() map[string]string {
	a := map[string]string{}
	if s.Step > 0 {
		a[AnnotationStep] = s.Step.String()
	}
	for name, d := range s.Run {
		a[AnnotationRunPrefix+name] = d.String()
	}
	if s.Fail != "" {
		a[AnnotationFail] = s.Fail
		a[AnnotationFailTimes] = "always"
		if s.FailTimes > 0 {
			a[AnnotationFailTimes] = strconv.Itoa(s.FailTimes)
		}
	}
	if s.ExitCode != 0 {
		a[AnnotationExitCode] = strconv.Itoa(s.ExitCode)
	}
	if s.Reason != "" {
		a[AnnotationReason] = s.Reason
	}
	if s.Message != "" {
		a[AnnotationMessage] = s.Message
	}
	if s.BackoffSeconds > 0 {
		a[AnnotationBackoffSeconds] = strconv.Itoa(s.BackoffSeconds)
	}
	if s.Stop > 0 {
		a[AnnotationStop] = s.Stop.String()
	}
	return a
}

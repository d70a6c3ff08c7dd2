package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// ClientLogSource is the LogSource that reads container logs through the
// apiserver (GET pods/log), always with timestamps so that a broken stream
// can be resumed where it stopped.
type ClientLogSource struct {
	client kubernetes.Interface
	opts   LogStreamOptions
}

// NewLogSource returns a LogSource backed by client.
func NewLogSource(client kubernetes.Interface, opts LogStreamOptions) *ClientLogSource {
	return &ClientLogSource{client: client, opts: opts.withDefaults()}
}

// Stream opens the log of one container. The request is sent before Stream
// returns, so a container that has not started yet is reported at once as a
// *NotStartedError rather than through the error channel.
func (s *ClientLogSource) Stream(ctx context.Context, req LogRequest) (<-chan []LogLine, <-chan error, error) {
	opts := &corev1.PodLogOptions{
		Container:  req.Container,
		Follow:     req.Follow,
		Previous:   req.Previous,
		TailLines:  req.TailLines,
		Timestamps: true,
	}
	if req.SinceTime != nil {
		// The API carries sinceTime with one-second precision: the resumed
		// stream repeats the last second, and the caller drops the repeats.
		t := metav1.NewTime(*req.SinceTime)
		opts.SinceTime = &t
	}
	body, err := s.client.CoreV1().Pods(req.Namespace).GetLogs(req.Pod, opts).Stream(ctx)
	if err != nil {
		return nil, nil, classifyLogError(req, err)
	}
	lines, errs := ReadLogStream(ctx, body, s.opts)
	return lines, errs, nil
}

// NotStartedError says the kubelet has no log for the container yet (it is
// waiting to start) or no previous run to show. It is a state to display
// and wait through, not a failure.
type NotStartedError struct {
	Container string
	// Reason is the kubelet's word for the wait ("PodInitializing",
	// "image can't be pulled"), or "no previous run" for Previous requests.
	Reason string
	Err    error
}

func (e *NotStartedError) Error() string {
	return fmt.Sprintf("container %q has no log yet: %s", e.Container, e.Reason)
}

func (e *NotStartedError) Unwrap() error { return e.Err }

// classifyLogError recognises the kubelet's "not started" answers (its
// validateContainerLogStatus messages, relayed as HTTP 400) and wraps
// everything else with the request for context.
func classifyLogError(req LogRequest, err error) error {
	msg := err.Error()
	const waiting = "is waiting to start"
	if i := strings.Index(msg, waiting); i >= 0 {
		reason := strings.TrimLeft(msg[i+len(waiting):], " :-")
		if reason == "" {
			reason = "waiting to start"
		}
		return &NotStartedError{Container: req.Container, Reason: reason, Err: err}
	}
	if strings.Contains(msg, "previous terminated container") && strings.Contains(msg, "not found") {
		return &NotStartedError{Container: req.Container, Reason: "no previous run", Err: err}
	}
	return fmt.Errorf("logs of %s/%s container %q: %w", req.Namespace, req.Pod, req.Container, err)
}

// IsNotStarted reports whether err means the container has no log yet.
func IsNotStarted(err error) (*NotStartedError, bool) {
	var ns *NotStartedError
	if errors.As(err, &ns) {
		return ns, true
	}
	return nil, false
}

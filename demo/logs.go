package demo

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/kube"
)

// logStore holds the log of every container run, by container ID, the way
// the kubelet keeps one log file per container (0.log, 1.log, ...).
type logStore struct {
	mu   sync.Mutex
	runs map[string]*logRun
}

func newLogStore() *logStore { return &logStore{runs: map[string]*logRun{}} }

func (s *logStore) open(containerID string) *logRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &logRun{mu: &s.mu, wake: make(chan struct{})}
	s.runs[containerID] = r
	return r
}

func (s *logStore) get(containerID string) *logRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[containerID]
}

// maxRunLines bounds the lines kept per container run, as the kubelet's
// log rotation does, so a demo left running for hours holds its memory.
const maxRunLines = 5000

// logRun is the log of one container run. Followers wait on wake, which
// is closed (and replaced) whenever a line is added or the run ends.
type logRun struct {
	mu    *sync.Mutex // the store's
	lines []kube.LogLine
	base  int // lines rotated away before lines[0]; positions count them
	done  bool
	wake  chan struct{}
}

func (r *logRun) append(l kube.LogLine) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lines) >= maxRunLines {
		drop := maxRunLines / 10
		r.lines = append(r.lines[:0], r.lines[drop:]...)
		r.base += drop
	}
	r.lines = append(r.lines, l)
	close(r.wake)
	r.wake = make(chan struct{})
}

func (r *logRun) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done {
		r.done = true
		close(r.wake)
	}
}

// from returns the lines from position pos on (those rotated away are
// skipped), the position after them, whether the run has ended, and a
// channel closed at the next change.
func (r *logRun) from(pos int) (lines []kube.LogLine, next int, done bool, wake <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := min(max(pos-r.base, 0), len(r.lines))
	return slices.Clone(r.lines[i:]), r.base + len(r.lines), r.done, r.wake
}

// start is the position where a request begins reading: after the tail, then no earlier
// than sinceTime (the kubelet seeks the tail first, then filters by time).
func (r *logRun) start(tail *int64, since *time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := 0
	if tail != nil && *tail >= 0 && int(*tail) < len(r.lines) {
		i = len(r.lines) - int(*tail)
	}
	if since != nil {
		// The API carries sinceTime to the second.
		s := since.Truncate(time.Second)
		for i < len(r.lines) && r.lines[i].Time.Before(s) {
			i++
		}
	}
	return r.base + i
}

func (r *logRun) tail(maxLines, maxBytes int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return tailText(r.lines, maxLines, maxBytes)
}

// logSource serves the simulated logs behind kube.LogSource. It answers as
// the apiserver and kubelet do: it reads the pod from the clientset, picks
// the container run with the kubelet's rules, refuses with the kubelet's
// messages, and streams lines with their timestamps through kube's own
// stream reader, so batching and line handling are those of real logs.
type logSource struct {
	c *Cluster
}

func (s *logSource) Stream(ctx context.Context, req kube.LogRequest) (<-chan []kube.LogLine, <-chan error, error) {
	pod, err := s.c.client.CoreV1().Pods(req.Namespace).Get(ctx, req.Pod, metav1.GetOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("logs of %s/%s container %q: %w", req.Namespace, req.Pod, req.Container, err)
	}
	id, wait, err := logContainerID(pod, req.Container, req.Previous)
	if wait != "" {
		// As kube's client LogSource reports it: a state to wait through.
		return nil, nil, &kube.NotStartedError{Container: req.Container, Reason: wait, Err: err}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("logs of %s/%s container %q: %w", req.Namespace, req.Pod, req.Container, err)
	}
	run := s.c.logs.get(id)
	if run == nil {
		return nil, nil, fmt.Errorf("logs of %s/%s container %q: %w", req.Namespace, req.Pod, req.Container,
			apierrors.NewNotFound(corev1.Resource("containers"), id))
	}
	body, w := io.Pipe()
	go feed(ctx, run, req, w)
	lines, errs := kube.ReadLogStream(ctx, body, kube.LogStreamOptions{})
	return lines, errs, nil
}

// feed writes the run's lines in the kubelet's timestamps=true format until
// the run ends (when following) or ctx is cancelled; closing the pipe ends
// the reader's stream.
func feed(ctx context.Context, run *logRun, req kube.LogRequest, w *io.PipeWriter) {
	defer w.Close()
	pos := run.start(req.TailLines, req.SinceTime)
	for {
		lines, next, done, wake := run.from(pos)
		for _, l := range lines {
			if _, err := fmt.Fprintf(w, "%s %s\n", l.Time.UTC().Format(time.RFC3339Nano), l.Text); err != nil {
				return // the reader closed the stream
			}
		}
		pos = next
		if !req.Follow || done {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
	}
}

// logContainerID is the apiserver's container check followed by the
// kubelet's validateContainerLogStatus: which run a request reads, or why
// there is none, with their own messages (relayed as 400 Bad Request).
// A non-empty wait says the container simply has no such log yet.
func logContainerID(pod *corev1.Pod, container string, previous bool) (id, wait string, err error) {
	names := containerNames(pod)
	if container == "" {
		if len(pod.Spec.Containers) != 1 {
			return "", "", apierrors.NewBadRequest(fmt.Sprintf(
				"a container name must be specified for pod %s, choose one of: %v", pod.Name, names))
		}
		container = pod.Spec.Containers[0].Name
	}
	if !slices.Contains(names, container) {
		return "", "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, pod.Name))
	}
	if pod.Spec.NodeName == "" {
		return "", "", apierrors.NewBadRequest(fmt.Sprintf("pod %s does not have a host assigned", pod.Name))
	}
	cs, ok := findStatus(pod, container)
	if !ok {
		return "", "", apierrors.NewBadRequest(fmt.Sprintf("container %q in pod %q is not available", container, pod.Name))
	}
	last := cs.LastTerminationState.Terminated
	waiting, running, terminated := cs.State.Waiting, cs.State.Running, cs.State.Terminated
	switch {
	case previous:
		if last == nil || last.ContainerID == "" {
			return "", "no previous run", apierrors.NewBadRequest(
				fmt.Sprintf("previous terminated container %q in pod %q not found", container, pod.Name))
		}
		return last.ContainerID, "", nil
	case running != nil:
		return cs.ContainerID, "", nil
	case terminated != nil:
		if terminated.ContainerID != "" {
			return terminated.ContainerID, "", nil
		}
		if last != nil && last.ContainerID != "" {
			return last.ContainerID, "", nil
		}
		return "", "", apierrors.NewBadRequest(fmt.Sprintf("container %q in pod %q is terminated", container, pod.Name))
	case last != nil:
		if last.ContainerID == "" {
			return "", "", apierrors.NewBadRequest(fmt.Sprintf("container %q in pod %q is terminated", container, pod.Name))
		}
		return last.ContainerID, "", nil
	case waiting != nil:
		reason := waiting.Reason
		switch reason {
		case "ErrImagePull":
			reason = "image can't be pulled"
		case "ImagePullBackOff":
			reason = "trying and failing to pull image"
		}
		return "", reason, apierrors.NewBadRequest(
			fmt.Sprintf("container %q in pod %q is waiting to start: %s", container, pod.Name, reason))
	}
	return "", "waiting to start", apierrors.NewBadRequest(
		fmt.Sprintf("container %q in pod %q is waiting to start - no logs yet", container, pod.Name))
}

func containerNames(pod *corev1.Pod) []string {
	var names []string
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			names = append(names, c.Name)
		}
	}
	return names
}

func findStatus(pod *corev1.Pod, name string) (corev1.ContainerStatus, bool) {
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses} {
		for _, cs := range list {
			if cs.Name == name {
				return cs, true
			}
		}
	}
	return corev1.ContainerStatus{}, false
}

// tailText joins the last lines of a log as a termination message.
func tailText(lines []kube.LogLine, maxLines, maxBytes int) string {
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	s := b.String()
	if len(s) > maxBytes {
		s = s[len(s)-maxBytes:]
	}
	return s
}

package kube

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Cluster is one of the clusters a MultiSource watches.
type Cluster struct {
	// Context is the kubeconfig context; it names the cluster everywhere
	// (Batch.Context, PodKey.Context, model.ContextOf).
	Context string
	// New builds the cluster's source (its Options.Context set to
	// Context). It is called again to retry after the source failed, so a
	// cluster that was down at start joins when it comes up.
	New func() (PodSource, error)
}

// Retry bounds for a cluster whose source failed: the first retry waits
// retryMin, each next one twice as long, up to retryMax.
const (
	retryMin = time.Second
	retryMax = 30 * time.Second
)

// multiSource merges the batches of several clusters' sources.
type multiSource struct {
	clusters []Cluster
	now      func() time.Time
	retryMin time.Duration

	// mu guards live and focus. FocusEvents comes from the TUI's goroutine
	// while each cluster's goroutine swaps its source on a retry.
	mu sync.Mutex
	// live is the running source of each cluster, absent while it is
	// being (re)built or waiting to retry.
	live map[string]PodSource
	// focus is the pod whose events the TUI asked for: a cluster whose
	// source starts later (a retry) is told as it starts.
	focus PodKey
}

// NewMultiSource returns a PodSource over several clusters. Each cluster's
// source runs on its own and its batches are passed on as they come (with
// Batch.Context naming the cluster), so a cluster's pods appear as soon as
// its own list arrives, and a slow or down cluster delays nobody else.
//
// A cluster whose source fails (unreachable at start, credentials refused,
// nothing allowed) is reported in its own ConnState — ConnUnreachable, or
// ConnForbidden when RBAC refused everything — and retried with a backoff;
// Run itself fails only when ctx ends. A source fails only before its
// informers start, so a retried cluster has delivered no pods: nothing is
// duplicated or left behind. Once running, a cluster that stops answering
// keeps its pods (the informers' caches) and reports ConnReconnecting until
// it answers again.
func NewMultiSource(clusters []Cluster) PodSource {
	return &multiSource{clusters: clusters, now: time.Now, retryMin: retryMin, live: map[string]PodSource{}}
}

// FocusEvents implements EventFocuser: the pod's own cluster (key.Context)
// watches its events, and the cluster focused before, if another, stops
// watching the previous pod's, so at most one cluster holds a focused
// events informer. A key naming no cluster of this source focuses none: the
// interface has no error to return, and the pod cannot have events here.
func (m *multiSource) FocusEvents(key PodKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev := m.focus
	m.focus = key
	if prev.Context != key.Context {
		if f, ok := m.live[prev.Context].(EventFocuser); ok {
			f.FocusEvents(PodKey{})
		}
	}
	// Calling under mu is safe: FocusEvents never blocks.
	if f, ok := m.live[key.Context].(EventFocuser); ok {
		f.FocusEvents(key)
	}
}

// setLive records (src non-nil) or forgets the running source of a
// cluster; a new source is told the focus if the focused pod is its own.
func (m *multiSource) setLive(name string, src PodSource) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if src == nil {
		delete(m.live, name)
		return
	}
	m.live[name] = src
	if m.focus.Context == name {
		if f, ok := src.(EventFocuser); ok {
			f.FocusEvents(m.focus)
		}
	}
}

// Run implements PodSource.
func (m *multiSource) Run(ctx context.Context, out chan<- Batch) error {
	if len(m.clusters) == 0 {
		return errors.New("no cluster to watch")
	}
	var wg sync.WaitGroup
	for _, c := range m.clusters {
		wg.Go(func() { m.runCluster(ctx, c, out) })
	}
	wg.Wait()
	return nil
}

// runCluster keeps one cluster's source running until ctx ends.
func (m *multiSource) runCluster(ctx context.Context, c Cluster, out chan<- Batch) {
	var failed *ConnState // the failure shown until the cluster answers
	wait := m.retryMin
	for ctx.Err() == nil {
		err := m.runOnce(ctx, c, out, &failed)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = errors.New("watch stopped")
		}
		state := failureState(err, m.now())
		if failed != nil && failed.Phase == state.Phase {
			state.Since = failed.Since
		}
		failed = &state
		if !send(ctx, out, Batch{Context: c.Context, Conn: &state}) {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(wait*2, retryMax)
	}
}

// runOnce runs one source of the cluster and forwards its batches. While
// the cluster is shown as failed, the new source's "connecting" state is
// held back: the failure stays on screen, with its date, until the cluster
// answers.
func (m *multiSource) runOnce(ctx context.Context, c Cluster, out chan<- Batch, failed **ConnState) error {
	src, err := c.New()
	if err != nil {
		return fmt.Errorf("context %q: %w", c.Context, err)
	}
	m.setLive(c.Context, src)
	defer m.setLive(c.Context, nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, in) }()
	for {
		select {
		case err := <-done:
			return err
		case b := <-in:
			b.Context = c.Context
			if b.Conn != nil && *failed != nil {
				if b.Conn.Phase == ConnConnecting {
					b.Conn = nil
				} else {
					*failed = nil
				}
			}
			if b.Conn == nil && !b.Synced && len(b.Upserted) == 0 && len(b.Packed) == 0 && len(b.Removed) == 0 &&
				len(b.Events) == 0 && len(b.RemovedEvents) == 0 {
				continue
			}
			if !send(ctx, out, b) {
				cancel()
				return <-done
			}
		}
	}
}

// failureState is the ConnState of a cluster whose source failed.
func failureState(err error, now time.Time) ConnState {
	var fe *ForbiddenError
	if errors.As(err, &fe) {
		return ConnState{Phase: ConnForbidden, Forbidden: sortedUnique(append([]string(nil), fe.Scopes...)),
			Err: Explain(err), Since: now}
	}
	return ConnState{Phase: ConnUnreachable, Err: Explain(err), Since: now}
}

func send(ctx context.Context, out chan<- Batch, b Batch) bool {
	select {
	case out <- b:
		return true
	case <-ctx.Done():
		return false
	}
}

// ContextLogs routes log requests to the pod's own cluster by
// LogRequest.Context.
type ContextLogs map[string]LogSource

// Stream implements LogSource.
func (c ContextLogs) Stream(ctx context.Context, req LogRequest) (<-chan []LogLine, <-chan error, error) {
	src, ok := c[req.Context]
	if !ok || src == nil {
		return nil, nil, fmt.Errorf("logs of pod %s/%s: no connection to context %q", req.Namespace, req.Pod, req.Context)
	}
	return src.Stream(ctx, req)
}

var _ EventFocuser = (*multiSource)(nil)

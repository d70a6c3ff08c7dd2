package kube

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// scopeID names one informer: a resource ("pods" or "events") in a
// namespace ("" for the cluster scope).
type scopeID struct {
	resource  string
	namespace string
}

const (
	resourcePods   = "pods"
	resourceEvents = "events"
)

// connTracker derives the header's ConnState from the outcome of every list
// and watch call the informers make. Reflector errors alone are not enough:
// client-go retries a refused watch without reporting it, and reports no
// recovery at all, so the tracker also sees each successful call.
type connTracker struct {
	now     func() time.Time
	publish func(ConnState)

	mu                    sync.Mutex
	staticForbidden       []string // pod scopes refused before informers started
	staticEventsForbidden []string
	failures              map[scopeID]error
	synced                bool
	state                 ConnState
}

func newConnTracker(now func() time.Time, publish func(ConnState)) *connTracker {
	t := &connTracker{
		now:      now,
		publish:  publish,
		failures: make(map[scopeID]error),
		state:    ConnState{Phase: ConnConnecting, Since: now()},
	}
	publish(t.state)
	return t
}

// setRefused records the scopes the start-up probes found forbidden.
func (t *connTracker) setRefused(pods, events []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.staticForbidden = slices.Clone(pods)
	t.staticEventsForbidden = slices.Clone(events)
	t.recompute()
}

func (t *connTracker) setSynced() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.synced = true
	t.recompute()
}

// observe records the outcome of one list or watch call, or an error the
// reflector reported.
func (t *connTracker) observe(ctx context.Context, id scopeID, err error) {
	if err != nil && (ctx.Err() != nil || isExpired(err)) {
		// Shutting down, or a 410 the reflector answers with a relist:
		// neither is news for the user.
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err == nil {
		if _, failing := t.failures[id]; !failing {
			return
		}
		delete(t.failures, id)
	} else {
		t.failures[id] = err
	}
	t.recompute()
}

// forget drops what is known of an informer that stopped on purpose (the
// events of a pod no longer focused): its last failure is no longer news.
func (t *connTracker) forget(id scopeID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, failing := t.failures[id]; failing {
		delete(t.failures, id)
		t.recompute()
	}
}

// recompute derives the state and publishes it when it changed. Phase
// precedence: a failing call (reconnecting) over the initial sync
// (connecting) over refused scopes (forbidden) over live.
func (t *connTracker) recompute() {
	forbidden := slices.Clone(t.staticForbidden)
	eventsForbidden := slices.Clone(t.staticEventsForbidden)
	ids := make([]scopeID, 0, len(t.failures))
	for id := range t.failures {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].resource != ids[j].resource {
			return ids[i].resource > ids[j].resource // pods before events
		}
		return ids[i].namespace < ids[j].namespace
	})
	var firstErr error
	for _, id := range ids {
		err := t.failures[id]
		switch {
		case !apierrors.IsForbidden(err):
			if firstErr == nil {
				firstErr = err
			}
		case id.resource == resourcePods:
			forbidden = append(forbidden, id.namespace)
		default:
			eventsForbidden = append(eventsForbidden, id.namespace)
		}
	}
	next := ConnState{
		Forbidden:       sortedUnique(forbidden),
		EventsForbidden: sortedUnique(eventsForbidden),
	}
	switch {
	case firstErr != nil:
		next.Phase = ConnReconnecting
		next.Err = Explain(firstErr)
	case !t.synced:
		next.Phase = ConnConnecting
	case len(next.Forbidden) > 0:
		next.Phase = ConnForbidden
	default:
		next.Phase = ConnLive
	}
	next.Since = t.state.Since
	if next.Phase != t.state.Phase {
		next.Since = t.now()
	}
	if sameConn(next, t.state) {
		return
	}
	t.state = next
	t.publish(next)
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	sort.Strings(s)
	return slices.Compact(s)
}

func sameConn(a, b ConnState) bool {
	return a.Phase == b.Phase && a.Err == b.Err && a.Since.Equal(b.Since) &&
		slices.Equal(a.Forbidden, b.Forbidden) && slices.Equal(a.EventsForbidden, b.EventsForbidden)
}

func isExpired(err error) bool {
	return apierrors.IsResourceExpired(err) || apierrors.IsGone(err)
}

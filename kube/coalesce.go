package kube

import (
	"context"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/rollout"
)

// change is what is pending for one key: the latest object, or a removal.
// fresh marks a key first added within the pending window; the consumer has
// never seen it, so a removal cancels the add instead of being sent.
type change[T any] struct {
	obj     T
	removed bool
	fresh   bool
}

// mergeInto applies next (a later change of the same key) onto the map.
func mergeInto[K comparable, T any](m map[K]change[T], key K, next change[T]) {
	prev, ok := m[key]
	if !ok {
		m[key] = next
		return
	}
	if next.removed {
		if !prev.removed && prev.fresh {
			delete(m, key)
			return
		}
		m[key] = next
		return
	}
	// An upsert: the key is fresh only if the consumer still cannot know
	// it, i.e. it was fresh before; after a pending removal it was known.
	next.fresh = !prev.removed && prev.fresh
	m[key] = next
}

// eventKey names an Event object.
type eventKey struct {
	Namespace string
	Name      string
}

// window holds the changes not yet delivered.
type window struct {
	pods   map[PodKey]change[*PackedPod]
	events map[eventKey]change[*corev1.Event]
	owners map[rollout.OwnerKey]change[metav1.Object]
}

func newWindow() window {
	return window{
		pods:   make(map[PodKey]change[*PackedPod]),
		events: make(map[eventKey]change[*corev1.Event]),
		owners: make(map[rollout.OwnerKey]change[metav1.Object]),
	}
}

func (w window) empty() bool { return len(w.pods) == 0 && len(w.events) == 0 && len(w.owners) == 0 }

// maxReused is the most keys a window's map may have held and still be
// emptied for the next window; a larger one (the initial list's) is let go
// rather than kept, and swept, for the rest of the run.
const maxReused = 4096

// reset empties w for reuse. A window a frame, each map grown from
// nothing to the frame's keys, was some 0.6 KB of garbage per change at
// 5,000 changes a second.
func (w *window) reset() {
	w.pods = emptied(w.pods)
	w.events = emptied(w.events)
	w.owners = emptied(w.owners)
}

func emptied[K comparable, V any](m map[K]V) map[K]V {
	if len(m) > maxReused {
		return make(map[K]V)
	}
	clear(m)
	return m
}

// merge moves every change of later into w.
func (w window) merge(later window) {
	for k, c := range later.pods {
		mergeInto(w.pods, k, c)
	}
	for k, c := range later.events {
		mergeInto(w.events, k, c)
	}
	for k, c := range later.owners {
		mergeInto(w.owners, k, c)
	}
}

// coalescer gathers informer notifications and delivers them as Batches, at
// most one per interval. Handlers never block: they update the pending
// window under a short lock and nudge the flusher. While the consumer is
// slow the flusher keeps folding new changes into the batch it is trying to
// deliver, so memory is bounded by the number of keys, not of notifications.
type coalescer struct {
	interval time.Duration
	context  string // stamped on every batch (Options.Context)
	wake     chan struct{}

	mu      sync.Mutex
	pending window
	synced  bool
	conn    ConnState
	access  *rollout.Access // nil until owners are watched
}

func newCoalescer(interval time.Duration) *coalescer {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &coalescer{
		interval: interval,
		wake:     make(chan struct{}, 1),
		pending:  newWindow(),
	}
}

func (c *coalescer) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *coalescer) addPod(pod *PackedPod, fresh bool) {
	key := pod.Key()
	c.mu.Lock()
	mergeInto(c.pending.pods, key, change[*PackedPod]{obj: pod, fresh: fresh})
	c.mu.Unlock()
	c.nudge()
}

func (c *coalescer) removePod(key PodKey) {
	c.mu.Lock()
	mergeInto(c.pending.pods, key, change[*PackedPod]{removed: true})
	c.mu.Unlock()
	c.nudge()
}

func (c *coalescer) addEvent(ev *corev1.Event, fresh bool) {
	key := eventKey{Namespace: ev.Namespace, Name: ev.Name}
	c.mu.Lock()
	mergeInto(c.pending.events, key, change[*corev1.Event]{obj: ev, fresh: fresh})
	c.mu.Unlock()
	c.nudge()
}

func (c *coalescer) removeEvent(ev *corev1.Event) {
	key := eventKey{Namespace: ev.Namespace, Name: ev.Name}
	c.mu.Lock()
	mergeInto(c.pending.events, key, change[*corev1.Event]{obj: ev, removed: true})
	c.mu.Unlock()
	c.nudge()
}

func (c *coalescer) addOwner(key rollout.OwnerKey, obj metav1.Object, fresh bool) {
	c.mu.Lock()
	mergeInto(c.pending.owners, key, change[metav1.Object]{obj: obj, fresh: fresh})
	c.mu.Unlock()
	c.nudge()
}

func (c *coalescer) removeOwner(key rollout.OwnerKey) {
	c.mu.Lock()
	mergeInto(c.pending.owners, key, change[metav1.Object]{removed: true})
	c.mu.Unlock()
	c.nudge()
}

// setAccess publishes which owner kinds may be read.
func (c *coalescer) setAccess(a rollout.Access) {
	c.mu.Lock()
	c.access = &a
	c.mu.Unlock()
	c.nudge()
}

// setSynced is called once every handler has seen its informer's initial
// list, so every initial object is already pending or delivered.
func (c *coalescer) setSynced() {
	c.mu.Lock()
	c.synced = true
	c.mu.Unlock()
	c.nudge()
}

func (c *coalescer) setConn(s ConnState) {
	c.mu.Lock()
	c.conn = s
	c.mu.Unlock()
	c.nudge()
}

// delivered is what the consumer has already been told.
type delivered struct {
	synced  bool
	conn    ConnState
	hasConn bool
	access  *rollout.Access
}

// collect moves the pending changes into held and builds the batch that
// would bring the consumer up to date. ok is false when there is nothing
// to say. Synced is read under the same lock as the changes, so a Synced
// batch always carries (or follows) every object of the initial lists.
//
// held's maps are reused: while it holds nothing, the pending maps become
// held's and its empty ones the next pending.
func (c *coalescer) collect(held *window, told delivered) (b Batch, ok bool) {
	c.mu.Lock()
	switch {
	case c.pending.empty():
	case held.empty():
		*held, c.pending = c.pending, *held
	default:
		held.merge(c.pending)
		c.pending = newWindow()
	}
	b.Synced = c.synced
	b.Context = c.context
	conn := c.conn
	access := c.access
	c.mu.Unlock()

	if !told.hasConn || !sameConn(conn, told.conn) {
		b.Conn = &conn
	}
	if access != nil && (told.access == nil || !sameAccess(*access, *told.access)) {
		b.OwnerAccess = access
	}
	for k, ch := range held.pods {
		if ch.removed {
			b.Removed = append(b.Removed, k)
		} else {
			b.Packed = append(b.Packed, ch.obj)
		}
	}
	for _, ch := range held.events {
		if ch.removed {
			b.RemovedEvents = append(b.RemovedEvents, ch.obj)
		} else {
			b.Events = append(b.Events, ch.obj)
		}
	}
	for k, ch := range held.owners {
		if ch.removed {
			b.OwnersRemoved = append(b.OwnersRemoved, k)
		} else {
			b.Owners = append(b.Owners, ch.obj)
		}
	}
	ok = !held.empty() || b.Conn != nil || b.OwnerAccess != nil || (b.Synced && !told.synced)
	return b, ok
}

// run delivers batches on out until ctx is cancelled.
func (c *coalescer) run(ctx context.Context, out chan<- Batch) {
	var told delivered
	var lastSent time.Time
	retry := time.NewTimer(c.interval)
	defer retry.Stop()
	held := newWindow()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		// Let the frame fill: at most one batch per interval.
		if wait := c.interval - time.Since(lastSent); wait > 0 && !lastSent.IsZero() {
			retry.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-retry.C:
			}
		}
		held.reset()
		batch, ok := c.collect(&held, told)
		for ok {
			retry.Reset(c.interval)
			select {
			case <-ctx.Done():
				return
			case out <- batch:
				lastSent = time.Now()
				told.synced = batch.Synced
				if batch.Conn != nil {
					told.conn, told.hasConn = *batch.Conn, true
				}
				if batch.OwnerAccess != nil {
					told.access = batch.OwnerAccess
				}
				ok = false
			case <-retry.C:
				// The consumer is behind: fold in what arrived meanwhile so
				// the batch it finally takes is current.
				batch, ok = c.collect(&held, told)
			}
		}
	}
}

func sameAccess(a, b rollout.Access) bool {
	return slices.Equal(a.Refused, b.Refused)
}

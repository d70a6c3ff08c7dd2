package demo

import (
	"container/heap"
	"sync"
	"time"
)

// clock is the simulated time. Only the simulator moves it (under
// Cluster.mu); the TUI reads it from its own goroutine to compute ages, hence
// the lock.
type clock struct {
	mu  sync.RWMutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// action is something the simulated cluster does at a given instant.
type action struct {
	at  time.Time
	seq uint64 // insertion order: equal instants run first-scheduled first
	fn  func()
}

// agenda is a min-heap of actions ordered by (at, seq), which makes the
// simulation a pure function of the seed: the order of actions never depends
// on goroutine scheduling or on how time was stepped.
type agenda []*action

func (a agenda) Len() int { return len(a) }
func (a agenda) Less(i, j int) bool {
	if !a[i].at.Equal(a[j].at) {
		return a[i].at.Before(a[j].at)
	}
	return a[i].seq < a[j].seq
}
func (a agenda) Swap(i, j int) { a[i], a[j] = a[j], a[i] }
func (a *agenda) Push(x any)   { *a = append(*a, x.(*action)) }
func (a *agenda) Pop() any {
	old := *a
	n := len(old)
	x := old[n-1]
	old[n-1] = nil
	*a = old[:n-1]
	return x
}

func (a *agenda) add(x *action) { heap.Push(a, x) }

// next removes and returns the earliest action due at or before t.
func (a *agenda) next(t time.Time) *action {
	if len(*a) == 0 || (*a)[0].at.After(t) {
		return nil
	}
	return heap.Pop(a).(*action)
}

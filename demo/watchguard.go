package demo

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/watch"
)

// The fake clientset's watchers have a fixed buffer (watch.DefaultChanSize)
// and panic when a write finds it full. A real apiserver would just hold the
// events; the simulator, which can write hundreds of updates in one Step,
// must instead wait for the informers to drain. watchGuard knows every
// watcher the fake hands out (see installReactors) and makes each write wait
// while one of them is half full. Reflectors drain their watch into an
// unbounded queue, so the wait is short; a stopped watcher no longer counts.
const (
	guardPoll = time.Millisecond
	// guardTimeout turns a watcher that nobody reads into an error rather
	// than a hang (or the fake's panic).
	guardTimeout = 30 * time.Second
)

type watchGuard struct {
	timeout  time.Duration
	mu       sync.Mutex
	watchers []*watch.RaceFreeFakeWatcher
}

func newWatchGuard() *watchGuard { return &watchGuard{timeout: guardTimeout} }

func (g *watchGuard) add(w *watch.RaceFreeFakeWatcher) {
	g.mu.Lock()
	defer g.mu.Unlock()
	// Forget the stopped ones, so a long demo does not accumulate them.
	live := g.watchers[:0]
	for _, old := range g.watchers {
		if !old.IsStopped() {
			live = append(live, old)
		}
	}
	g.watchers = append(live, w)
}

// wait blocks while a live watcher's buffer is more than half full.
func (g *watchGuard) wait() error {
	deadline := time.Now().Add(g.timeout)
	for g.full() {
		if time.Now().After(deadline) {
			return errStalled
		}
		time.Sleep(guardPoll)
	}
	return nil
}

func (g *watchGuard) full() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, w := range g.watchers {
		if w.IsStopped() {
			continue
		}
		if len(w.ResultChan()) > int(watch.DefaultChanSize)/2 {
			return true
		}
	}
	return false
}

package main

import (
	"strconv"
	"sync"
)

// arrivals matches what a probe waits for with what an observer saw: the
// value (a time, a stamp) recorded when pod name reached restart count
// count. Either side may come first: a sighting nobody asked for yet is
// kept until asked for, and only the first sighting of a key counts.
type arrivals[T any] struct {
	mu      sync.Mutex
	waiting map[string]chan T // "name/count"
	early   map[string]T      // seen before anyone asked
}

func arrivalKey(name string, count int32) string {
	return name + "/" + strconv.Itoa(int(count))
}

// expect returns a channel that receives the value seen for name at count.
func (a *arrivals[T]) expect(name string, count int32) <-chan T {
	key := arrivalKey(name, count)
	ch := make(chan T, 1)
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.early[key]; ok {
		ch <- v
		delete(a.early, key)
		return ch
	}
	if a.waiting == nil {
		a.waiting = map[string]chan T{}
	}
	a.waiting[key] = ch
	return ch
}

// saw records v for name at count.
func (a *arrivals[T]) saw(name string, count int32, v T) {
	key := arrivalKey(name, count)
	a.mu.Lock()
	defer a.mu.Unlock()
	if ch, ok := a.waiting[key]; ok {
		ch <- v
		delete(a.waiting, key)
		return
	}
	if _, ok := a.early[key]; ok {
		return
	}
	if a.early == nil {
		a.early = map[string]T{}
	}
	a.early[key] = v
}

// unclaimed counts the sightings nobody has asked for.
func (a *arrivals[T]) unclaimed() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.early)
}

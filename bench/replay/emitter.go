package main

import (
	"fmt"
	"sync"
	"time"
)

// emitter writes changes into the server at a set rate: background changes
// round-robin over the pods that are not targets (a new resourceVersion and
// sent stamp, what the row shows unchanged), and every probe interval a
// probe: a target pod whose first init container's restart count becomes
// a new number, reported with its send time.
type emitter struct {
	s *server

	mu         sync.Mutex
	rate       int
	probeEvery time.Duration
	onProbe    func(name string, count int32, sent int64)

	next     int // next background pod
	probeSeq int
	others   []int
}

func newEmitter(s *server, onProbe func(string, int32, int64)) *emitter {
	e := &emitter{s: s, onProbe: onProbe}
	for i, t := range s.set.target {
		if !t {
			e.others = append(e.others, i)
		}
	}
	return e
}

func (e *emitter) set(rate int, probeEvery time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rate, e.probeEvery = rate, probeEvery
}

// run emits until stop is closed. Every millisecond it emits the changes
// due since the rate was last seen, so the rate holds on average however
// late the ticks come.
func (e *emitter) run(stop <-chan struct{}) error {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var rate int
	var probeEvery time.Duration
	var since time.Time
	var done int64
	var lastProbe time.Time
	for {
		select {
		case <-stop:
			return nil
		case now := <-tick.C:
			e.mu.Lock()
			r, pe := e.rate, e.probeEvery
			e.mu.Unlock()
			if r != rate {
				rate, since, done = r, now, 0
			}
			if pe != probeEvery {
				probeEvery, lastProbe = pe, now
			}
			if rate > 0 && len(e.others) > 0 {
				due := int64(now.Sub(since).Seconds()*float64(rate)) - done
				for range due {
					i := e.others[e.next%len(e.others)]
					e.next++
					e.s.emit(i, e.s.set.enc[i], false)
				}
				done += due
			}
			if probeEvery > 0 && now.Sub(lastProbe) >= probeEvery && len(e.s.set.targets) > 0 {
				lastProbe = now
				if err := e.probe(); err != nil {
					return err
				}
			}
		}
	}
}

// probe writes the next probe: a new restart count on the next target.
func (e *emitter) probe() error {
	e.probeSeq++
	set := e.s.set
	i := set.targets[e.probeSeq%len(set.targets)]
	pod := set.pods[i].DeepCopy()
	count := int32(1000 + e.probeSeq)
	if len(pod.Status.InitContainerStatuses) == 0 {
		return fmt.Errorf("target %s has no init container statuses", pod.Name)
	}
	pod.Status.InitContainerStatuses[0].RestartCount = count
	enc, err := encode(e.s.f, pod)
	if err != nil {
		return fmt.Errorf("encode probe of %s: %w", pod.Name, err)
	}
	c := e.s.emit(i, enc, true)
	if e.onProbe != nil {
		e.onProbe(pod.Name, count, c.sent)
	}
	return nil
}

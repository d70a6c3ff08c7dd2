package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// writeLoad is the background status traffic: rate writes per second spread
// over every pod but the latency targets, until ctx ends.
type writeLoad struct {
	issued, done, failed, dropped atomic.Int64
	elapsed                       time.Duration
	firstErr                      atomic.Pointer[error]
}

// achieved is the rate of writes that completed.
func (w *writeLoad) achieved() float64 {
	if w.elapsed <= 0 {
		return 0
	}
	return float64(w.done.Load()) / w.elapsed.Seconds()
}

// runWriteLoad writes statuses at rate per second with workers requests in
// flight at most. The pacer hands out work every few milliseconds to stay
// on schedule; when every worker is busy (the apiserver is behind) the
// writes that do not fit are dropped and counted, so the rate reported is
// what the apiserver really took.
func (c *cluster) runWriteLoad(ctx context.Context, rate, workers int, seed uint64) *writeLoad {
	w := &writeLoad{}
	jobs := make(chan int, workers)
	var wg sync.WaitGroup
	var value atomic.Int32
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				// A different count each time, so every write is a change
				// the watchers get (an identical status is not written).
				v := 1 + value.Add(1)%997
				if err := c.setRestarts(ctx, c.cs, i, v); err != nil {
					if ctx.Err() != nil && errors.Is(err, context.Canceled) {
						continue // cut short at the end: not a failure
					}
					w.failed.Add(1)
					w.firstErr.CompareAndSwap(nil, &err)
					continue
				}
				w.done.Add(1)
			}
		})
	}
	r := rand.New(rand.NewPCG(seed, 1))
	others := make([]int, 0, len(c.pods))
	for i, p := range c.pods {
		if !p.target {
			others = append(others, i)
		}
	}
	start := time.Now()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
pace:
	for {
		select {
		case <-ctx.Done():
			break pace
		case <-tick.C:
		}
		due := int64(time.Since(start).Seconds()*float64(rate)) - w.issued.Load() - w.dropped.Load()
		for range due {
			select {
			case jobs <- others[r.IntN(len(others))]:
				w.issued.Add(1)
			default:
				w.dropped.Add(1)
			}
		}
	}
	w.elapsed = time.Since(start)
	close(jobs)
	wg.Wait()
	return w
}

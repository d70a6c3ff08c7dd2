package podlist

import "time"

// colStats are the widest contents of the rows, for sizing columns.
type colStats struct {
	// ctx is the CONTEXT column's natural width, set by the App (which
	// knows the clusters and which are stale), 0 for one cluster.
	ctx, ns, name, ready, status, restarts, steps, fraction, stepName int
	oldest                                                            time.Time
	pods                                                              int
}

// cellSizes are an entry's contributions to the column widths, computed
// when the entry changes (see podEntry.cells).
type cellSizes struct {
	ns, name, status, stepName, ready, steps, restarts int32
	lastRestart                                        bool
	created                                            time.Time
}

// measure scans rows once: the widths from scratch, which colWidths keeps
// up to date as rows come and go (TestColWidthsAgreeWithMeasure holds the
// two together).
func measure(rows []listRow) colStats {
	var s colStats
	var maxRestarts, maxSteps int32
	lastRestart := false
	for _, r := range rows {
		e := r.pod
		if e == nil {
			continue
		}
		c := &e.cells
		s.pods++
		s.ns = max(s.ns, int(c.ns))
		s.name = max(s.name, int(c.name))
		s.status = max(s.status, int(c.status))
		s.stepName = max(s.stepName, int(c.stepName))
		s.ready = max(s.ready, int(c.ready))
		maxSteps = max(maxSteps, c.steps)
		maxRestarts = max(maxRestarts, c.restarts)
		lastRestart = lastRestart || c.lastRestart
		if !c.created.IsZero() && (s.oldest.IsZero() || c.created.Before(s.oldest)) {
			s.oldest = c.created
		}
	}
	s.steps = int(maxSteps)
	if maxSteps > 0 {
		// The widest N/M fraction: the step counts are at most maxSteps.
		s.fraction = 2*digits(int(maxSteps)) + 1
	}
	s.restarts = digits(int(maxRestarts))
	if lastRestart {
		// " (4m12s ago)": the widest age kubectl prints short of years.
		s.restarts += len(" (4m12s ago)")
	}
	return s
}

func digits(n int) int {
	d := 1
	for n >= 10 || n <= -10 {
		n /= 10
		d++
	}
	if n < 0 {
		d++
	}
	return d
}

// colWidths is measure kept up to date as pods join and leave the rows: a
// batch then costs what its pods cost, where measure read every row (one
// cache miss a pod: at 50,000 pods the largest cost of a batch). Each
// width is a count of rows per value, so the widest is known again when
// the widest row leaves; the oldest creation time is a heap.
type colWidths struct {
	ns, name, status, stepName, ready, steps maxCount
	// restarts counts rows by the digits of their restart count: the
	// column's width is all measure derives from it.
	restarts    maxCount
	lastRestart int
	pods        int
	oldest      createdHeap
}

// add counts e's cells, which it now shows in the rows.
func (w *colWidths) add(e *podEntry) {
	c := &e.cells
	e.listed = true
	w.pods++
	w.ns.add(c.ns)
	w.name.add(c.name)
	w.status.add(c.status)
	w.stepName.add(c.stepName)
	w.ready.add(c.ready)
	w.steps.add(c.steps)
	w.restarts.add(int32(digits(int(max(c.restarts, 0)))))
	if c.lastRestart {
		w.lastRestart++
	}
	if !c.created.IsZero() {
		w.oldest.push(e)
	}
}

// remove takes back the cells c that e was added with; e has left the rows.
func (w *colWidths) remove(e *podEntry, c *cellSizes) {
	e.listed = false
	w.pods--
	w.ns.remove(c.ns)
	w.name.remove(c.name)
	w.status.remove(c.status)
	w.stepName.remove(c.stepName)
	w.ready.remove(c.ready)
	w.steps.remove(c.steps)
	w.restarts.remove(int32(digits(int(max(c.restarts, 0)))))
	if c.lastRestart {
		w.lastRestart--
	}
	w.oldest.remove(e)
}

// reset counts nothing, before the rows are rebuilt; old are the rows
// before, whose pods are no longer counted.
func (w *colWidths) reset(old []listRow) {
	for _, r := range old {
		if r.pod != nil {
			r.pod.listed = false
		}
	}
	for _, it := range w.oldest.items {
		it.e.heapAt = 0
	}
	clear(w.oldest.items)
	*w = colWidths{oldest: createdHeap{items: w.oldest.items[:0]}}
}

// stats are the widths as measure gives them for the rows counted.
func (w *colWidths) stats() colStats {
	s := colStats{
		ns: int(w.ns.top), name: int(w.name.top), status: int(w.status.top), stepName: int(w.stepName.top),
		ready: int(w.ready.top), steps: int(w.steps.top), pods: w.pods,
	}
	if s.steps > 0 {
		s.fraction = 2*digits(s.steps) + 1
	}
	// digits(0) when no row restarted, or there is no row.
	s.restarts = max(int(w.restarts.top), 1)
	if w.lastRestart > 0 {
		s.restarts += len(" (4m12s ago)")
	}
	s.oldest = w.oldest.min()
	return s
}

// maxCount is a multiset of small non-negative values that knows its
// largest (0 when empty). Values index a slice: widths are cells, which
// stay in the hundreds; larger ones are counted in a map.
type maxCount struct {
	n    []int32
	big  map[int32]int
	top  int32
	size int
}

// maxCountDense is the largest value counted in the slice.
const maxCountDense = 1 << 10

func (m *maxCount) add(v int32) {
	v = max(v, 0)
	m.size++
	m.top = max(m.top, v)
	if v >= maxCountDense {
		if m.big == nil {
			m.big = make(map[int32]int)
		}
		m.big[v]++
		return
	}
	if int(v) >= len(m.n) {
		m.n = append(m.n, make([]int32, int(v)+1-len(m.n))...)
	}
	m.n[v]++
}

func (m *maxCount) remove(v int32) {
	v = max(v, 0)
	m.size--
	if v >= maxCountDense {
		if m.big[v]--; m.big[v] == 0 {
			delete(m.big, v)
		}
	} else {
		m.n[v]--
	}
	if v != m.top || m.count(v) > 0 {
		return
	}
	// The widest went: the next one down (big values are few).
	m.top = 0
	for k := range m.big {
		m.top = max(m.top, k)
	}
	if m.top > 0 || m.size == 0 {
		return
	}
	for k := min(int(v), len(m.n)-1); k > 0; k-- {
		if m.n[k] > 0 {
			m.top = int32(k)
			return
		}
	}
}

func (m *maxCount) count(v int32) int {
	if v >= maxCountDense {
		return m.big[v]
	}
	return int(m.n[v])
}

// createdHeap finds the oldest creation time among the rows: a min-heap
// of one item per row with a creation time, each entry knowing its place
// (heapAt) so that it leaves in O(log n) when its pod leaves the rows.
type createdHeap struct {
	items []createdItem
}

// createdItem keeps the creation time the entry joined with: its cells
// may change before it leaves.
type createdItem struct {
	created time.Time
	e       *podEntry
}

func (h *createdHeap) push(e *podEntry) {
	h.items = append(h.items, createdItem{created: e.cells.created, e: e})
	h.up(len(h.items) - 1)
}

func (h *createdHeap) remove(e *podEntry) {
	i := int(e.heapAt) - 1
	if i < 0 {
		return
	}
	e.heapAt = 0
	last := len(h.items) - 1
	if i != last {
		h.items[i] = h.items[last]
		h.items[i].e.heapAt = int32(i + 1)
	}
	h.items[last] = createdItem{}
	h.items = h.items[:last]
	if i < last {
		h.down(i)
		h.up(i)
	}
}

func (h *createdHeap) min() time.Time {
	if len(h.items) == 0 {
		return time.Time{}
	}
	return h.items[0].created
}

func (h *createdHeap) up(i int) {
	it := h.items[i]
	for i > 0 {
		p := (i - 1) / 2
		if !it.created.Before(h.items[p].created) {
			break
		}
		h.items[i] = h.items[p]
		h.items[i].e.heapAt = int32(i + 1)
		i = p
	}
	h.items[i] = it
	it.e.heapAt = int32(i + 1)
}

func (h *createdHeap) down(i int) {
	it := h.items[i]
	n := len(h.items)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h.items[c+1].created.Before(h.items[c].created) {
			c++
		}
		if !h.items[c].created.Before(it.created) {
			break
		}
		h.items[i] = h.items[c]
		h.items[i].e.heapAt = int32(i + 1)
		i = c
	}
	h.items[i] = it
	it.e.heapAt = int32(i + 1)
}

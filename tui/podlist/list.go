package podlist

import (
	"slices"
	"time"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// listRow is one line of the list: a pod, or an owner group's header.
type listRow struct {
	pod   *podEntry
	group *ownerGroup
}

// podList is the list's state: every pod in display order and the rows
// that survive the filter and the toggles. All sorting and filtering happens
// here, when data, filter or order change; the view only slices rows.
type podList struct {
	order       sortOrder
	onlyInit    bool
	onlyFailing bool
	grouped     bool
	query       string

	sorted   []*podEntry // every pod, in order
	filtered []*podEntry // sorted ∩ query matches (sorted itself when no query)
	rows     []listRow   // filtered ∩ toggles, grouped when asked
	stats    colStats    // content widths over rows

	cursor, offset int // row under the cursor, first row shown
	height         int // rows that fit on screen
	// moved is set once the user moves the cursor or the view. Until then
	// the cursor stays on the first row, the most urgent pod, with the view
	// at the top: pods arrive in any order and triage sorts the worst
	// above the first arrivals, so following the first pod to arrive would
	// open on healthy pods while the failing ones sit above the screen.
	moved bool
	// Once moved, the cursor follows its pod (or group header) when rows
	// move.
	selPod   *podEntry
	selGroup string
	onGroup  bool
	// owners resolve pods to their workloads and revisions when grouped
	// (the rollouts summary's resolution); nil groups by owner reference.
	owners *rollout.Owners
}

// applyChanges updates the order and the filter after a batch: changed
// entries are re-matched (only them) and merged into place.
func (l *podList) applyChanges(res applyResult) {
	l.sorted = resort(l.sorted, res.changed, res.removed, l.order)
	if l.query != "" {
		for _, e := range res.changed {
			matchOne(l.query, e)
		}
	}
	for _, e := range res.changed {
		e.dirty = false
	}
	l.refilterFlags()
}

// refilterFlags rebuilds filtered from the per-entry match flags, which are
// current for the query: one pass, no matching.
func (l *podList) refilterFlags() {
	if l.query == "" {
		l.filtered = l.sorted
	} else {
		// A fresh slice: filtered may share its array with sorted.
		l.filtered = make([]*podEntry, 0, len(l.filtered))
		for _, e := range l.sorted {
			if e.matched {
				l.filtered = append(l.filtered, e)
			}
		}
	}
	l.rebuild()
}

// setQuery changes the filter. When the new query extends the old one only
// the old matches are searched again: typing a character on 10,000 pods
// searches the few that still match.
func (l *podList) setQuery(q string) {
	if q == l.query {
		return
	}
	switch {
	case q == "":
		l.filtered = l.sorted
	case canNarrow(l.query, q):
		l.filtered = matchEntries(q, l.filtered)
	default:
		l.filtered = matchEntries(q, l.sorted)
	}
	l.query = q
	l.rebuild()
}

// setOrder re-sorts everything in a new order.
func (l *podList) setOrder(o sortOrder) {
	l.order = o
	slices.SortFunc(l.sorted, o.compare)
	l.refilterFlags()
}

// keep reports whether the toggles let e through. With both toggles on,
// pods that are either initializing or failing are kept.
func (l *podList) keep(e *podEntry) bool {
	if !l.onlyInit && !l.onlyFailing {
		return true
	}
	c := e.view.Category
	return (l.onlyInit && c == model.CategoryInitializing) || (l.onlyFailing && c == model.CategoryFailing)
}

// rebuild derives rows from filtered and puts the cursor back on its pod.
func (l *podList) rebuild() {
	screenRow := l.cursor - l.offset
	pods := l.filtered
	if l.onlyInit || l.onlyFailing {
		pods = make([]*podEntry, 0, len(l.filtered)/2)
		for _, e := range l.filtered {
			if l.keep(e) {
				pods = append(pods, e)
			}
		}
	}
	if l.grouped {
		l.rows = groupRows(pods, l.rows, l.owners)
	} else {
		l.rows = l.rows[:0]
		for _, e := range pods {
			l.rows = append(l.rows, listRow{pod: e})
		}
	}
	l.stats = measure(l.rows)
	l.relocate(screenRow)
}

// relocate finds the selected pod or group in the new rows, keeping it on
// the same screen line when it can, so rows move around a steady cursor.
func (l *podList) relocate(screenRow int) {
	if !l.moved {
		l.cursor, l.offset = 0, 0
		l.clamp()
		return
	}
	found := -1
	switch {
	case l.onGroup:
		for i, r := range l.rows {
			if r.group != nil && r.group.key == l.selGroup {
				found = i
				break
			}
		}
	case l.selPod != nil:
		for i, r := range l.rows {
			if r.pod == l.selPod {
				found = i
				break
			}
		}
	}
	if found >= 0 {
		l.cursor = found
		l.offset = found - screenRow
	}
	l.clamp()
}

// clamp keeps cursor and offset inside the rows and the cursor on screen,
// then records what the cursor is on. Every change of the rows or of the
// view ends here, so the rows now on screen get their filter highlights
// here too, and View has nothing to compute.
func (l *podList) clamp() {
	defer l.highlightVisible()
	n := len(l.rows)
	l.cursor = max(0, min(l.cursor, n-1))
	h := max(l.height, 1)
	l.offset = max(0, min(l.offset, n-h))
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.selPod, l.onGroup, l.selGroup = nil, false, ""
	if n == 0 {
		return
	}
	if r := l.rows[l.cursor]; r.pod != nil {
		l.selPod = r.pod
	} else {
		l.onGroup, l.selGroup = true, r.group.key
	}
}

func (l *podList) setHeight(h int) {
	l.height = max(h, 0)
	l.clamp()
}

// move moves the cursor by delta rows.
func (l *podList) move(delta int) {
	l.moved = true
	l.cursor += delta
	l.clamp()
}

// scroll moves the view by delta rows, dragging the cursor along only when
// it would leave the screen (mouse wheel).
func (l *podList) scroll(delta int) {
	l.moved = true
	h := max(l.height, 1)
	l.offset = max(0, min(l.offset+delta, len(l.rows)-h))
	if l.cursor < l.offset {
		l.cursor = l.offset
	} else if l.cursor >= l.offset+h {
		l.cursor = l.offset + h - 1
	}
	l.clamp()
}

func (l *podList) page(dir int) { l.move(dir * max(l.height-1, 1)) }
func (l *podList) bottom()      { l.moved = true; l.cursor = len(l.rows) - 1; l.clamp() }

// top goes back to the first row and stays there as pods sort above it,
// like the first screen: asking for the head of the triage order means the
// most urgent pod, whichever it becomes.
func (l *podList) top() { l.moved = false; l.cursor, l.offset = 0, 0; l.clamp() }

// visible returns the rows on screen, with the filter's highlights.
func (l *podList) visible() []listRow {
	end := min(l.offset+max(l.height, 0), len(l.rows))
	if l.offset >= end {
		return nil
	}
	return l.rows[l.offset:end]
}

// highlightVisible computes the highlights of the rows on screen for the
// current query (at most a screenful of fuzzy matches per update).
func (l *podList) highlightVisible() {
	for _, r := range l.visible() {
		if e := r.pod; e != nil && e.hlQuery != l.query {
			e.hlQuery, e.highlight = l.query, highlight(l.query, e)
		}
	}
}

// selectScreenRow puts the cursor on the y-th row shown (a mouse click).
func (l *podList) selectScreenRow(y int) bool {
	i := l.offset + y
	if y < 0 || y >= l.height || i >= len(l.rows) {
		return false
	}
	l.moved = true
	l.cursor = i
	l.clamp()
	return true
}

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

// measure scans rows once; all widths were computed when entries changed.
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

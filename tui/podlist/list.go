package podlist

import (
	"slices"

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
	widths   colWidths   // stats, kept up to date as rows come and go

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

	// hl holds the filter's highlights of the rows on screen, computed
	// for hlQuery (highlightVisible). Only a screenful of entries has
	// them at a time: kept here, they cost no field on every entry.
	hl      map[*podEntry]rowHighlight
	hlQuery string
	// hlMark tells the rows highlightVisible last saw on screen from
	// those that left it.
	hlMark bool
}

// rowHighlight is the byte offsets of an entry's search to emphasise;
// mark is the pass of highlightVisible that last found it on screen.
type rowHighlight struct {
	at   []int
	mark bool
}

// applyChanges updates the order, the filter, the rows and the column
// widths after a batch: what changed is taken out of each and merged back
// in where it now belongs (changed entries are re-matched, only them), so
// a batch costs what its pods cost, not what the list holds.
func (l *podList) applyChanges(res applyResult) {
	if len(res.changed) == 0 && len(res.removed) == 0 {
		return
	}
	screenRow := l.cursor - l.offset
	// What leaves and joins the list (all), the filter's matches (matches)
	// and the rows (rows). Where an entry stood before the batch is read
	// before it is re-matched: in the list (placed), in the matches
	// (matched), in the rows (listed, counted in the widths with the cells
	// it had then).
	var all, matches, rows levelChange
	var unlisted []*podEntry
	var unlistedCells []*cellSizes
	for _, e := range res.removed {
		if e.dirty || !e.isPlaced {
			continue // changed too: below; or never placed
		}
		all.drops = append(all.drops, e)
		if l.query != "" && e.matched {
			matches.drops = append(matches.drops, e)
		}
		if e.listed {
			rows.drops = append(rows.drops, e)
			unlisted, unlistedCells = append(unlisted, e), append(unlistedCells, &e.cells)
		}
	}
	moved := make([]*podEntry, 0, len(res.changed))
	for i, e := range res.changed {
		wasMatch := e.isPlaced && l.query != "" && e.matched
		wasRow := e.listed
		if wasRow {
			unlisted, unlistedCells = append(unlisted, e), append(unlistedCells, &res.before[i])
		}
		if e.gone {
			if e.isPlaced {
				all.drops = append(all.drops, e)
			}
			matches.move(e, wasMatch, false, false)
			rows.move(e, wasRow, false, false)
			continue
		}
		if l.query != "" {
			matchOne(l.query, e)
		}
		// An entry whose key compares as it was placed keeps its place:
		// most status changes leave the order as it was.
		k := entryKey(e)
		still := e.isPlaced && l.order.compareKeys(&e.placed, &k) == 0
		if !still {
			if e.isPlaced {
				all.drops = append(all.drops, e)
			}
			all.adds = append(all.adds, e)
		}
		matches.move(e, wasMatch, l.query != "" && e.matched, still)
		rows.move(e, wasRow, l.shows(e), still)
		moved = append(moved, e)
	}
	for _, c := range []*levelChange{&all, &matches, &rows} {
		slices.SortFunc(c.adds, l.order.compare)
	}

	ok := false
	var plan *splicePlan
	if !manyMoves(len(all.drops)+len(all.adds), len(l.sorted)) {
		l.sorted, plan, ok = splice(l.sorted, entryOf, entryOf, all.drops, all.adds, l.order)
	}
	if !ok {
		l.sorted = resortAll(l.sorted, moved, l.order)
	} else {
		ok = l.spliceRows(plan, &matches, &rows)
	}
	for _, e := range res.removed {
		e.isPlaced = false
	}
	for _, e := range moved {
		place(e)
	}
	for _, e := range res.changed {
		e.dirty = false
	}
	if !ok {
		l.refilterFlags()
		return
	}
	for i, e := range unlisted {
		l.widths.remove(e, unlistedCells[i])
	}
	for _, e := range moved {
		if l.shows(e) {
			l.widths.add(e)
		}
	}
	l.stats = l.widths.stats()
	l.relocate(screenRow)
}

// levelChange is what a batch takes out of one of the list's levels
// (sorted, filtered, rows) and puts back in.
type levelChange struct {
	drops, adds []*podEntry
}

// move records e leaving or joining a level: was and now say whether it
// is in it before and after the batch; still, that it keeps its place in
// the order.
func (c *levelChange) move(e *podEntry, was, now, still bool) {
	if was && (!now || !still) {
		c.drops = append(c.drops, e)
	}
	if now && (!was || !still) {
		c.adds = append(c.adds, e)
	}
}

// spliceRows splices a batch's changes into filtered and the rows; plan
// is how sorted was spliced. ok is false if that could not be done and
// both must be rebuilt. Grouped rows are laid out again: they already cost
// a pass.
func (l *podList) spliceRows(plan *splicePlan, matches, rows *levelChange) bool {
	if l.query == "" && !l.onlyInit && !l.onlyFailing && !l.grouped {
		// The rows are every pod, in order: sorted's plan is theirs.
		l.filtered = l.sorted
		l.rows = applySplice(l.rows, podRow, plan)
		return true
	}
	ok := true
	if l.query == "" {
		l.filtered = l.sorted
	} else if l.filtered, _, ok = splice(l.filtered, entryOf, entryOf, matches.drops, matches.adds, l.order); !ok {
		return false
	}
	if l.grouped {
		l.rows = groupRows(l.shown(), l.rows, l.owners)
		return true
	}
	l.rows, _, ok = splice(l.rows, rowOf, podRow, rows.drops, rows.adds, l.order)
	return ok
}

// shows reports whether e, placed in the list, is one of its rows: it
// matches the query and the toggles let it through.
func (l *podList) shows(e *podEntry) bool {
	return (l.query == "" || e.matched) && l.keep(e)
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

// shown are the pods of the rows: filtered, less what the toggles hide.
func (l *podList) shown() []*podEntry {
	if !l.onlyInit && !l.onlyFailing {
		return l.filtered
	}
	pods := make([]*podEntry, 0, len(l.filtered)/2)
	for _, e := range l.filtered {
		if l.keep(e) {
			pods = append(pods, e)
		}
	}
	return pods
}

// rebuild derives rows, and their column widths, from filtered, and puts
// the cursor back on its pod.
func (l *podList) rebuild() {
	screenRow := l.cursor - l.offset
	pods := l.shown()
	l.widths.reset(l.rows)
	if l.grouped {
		l.rows = groupRows(pods, l.rows, l.owners)
	} else {
		l.rows = l.rows[:0]
		for _, e := range pods {
			l.rows = append(l.rows, listRow{pod: e})
		}
	}
	for _, e := range pods {
		l.widths.add(e)
	}
	l.stats = l.widths.stats()
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
	case l.selPod != nil && !l.grouped:
		// Rows are in order: the pod is found by its key, if listed.
		if e := l.selPod; e.listed {
			i, ok := slices.BinarySearchFunc(l.rows, e, func(r listRow, e *podEntry) int { return l.order.compare(r.pod, e) })
			if ok && l.rows[i].pod == e {
				found = i
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
// current query (at most a screenful of fuzzy matches per update), and
// forgets those of rows no longer on screen. An entry's search never
// changes, so its highlight holds until the query does.
func (l *podList) highlightVisible() {
	if l.hlQuery != l.query {
		clear(l.hl)
		l.hlQuery = l.query
	}
	if l.query == "" || isLabelQuery(l.query) {
		// Nothing to emphasise (highlight is nil for every entry).
		clear(l.hl)
		return
	}
	rows := l.visible()
	if l.hl == nil {
		l.hl = make(map[*podEntry]rowHighlight, len(rows))
	}
	l.hlMark = !l.hlMark
	for _, r := range rows {
		if e := r.pod; e != nil {
			h, ok := l.hl[e]
			if !ok {
				h.at = highlight(l.query, e)
			}
			h.mark = l.hlMark
			l.hl[e] = h
		}
	}
	if len(l.hl) > len(rows) {
		for e, h := range l.hl {
			if h.mark != l.hlMark {
				delete(l.hl, e)
			}
		}
	}
}

// highlightOf is the highlight of an entry on screen: the byte offsets of
// its search that the query matches.
func (l *podList) highlightOf(e *podEntry) []int {
	return l.hl[e].at
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

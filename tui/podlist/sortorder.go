package podlist

import (
	"slices"
	"time"

	"github.com/initwatch/initwatch/model"
)

// defaultSortKey is the triage order: failing pods first, then those still
// initializing, then the rest.
const defaultSortKey = model.SortDefault

// sortOrder is a model sort key (the same orders `initwatch get` uses) and
// a direction; `s` cycles through model.SortKeys, `S` reverses.
type sortOrder struct {
	key     model.SortKey
	reverse bool
}

func (o sortOrder) next() sortOrder {
	i := slices.Index(model.SortKeys, o.key)
	return sortOrder{key: model.SortKeys[(i+1)%len(model.SortKeys)], reverse: o.reverse}
}

func (o sortOrder) String() string {
	name := string(o.key)
	if o.key == model.SortDefault {
		name = "triage"
	}
	if o.reverse {
		return name + " ↓"
	}
	return name + " ↑"
}

// compare is model.Compare, reversed on demand. model.Compare is a total
// order (it ends on namespace, name and UID), so the list never shuffles
// between frames and merging re-sorted entries is exact.
func (o sortOrder) compare(a, b *podEntry) int {
	c := model.Compare(&a.view, &b.view, o.key)
	if o.reverse {
		return -c
	}
	return c
}

// sortKey is what model.Compare reads of a view, kept on each entry as it
// was when the entry took its place in the sorted list.
type sortKey struct {
	ctx, ns, name, uid string
	created            time.Time
	category           model.Category
	restarts           int
}

func keyOf(v *model.PodView) sortKey {
	return sortKey{ctx: v.Context, ns: v.Namespace, name: v.Name, uid: v.UID, created: v.Created,
		category: v.Category, restarts: v.Printed.RestartCount}
}

// view rebuilds the fields of a view that model.Compare reads.
func (k *sortKey) view() model.PodView {
	return model.PodView{Context: k.ctx, Namespace: k.ns, Name: k.name, UID: k.uid, Created: k.created,
		Category: k.category, Printed: model.Printed{RestartCount: k.restarts}}
}

// comparePlaced compares entries by the keys they were placed with.
func (o sortOrder) comparePlaced(a, b *podEntry) int {
	va, vb := a.placed.view(), b.placed.view()
	c := model.Compare(&va, &vb, o.key)
	if o.reverse {
		return -c
	}
	return c
}

// place records that e now stands in the sorted list by its current view.
func place(e *podEntry) {
	e.placed, e.isPlaced = keyOf(&e.view), true
}

// fewMoves is the most changed entries a batch may bring for resort to
// move them one by one (binary searches and memory moves, no pass over the
// entries); beyond it one merge pass over every entry is cheaper.
const fewMoves = 64

// resort brings sorted (every entry, in order o) up to date after a batch.
// changed holds the entries the batch added or updated (marked dirty),
// removed those it deleted (marked gone).
//
// Under a steady stream of status writes a batch holds a handful of pods
// out of thousands: their old places are found by binary search on the
// keys they were placed with, the others are copied over in blocks, and
// the moved ones are merged in at places found by binary search, so a
// batch costs memory moves and O(k log n) comparisons rather than a pass
// that visits every entry.
func resort(sorted, changed, removed []*podEntry, o sortOrder) []*podEntry {
	if len(changed) == 0 && len(removed) == 0 {
		return sorted
	}
	moved := make([]*podEntry, 0, len(changed))
	for _, e := range changed {
		if !e.gone {
			moved = append(moved, e)
		}
	}
	slices.SortFunc(moved, o.compare)
	if len(changed)+len(removed) <= fewMoves {
		if out, ok := resortFew(sorted, changed, removed, moved, o); ok {
			return out
		}
	}
	out := make([]*podEntry, 0, len(sorted)+len(moved))
	if len(moved)*8 > len(sorted) {
		// Many changes (the initial list, a relist): sort everything.
		for _, e := range sorted {
			if !e.dirty && !e.gone {
				out = append(out, e)
			}
		}
		out = append(out, moved...)
		slices.SortFunc(out, o.compare)
	} else {
		// One pass: skip the entries that moved or went, and merge the
		// moved ones, sorted, into place.
		j := 0
		for _, e := range sorted {
			if e.dirty || e.gone {
				continue
			}
			for j < len(moved) && o.compare(moved[j], e) < 0 {
				out = append(out, moved[j])
				j++
			}
			out = append(out, e)
		}
		out = append(out, moved[j:]...)
	}
	for _, e := range moved {
		place(e)
	}
	return out
}

// resortFew is resort for a few changes; ok is false if an entry was not
// where its key says (never expected), and the caller then merges.
func resortFew(sorted, changed, removed, moved []*podEntry, o sortOrder) ([]*podEntry, bool) {
	drop := make([]int, 0, len(changed)+len(removed))
	for _, group := range [2][]*podEntry{changed, removed} {
		for _, e := range group {
			if !e.isPlaced {
				continue // new: not in sorted yet
			}
			i, found := slices.BinarySearchFunc(sorted, e, o.comparePlaced)
			if !found || sorted[i] != e {
				return nil, false
			}
			// An entry both changed and removed comes twice.
			if !slices.Contains(drop, i) {
				drop = append(drop, i)
			}
		}
	}
	slices.Sort(drop)
	// Close the gaps in place: a batch arrives every frame under load,
	// and a fresh copy of the list each time was most of what the list
	// allocated (bench/tuiscale).
	n := 0
	prev := 0
	for _, d := range drop {
		n += copy(sorted[n:], sorted[prev:d])
		prev = d + 1
	}
	n += copy(sorted[n:], sorted[prev:])
	out := sorted[:n]
	if need := n + len(moved); need > cap(out) {
		grown := make([]*podEntry, n, need+need/8)
		copy(grown, out)
		out = grown
	}
	// Every entry left is unchanged, so its view is its key: find where
	// each moved one goes, then merge from the back in place.
	pos := make([]int, len(moved))
	for j, e := range moved {
		pos[j], _ = slices.BinarySearchFunc(out, e, o.compare)
	}
	i := len(out)
	out = out[:len(out)+len(moved)]
	w := len(out)
	for j := len(moved) - 1; j >= 0; j-- {
		for i > pos[j] {
			w--
			i--
			out[w] = out[i]
		}
		w--
		out[w] = moved[j]
	}
	if len(out) < len(sorted) {
		// Shrunk in place: drop the stale pointers past the end, or the
		// removed pods would stay reachable.
		clear(sorted[len(out):])
	}
	for _, e := range removed {
		e.isPlaced = false
	}
	for _, e := range moved {
		place(e)
	}
	return out, true
}

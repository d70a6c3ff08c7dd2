package podlist

import (
	"cmp"
	"slices"
	"time"

	"github.com/initwatch/initwatch/kube"
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

// compare is model.Compare on the entries' views, reversed on demand: the
// entries keep only the fields it reads, compared by compareKeys.
// model.Compare is a total order (it ends on namespace, name and UID), so
// the list never shuffles between frames and merging re-sorted entries is
// exact.
func (o sortOrder) compare(a, b *podEntry) int {
	ka, kb := entryKey(a), entryKey(b)
	return o.compareKeys(&ka, &kb)
}

// sortKey is what model.Compare reads of a view, kept on each entry as it
// was when the entry took its place in the sorted list. The context,
// namespace and name are the entry's key, which never changes: the sort
// key points at it rather than holding the three strings again.
type sortKey struct {
	names    *kube.PodKey
	uid      string
	created  time.Time
	category model.Category
	restarts int
}

// keyOf is the sort key of a whole view (the tests compare the keys'
// order with model.Compare's on views).
func keyOf(v *model.PodView) sortKey {
	return sortKey{names: &kube.PodKey{Context: v.Context, Namespace: v.Namespace, Name: v.Name}, uid: v.UID,
		created: v.Created, category: v.Category, restarts: v.Printed.RestartCount}
}

// entryKey is the sort key of an entry's current view: keyOf without
// copying its names.
func entryKey(e *podEntry) sortKey {
	return sortKey{names: &e.key, uid: e.view.uid, created: e.cells.created, category: e.view.Category,
		restarts: e.view.restarts}
}

// view rebuilds the fields of a view that model.Compare reads.
func (k *sortKey) view() model.PodView {
	return model.PodView{Context: k.names.Context, Namespace: k.names.Namespace, Name: k.names.Name, UID: k.uid,
		Created: k.created, Category: k.category, Printed: model.Printed{RestartCount: k.restarts}}
}

// comparePlaced compares entries by the keys they were placed with.
func (o sortOrder) comparePlaced(a, b *podEntry) int { return o.compareKeys(&a.placed, &b.placed) }

// compareKeys is compare on two sort keys. It is model.Compare on the
// fields a key keeps, without rebuilding views from them: building two
// views a comparison was most of what finding a pod's place cost
// (BenchmarkBatch). TestCompareKeysAgreesWithCompare holds the two
// together.
func (o sortOrder) compareKeys(a, b *sortKey) int {
	var c int
	switch o.key {
	case model.SortName:
		c = cmp.Compare(a.names.Name, b.names.Name)
	case model.SortNamespace:
		// the namespace/name tie-break below
	case model.SortAge:
		c = a.created.Compare(b.created)
	case model.SortRestarts:
		c = cmp.Compare(b.restarts, a.restarts)
	default:
		c = cmp.Compare(a.category, b.category)
	}
	if c == 0 {
		c = cmp.Compare(a.names.Namespace, b.names.Namespace)
	}
	if c == 0 {
		c = cmp.Compare(a.names.Name, b.names.Name)
	}
	if c == 0 {
		c = cmp.Compare(a.names.Context, b.names.Context)
	}
	if c == 0 {
		c = cmp.Compare(a.uid, b.uid)
	}
	if o.reverse {
		return -c
	}
	return c
}

// place records that e now stands in the sorted list by its current view.
func place(e *podEntry) {
	e.placed, e.isPlaced = entryKey(e), true
}

// fewMoves is the most changes a batch may bring for the list to splice
// them in whatever its length; a larger batch that changes more than an
// eighth of the list (the first list, a relist) sorts it whole.
const fewMoves = 64

// manyMoves reports whether k changes to a list of n entries are better
// sorted whole than spliced in.
func manyMoves(k, n int) bool { return k > fewMoves && k*8 > n }

// resortAll sorts the list whole after a batch: the entries it keeps and
// the moved ones, which are every changed entry not gone.
func resortAll(sorted, moved []*podEntry, o sortOrder) []*podEntry {
	out := make([]*podEntry, 0, len(sorted)+len(moved))
	for _, e := range sorted {
		if !e.dirty && !e.gone {
			out = append(out, e)
		}
	}
	out = append(out, moved...)
	slices.SortFunc(out, o.compare)
	return out
}

// splice takes drops out of list and merges adds in, in order o, in place
// when the array has room. list is ordered by the keys its entries were
// placed with, which are their current views but for the drops'; drops
// are entries of list, found by binary search on those keys; adds are
// sorted by their current views. ok is false, and list untouched, if a
// drop is not where its key says (never expected): the caller then
// rebuilds from scratch.
//
// Under a steady stream of status writes a batch holds a few hundred pods
// out of tens of thousands: finding and placing them costs O(k log n)
// comparisons, and the rest of the list moves in blocks (memmove, no entry
// read), where a merge pass read every entry.
func splice[T any](list []T, entry func(T) *podEntry, row func(*podEntry) T, drops, adds []*podEntry, o sortOrder) ([]T, *splicePlan, bool) {
	p, ok := planSplice(list, entry, drops, adds, o)
	if !ok {
		return list, nil, false
	}
	return applySplice(list, row, p), p, true
}

// splicePlan is where a splice takes entries out (at, indexes in the
// list) and puts them in (pos, indexes in the list without them): the same
// plan splices a list that holds the same entries in the same order.
type splicePlan struct {
	at, pos []int
	adds    []*podEntry
}

func planSplice[T any](list []T, entry func(T) *podEntry, drops, adds []*podEntry, o sortOrder) (*splicePlan, bool) {
	p := &splicePlan{at: make([]int, 0, len(drops)), pos: make([]int, len(adds)), adds: adds}
	for _, e := range drops {
		i, found := slices.BinarySearchFunc(list, e, func(x T, e *podEntry) int { return o.comparePlaced(entry(x), e) })
		if !found || entry(list[i]) != e {
			return nil, false
		}
		p.at = append(p.at, i)
	}
	slices.Sort(p.at)
	p.at = slices.Compact(p.at)
	// The list is in order of placed keys, drops included: where a new
	// key goes in it, less the drops before, is where it goes once they
	// are gone (every entry left is unchanged: its view is its key). Each
	// goes after the one before it.
	lo, d := 0, 0
	var k sortKey // one probe, not one allocation an add
	for j, e := range adds {
		k = entryKey(e)
		i, _ := slices.BinarySearchFunc(list[lo:], &k, func(x T, k *sortKey) int { return o.compareKeys(&entry(x).placed, k) })
		i += lo
		for d < len(p.at) && p.at[d] < i {
			d++
		}
		p.pos[j] = i - d
		lo = i
	}
	return p, true
}

// applySplice carries out p on list.
func applySplice[T any](list []T, row func(*podEntry) T, p *splicePlan) []T {
	// Close the gaps in place: a batch arrives every frame under load,
	// and a fresh copy of the list each time was most of what the list
	// allocated (bench/tuiscale).
	n, prev := 0, 0
	for _, d := range p.at {
		n += copy(list[n:], list[prev:d])
		prev = d + 1
	}
	n += copy(list[n:], list[prev:])
	out := list[:n]
	if need := n + len(p.adds); need > cap(out) {
		grown := make([]T, n, need+need/8)
		copy(grown, out)
		out = grown
	}
	// Merge from the back, moving blocks.
	i := len(out)
	out = out[:len(out)+len(p.adds)]
	w := len(out)
	for j := len(p.adds) - 1; j >= 0; j-- {
		k := i - p.pos[j]
		i -= k
		w -= k
		copy(out[w:w+k], out[i:i+k])
		w--
		out[w] = row(p.adds[j])
	}
	if len(out) < len(list) {
		// Shrunk in place: drop the stale entries past the end, or the
		// removed pods would stay reachable.
		clear(list[len(out):])
	}
	return out
}

func entryOf(e *podEntry) *podEntry { return e }
func rowOf(r listRow) *podEntry     { return r.pod }
func podRow(e *podEntry) listRow    { return listRow{pod: e} }

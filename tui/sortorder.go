package tui

import (
	"slices"

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

// resort brings sorted (every entry, in order o) up to date after a batch.
// changed holds the entries the batch added or updated (marked dirty);
// removed counts entries it deleted (marked gone). When few entries changed,
// the others are still in order, so merging them with the few re-sorted ones
// costs O(n) instead of a full O(n log n) sort.
func resort(sorted, changed []*podEntry, removed int, o sortOrder) []*podEntry {
	if len(changed) == 0 && removed == 0 {
		return sorted
	}
	moved := make([]*podEntry, 0, len(changed))
	for _, e := range changed {
		if !e.gone {
			moved = append(moved, e)
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
		return out
	}
	// One pass: skip the entries that moved or went, and merge the moved
	// ones, sorted, into place.
	slices.SortFunc(moved, o.compare)
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
	return append(out, moved[j:]...)
}

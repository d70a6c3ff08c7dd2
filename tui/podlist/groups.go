package podlist

import (
	"strconv"

	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/tui/view"
)

// ownerGroup is a header row of the list grouped by owner: one workload in
// one namespace, resolved as the rollouts summary resolves it (a
// Deployment rather than its ReplicaSets, a CronJob rather than its Jobs),
// so one rollout can be followed on its own; and, inside a workload that
// has revisions, one sub-header per revision (sub).
type ownerGroup struct {
	key    string // context + "\x00" + namespace + "\x00" + workload (+ "\x00" + revision); "" for pods without owner
	ctx    string // sanitized and shortened, "" for one cluster
	ns     string // sanitized
	owner  string // sanitized "Kind/name", "" for pods without owner
	counts counts
	// sub marks a revision's header inside its workload; revision names
	// it ("revision 3  web-5d8f9c7b6").
	sub      bool
	revision string
}

// placement is where the grouping puts an entry: its workload's key and
// label, and its revision's.
type placement struct {
	key, owner, revKey, revision string
}

// placeOf resolves e's workload and revision with owners (nil: the pods'
// own owner references, as before owners are known).
func placeOf(e *podEntry, owners *rollout.Owners) placement {
	if owners == nil {
		if e.owner == "" {
			return placement{}
		}
		// A workload of the same name in two clusters is two groups.
		return placement{key: e.key.Context + "\x00" + e.key.Namespace + "\x00" + e.view.owner, owner: e.owner}
	}
	p := owners.ResolveMeta(&e.pod.ObjectMeta)
	if p.Workload.Kind == rollout.KindNone {
		return placement{}
	}
	owner := view.CellText(p.Workload.Kind + "/" + p.Workload.Name)
	pl := placement{key: p.Workload.Context + "\x00" + e.key.Namespace + "\x00" + owner, owner: owner}
	if p.Revision != "" {
		pl.revKey = pl.key + "\x00" + p.Revision
		pl.revision = view.CellText(p.Revision)
		if p.Number > 0 {
			pl.revision = "revision " + itoa(p.Number) + "  " + pl.revision
		}
	}
	return pl
}

// groupRows lays out pods (already filtered and in display order) under
// their workloads, and inside each under its revisions. Groups come in the
// order of their first pod, so with the triage order the rollout in trouble
// is on top, and pods without owner come last; pods keep their order inside
// a group. rows is reused to avoid reallocating 10,000 rows per batch.
func groupRows(pods []*podEntry, rows []listRow, owners *rollout.Owners) []listRow {
	type revision struct {
		group *ownerGroup
		pods  []*podEntry
	}
	type bucket struct {
		group *ownerGroup
		pods  []*podEntry // without revision
		revs  []*revision
		index map[string]int
	}
	index := make(map[string]int)
	var buckets []*bucket
	for _, e := range pods {
		p := placeOf(e, owners)
		i, ok := index[p.key]
		if !ok {
			i = len(buckets)
			index[p.key] = i
			g := &ownerGroup{key: p.key}
			if p.key != "" {
				g.ctx, g.ns, g.owner = e.ctx, e.ns, p.owner
			}
			buckets = append(buckets, &bucket{group: g, index: map[string]int{}})
		}
		b := buckets[i]
		b.group.counts.add(e.view.Category, 1)
		if p.revKey == "" {
			b.pods = append(b.pods, e)
			continue
		}
		j, ok := b.index[p.revKey]
		if !ok {
			j = len(b.revs)
			b.index[p.revKey] = j
			b.revs = append(b.revs, &revision{group: &ownerGroup{
				key: p.revKey, ns: e.ns, owner: p.owner, sub: true, revision: p.revision,
			}})
		}
		r := b.revs[j]
		r.pods = append(r.pods, e)
		r.group.counts.add(e.view.Category, 1)
	}
	// Pods without an owner are no rollout: their group goes last.
	if i, ok := index[""]; ok {
		loose := buckets[i]
		buckets = append(append(buckets[:i:i], buckets[i+1:]...), loose)
	}
	rows = rows[:0]
	for _, b := range buckets {
		rows = append(rows, listRow{group: b.group})
		for _, e := range b.pods {
			rows = append(rows, listRow{pod: e})
		}
		for _, r := range b.revs {
			rows = append(rows, listRow{group: r.group})
			for _, e := range r.pods {
				rows = append(rows, listRow{pod: e})
			}
		}
	}
	return rows
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package tui

// ownerGroup is a header row of the list grouped by owner: one controller
// (ReplicaSet, StatefulSet, Job, DaemonSet, ...) in one namespace, so one
// rollout can be followed on its own.
type ownerGroup struct {
	key    string // context + "\x00" + namespace + "\x00" + owner; "" for pods without owner
	ctx    string // sanitized and shortened, "" for one cluster
	ns     string // sanitized
	owner  string // sanitized "Kind/name", "" for pods without owner
	counts counts
}

// groupKey names the group an entry belongs to.
func groupKey(e *podEntry) string {
	if e.owner == "" {
		return ""
	}
	// A workload of the same name in two clusters is two groups.
	return e.key.Context + "\x00" + e.key.Namespace + "\x00" + e.view.Owner
}

// groupRows lays out pods (already filtered and in display order) under
// their owners. Groups come in the order of their first pod, so with the
// triage order the rollout in trouble is on top, and pods without owner come
// last; pods keep their order inside a group. rows is reused to avoid reallocating 10,000 rows per batch.
func groupRows(pods []*podEntry, rows []listRow) []listRow {
	type bucket struct {
		group *ownerGroup
		pods  []*podEntry
	}
	index := make(map[string]int)
	var buckets []*bucket
	for _, e := range pods {
		k := groupKey(e)
		i, ok := index[k]
		if !ok {
			i = len(buckets)
			index[k] = i
			g := &ownerGroup{key: k}
			if k != "" {
				g.ctx, g.ns, g.owner = e.ctx, e.ns, e.owner
			}
			buckets = append(buckets, &bucket{group: g})
		}
		b := buckets[i]
		b.pods = append(b.pods, e)
		b.group.counts.add(e.view.Category, 1)
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
	}
	return rows
}

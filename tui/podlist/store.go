package podlist

import (
	"iter"
	"math"
	"reflect"
	"sort"
	"time"
	"unsafe"

	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/tui/view"
)

// podEntry is one pod as the list holds it. Everything a row shows, apart
// from ages, is computed here once per pod update, so rendering a row is
// string assembly only.
//
// There is one entry a pod, 50,000 of them in a large scope, so it holds
// each thing once and only what the list reads: at 864 bytes (the 896-byte
// size class) it was most of the heap a pod cost the list
// (BenchmarkEntryHeap). Its size is held by TestEntrySize.
type podEntry struct {
	key kube.PodKey
	// placed is the sort key of the entry's place in the sorted list
	// (isPlaced: it has one): the list stays ordered by it while a batch
	// changes views, so resort finds the entry by binary search. It
	// follows key, which it points at, so that the comparisons of a
	// binary search read one place of the entry.
	placed sortKey
	// pod is the pod packed (kube.PackedPod): a third of what the API
	// structs cost, unpacked when the detail or a summary reads it.
	pod *kube.PackedPod
	// view is what the list reads of the pod's model.PodView.
	view    entryView
	history model.History
	// bar is the class of every init step, active that of the step holding
	// initialization up.
	bar    []stepClass
	active stepClass

	// Filter state (see filter.go): matched says the entry passes the
	// current query. The highlights of the rows on screen are the list's
	// (podList.hl).
	matched bool

	// dirty marks an entry changed by the batch being applied; gone marks
	// one that was removed. Both are cleared once the list is rebuilt.
	dirty, gone bool
	// listed says the entry is a row of the list, counted in its column
	// widths (colWidths); heapAt is its place in their oldest-first heap,
	// plus one (0: not there).
	listed bool
	// isPlaced says placed holds the key the entry was placed with.
	isPlaced bool
	heapAt   int32
	// done is Progress.Done: the N in the N/M after the bar (M, the
	// steps, is cells.steps). It sits with the flags and active, which
	// leave room for it in one word.
	done int32

	// Sanitized display strings and their cell widths. ctx is the
	// context, shortened, when several clusters are shown.
	ctx, ns, name, status, stepName, owner string
	// cells is what sizing the columns reads of the entry, side by side:
	// measure scans every row after each batch, and one cache line per
	// pod instead of several scattered over the view is most of its cost
	// (BenchmarkBatch).
	cells cellSizes
	// search is "namespace/name", or "context/namespace/name" with
	// several clusters: what the fuzzy filter matches.
	search string
	// labels are "k=v" pairs, sorted, matched by queries that contain "=".
	labels []string
	// Lower-cased copies for the matcher ("" when not ASCII).
	searchLower string
	labelsLower []string
}

// entryView is what the list reads of a model.PodView, apart from what the
// entry holds already (its key, display strings and cells): the whole view
// was 336 bytes an entry, most of them strings held twice. Of the steps
// the list keeps only what its bar draws (bar, active): the detail view
// derives them from the pod when it opens.
type entryView struct {
	// uid and owner are the view's UID and Owner, as the sort order and
	// the grouping by owner reference read them.
	uid, owner string
	// ready is Printed.Ready.
	ready string
	// restarts and lastRestartAt are Printed.RestartCount and
	// Printed.LastRestartAt, for the RESTARTS column.
	restarts      int
	lastRestartAt *time.Time
	// Category is the view's, under its name there.
	Category model.Category
}

// progress is the part of the view's Progress that fraction reads.
func (e *podEntry) progress() model.Progress {
	return model.Progress{Done: int(e.done), Total: int(e.cells.steps)}
}

// counts are the header figures, kept up to date as pods change.
type counts struct {
	initializing, failing, ready, total int
}

func (c *counts) add(cat model.Category, d int) {
	c.total += d
	switch cat {
	case model.CategoryFailing:
		c.failing += d
	case model.CategoryInitializing:
		c.initializing += d
	case model.CategoryReady:
		c.ready += d
	}
}

// podStore holds every pod and event of the scope, keyed so that applying
// the same batch twice (a relist) changes nothing.
type podStore struct {
	pods map[kube.PodKey]*podEntry
	// events of each pod, by event namespace/name.
	events map[kube.PodKey]map[kube.PodKey]*corev1.Event
	counts counts
	// ctxNames are the contexts as the CONTEXT column shows them
	// (sanitized, shortened), with several clusters.
	ctxNames map[string]string
	// labels shares label pairs between entries.
	labels labelCache
	// unpacker holds the pod being made a row of (upsert), viewer its
	// view's steps.
	unpacker kube.Unpacker
	viewer   model.PodViewer
}

func newPodStore() *podStore {
	return &podStore{
		pods:   make(map[kube.PodKey]*podEntry),
		events: make(map[kube.PodKey]map[kube.PodKey]*corev1.Event),
	}
}

// applyResult says what a batch changed.
type applyResult struct {
	// changed are entries added or updated, removed those deleted.
	changed, removed []*podEntry
	// before are the cells of each changed entry before the batch (zero
	// for a new one): what it counted for in the column widths.
	before []cellSizes
	// eventsOf lists pods whose events changed.
	eventsOf map[kube.PodKey]bool
}

// apply folds a batch into the store. at is when the batch arrived: the time
// recorded for a STATUS change in a pod's history.
func (s *podStore) apply(b kube.Batch, at time.Time) applyResult {
	var res applyResult
	for _, pod := range b.Upserted {
		if pod != nil {
			s.upsert(&res, kube.PackStamped(pod), pod, at)
		}
	}
	for _, packed := range b.Packed {
		if packed != nil {
			s.upsert(&res, packed, nil, at)
		}
	}
	for _, key := range b.Removed {
		e, ok := s.pods[key]
		if !ok {
			continue
		}
		delete(s.pods, key)
		s.counts.add(e.view.Category, -1)
		e.gone = true
		res.removed = append(res.removed, e)
	}
	for _, ev := range b.Events {
		if k, ok := involvedPod(ev); ok {
			m := s.events[k]
			if m == nil {
				m = make(map[kube.PodKey]*corev1.Event)
				s.events[k] = m
			}
			m[kube.PodKey{Context: k.Context, Namespace: ev.Namespace, Name: ev.Name}] = ev
			res.markEvents(k)
		}
	}
	for _, ev := range b.RemovedEvents {
		if k, ok := involvedPod(ev); ok {
			if m := s.events[k]; m != nil {
				delete(m, kube.PodKey{Context: k.Context, Namespace: ev.Namespace, Name: ev.Name})
				if len(m) == 0 {
					delete(s.events, k)
				}
			}
			res.markEvents(k)
		}
	}
	return res
}

// upsert folds one pod into the store: packed is the pod as the entry keeps
// it; pod, when the batch brought it unpacked, is the same pod as model/
// reads it (nil: unpacked here into reused memory, for the view).
func (s *podStore) upsert(res *applyResult, packed *kube.PackedPod, pod *corev1.Pod, at time.Time) {
	key := packed.Key()
	e, ok := s.pods[key]
	var before cellSizes
	if ok {
		before = e.cells
		// A relist or resync brings objects that have not changed.
		if packed.ResourceVersion != "" && packed.ResourceVersion == e.pod.ResourceVersion && packed.UID == e.pod.UID {
			return
		}
		if packed.UID != e.pod.UID {
			// Same name, new pod: its history starts afresh.
			e.history = model.History{}
		}
		s.counts.add(e.view.Category, -1)
	} else {
		e = &podEntry{key: key}
		s.pods[key] = e
	}
	if pod == nil {
		// The view copies what it shows out of the pod: nothing keeps it.
		pod = s.unpacker.Unpack(packed)
	}
	e.ctx = s.ctxName(key.Context)
	e.updateShared(packed, s.viewer.View(pod, at), at, &s.labels)
	s.counts.add(e.view.Category, 1)
	if !e.dirty {
		e.dirty = true
		res.changed = append(res.changed, e)
		res.before = append(res.before, before)
	}
}

func (r *applyResult) markEvents(k kube.PodKey) {
	if r.eventsOf == nil {
		r.eventsOf = make(map[kube.PodKey]bool)
	}
	r.eventsOf[k] = true
}

// involvedPod returns the pod an event is about.
func involvedPod(ev *corev1.Event) (kube.PodKey, bool) {
	if ev == nil {
		return kube.PodKey{}, false
	}
	o := ev.InvolvedObject
	if (o.Kind != "" && o.Kind != "Pod") || o.Name == "" {
		return kube.PodKey{}, false
	}
	ns := o.Namespace
	if ns == "" {
		ns = ev.Namespace
	}
	return kube.PodKey{Context: kube.EventContext(ev), Namespace: ns, Name: o.Name}, true
}

// ctxName is how the CONTEXT column shows a context.
func (s *podStore) ctxName(ctx string) string {
	if ctx == "" {
		return ""
	}
	if n, ok := s.ctxNames[ctx]; ok {
		return n
	}
	return view.CellText(ctx)
}

// eventsFor returns the events of the pod e holds, oldest first. Events left
// over from an earlier pod of the same name are skipped by UID.
func (s *podStore) eventsFor(e *podEntry) []*corev1.Event {
	m := s.events[e.key]
	out := make([]*corev1.Event, 0, len(m))
	for _, ev := range m {
		if uid := ev.InvolvedObject.UID; uid != "" && e.pod.UID != "" && uid != e.pod.UID {
			continue
		}
		out = append(out, ev)
	}
	sort.Slice(out, func(i, j int) bool {
		ti, tj := eventTime(out[i]), eventTime(out[j])
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func eventTime(ev *corev1.Event) time.Time {
	switch {
	case !ev.LastTimestamp.IsZero():
		return ev.LastTimestamp.Time
	case ev.Series != nil && !ev.Series.LastObservedTime.IsZero():
		return ev.Series.LastObservedTime.Time
	case !ev.EventTime.IsZero():
		return ev.EventTime.Time
	}
	return ev.CreationTimestamp.Time
}

// update recomputes everything shown for the entry from a new pod version,
// packed and as model/ reads it.
func (e *podEntry) update(packed *kube.PackedPod, pod *corev1.Pod, at time.Time) {
	e.updateShared(packed, model.NewPodView(pod, at), at, nil)
}

// updateShared is update from the pod's view (its steps read only here),
// taking the label pairs from labels, shared with the entries of pods that
// have the same label map.
func (e *podEntry) updateShared(packed *kube.PackedPod, v model.PodView, at time.Time, labels *labelCache) {
	e.pod = packed
	e.history.Observe(v.Printed.Status, at)
	e.active = activeClass(&v)
	e.bar = stepClasses(v.Steps, e.bar)
	e.done = int32(v.Progress.Done)
	e.view = entryView{
		uid: v.UID, owner: v.Owner, ready: v.Printed.Ready,
		restarts: v.Printed.RestartCount, lastRestartAt: v.Printed.LastRestartAt,
		Category: v.Category,
	}

	e.ns = view.CellText(v.Namespace)
	e.name = view.CellText(v.Name)
	e.status = view.CellText(v.Printed.Status)
	e.stepName = ""
	if !v.Progress.Initialized && v.Progress.Active >= 0 {
		e.stepName = view.CellText(v.Progress.ActiveName)
	}
	e.owner = view.CellText(v.Owner)
	e.cells = cellSizes{
		ns:          int32(ansi.StringWidth(e.ns)),
		name:        int32(ansi.StringWidth(e.name)),
		status:      int32(ansi.StringWidth(e.status)),
		stepName:    int32(ansi.StringWidth(e.stepName)),
		ready:       int32(len(v.Printed.Ready)),
		steps:       int32(v.Progress.Total),
		restarts:    int32(min(v.Printed.RestartCount, math.MaxInt32)),
		lastRestart: v.Printed.RestartCount > 0 && v.Printed.LastRestartAt != nil,
		created:     v.Created,
	}
	if e.search == "" {
		// The key never changes: neither do its strings.
		e.search = e.ns + "/" + e.name
		if e.ctx != "" {
			e.search = e.ctx + "/" + e.search
		}
		e.searchLower = asciiLower(e.search)
	}

	if labelsSame(v.Labels, e.labels) {
		// Most updates are a new status: the labels as they were.
		return
	}
	e.labels, e.labelsLower = labels.pairs(v.Labels)
}

// labelCache shares the "k=v" pairs of pods whose labels are one map:
// kube.Transform interns label maps, so the pods of a ReplicaSet hold the
// same one, and its pairs, built once, serve them all (they were some 70
// bytes a pod). The pairs of an entry are never changed in place, only
// replaced, so sharing them is safe.
//
// A map is known by its address: the cache keeps the maps it knows alive
// (their addresses are its keys), so no other map takes that address while
// it is there. It holds at most labelCacheSize maps and is emptied when
// full: the pods of a workload come together in a list (sorted by name),
// and a pod whose map has left the cache builds its pairs again, as
// before. A nil cache builds every time.
type labelCache struct {
	byMap map[unsafe.Pointer]labelPairs
}

// labelPairs are the labels of an entry: "k=v" pairs, sorted, and their
// lower-cased copies (nil: the pairs themselves).
type labelPairs struct {
	labels, lower []string
}

// labelCacheSize bounds the label maps a store remembers.
const labelCacheSize = 1024

// pairs returns the "k=v" pairs of m and their lower-cased copies, shared
// with every earlier caller that passed the same map.
func (c *labelCache) pairs(m map[string]string) (labels, lower []string) {
	if len(m) == 0 {
		return nil, nil
	}
	if c == nil {
		p := newLabelPairs(m)
		return p.labels, p.lower
	}
	id := reflect.ValueOf(m).UnsafePointer()
	p, ok := c.byMap[id]
	if !ok {
		if c.byMap == nil || len(c.byMap) >= labelCacheSize {
			clear(c.byMap)
			if c.byMap == nil {
				c.byMap = make(map[unsafe.Pointer]labelPairs)
			}
		}
		p = newLabelPairs(m)
		c.byMap[id] = p
	}
	return p.labels, p.lower
}

// newLabelPairs builds the pairs of m.
func newLabelPairs(m map[string]string) labelPairs {
	p := labelPairs{labels: make([]string, 0, len(m))}
	for k, v := range m {
		p.labels = append(p.labels, view.CellText(k+"="+v))
	}
	sort.Strings(p.labels)
	// Lower-cased copies only when one differs (labels are mostly lower
	// case already).
	for _, l := range p.labels {
		if asciiLower(l) != l {
			p.lower = make([]string, len(p.labels))
			for j, l := range p.labels {
				p.lower[j] = asciiLower(l)
			}
			break
		}
	}
	return p
}

// labelsSame reports whether labels ("k=v", as update builds them) are
// exactly m's pairs, without building a string: a pair that sanitizing
// would change is not found, and the labels are built again.
func labelsSame(m map[string]string, labels []string) bool {
	if len(m) != len(labels) {
		return false
	}
	for k, v := range m {
		found := false
		for _, l := range labels {
			if len(l) == len(k)+1+len(v) && l[len(k)] == '=' && l[:len(k)] == k && l[len(k)+1:] == v {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// allPods yields every pod of the scope, in no order (the rollouts view
// summarises them; a summary does not depend on order), each unpacked as it
// is yielded: 50,000 unpacked at once would be 150 MB.
func (s *podStore) allPods() iter.Seq[*corev1.Pod] {
	return func(yield func(*corev1.Pod) bool) {
		for _, e := range s.pods {
			if !yield(e.pod.Pod()) {
				return
			}
		}
	}
}

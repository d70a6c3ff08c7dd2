package podlist

import (
	"math"
	"sort"
	"time"

	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/tui/view"
)

// podEntry is one pod as the list holds it. Everything a row shows, apart
// from ages, is computed here once per pod update, so rendering a row is
// string assembly only.
type podEntry struct {
	key kube.PodKey
	pod *corev1.Pod
	// view is the pod as the list shows it, without its Steps: the detail
	// view derives those from pod when it opens, and the list keeps only
	// what its bar draws (bar, active). The steps were a quarter of the
	// heap a pod costs the list (bench/tuiscale).
	view    model.PodView
	history model.History
	// bar is the class of every init step, active that of the step holding
	// initialization up.
	bar    []stepClass
	active stepClass

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

	// Filter state (see filter.go): matched says the entry passes the
	// current query; highlight holds the byte offsets of search to
	// emphasise, computed for hlQuery when the row comes on screen.
	matched   bool
	hlQuery   string
	highlight []int

	// dirty marks an entry changed by the batch being applied; gone marks
	// one that was removed. Both are cleared once the list is rebuilt.
	dirty, gone bool
	// listed says the entry is a row of the list, counted in its column
	// widths (colWidths); heapAt is its place in their oldest-first heap,
	// plus one (0: not there).
	listed bool
	heapAt int32
	// placed is the sort key of the entry's place in the sorted list
	// (isPlaced: it has one): the list stays ordered by it while a batch
	// changes views, so resort finds the entry by binary search.
	placed   sortKey
	isPlaced bool
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
		if pod == nil {
			continue
		}
		key := kube.KeyOf(pod)
		e, ok := s.pods[key]
		var before cellSizes
		if ok {
			before = e.cells
			// A relist or resync brings objects that have not changed.
			if pod.ResourceVersion != "" && pod.ResourceVersion == e.pod.ResourceVersion && pod.UID == e.pod.UID {
				continue
			}
			if pod.UID != e.pod.UID {
				// Same name, new pod: its history starts afresh.
				e.history = model.History{}
			}
			s.counts.add(e.view.Category, -1)
		} else {
			e = &podEntry{key: key}
			s.pods[key] = e
		}
		e.ctx = s.ctxName(key.Context)
		e.update(pod, at)
		s.counts.add(e.view.Category, 1)
		if !e.dirty {
			e.dirty = true
			res.changed = append(res.changed, e)
			res.before = append(res.before, before)
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

// update recomputes everything shown for the entry from a new pod version.
func (e *podEntry) update(pod *corev1.Pod, at time.Time) {
	e.pod = pod
	e.view = model.NewPodView(pod, at)
	e.history.Observe(e.view.Printed.Status, at)
	e.active = activeClass(&e.view)
	e.bar = stepClasses(e.view.Steps, e.bar)
	e.view.Steps = nil

	e.ns = view.CellText(e.view.Namespace)
	e.name = view.CellText(e.view.Name)
	e.status = view.CellText(e.view.Printed.Status)
	e.stepName = ""
	if !e.view.Progress.Initialized && e.view.Progress.Active >= 0 {
		e.stepName = view.CellText(e.view.Progress.ActiveName)
	}
	e.owner = view.CellText(e.view.Owner)
	e.cells = cellSizes{
		ns:          int32(ansi.StringWidth(e.ns)),
		name:        int32(ansi.StringWidth(e.name)),
		status:      int32(ansi.StringWidth(e.status)),
		stepName:    int32(ansi.StringWidth(e.stepName)),
		ready:       int32(len(e.view.Printed.Ready)),
		steps:       int32(e.view.Progress.Total),
		restarts:    int32(min(e.view.Printed.RestartCount, math.MaxInt32)),
		lastRestart: e.view.Printed.RestartCount > 0 && e.view.Printed.LastRestartAt != nil,
		created:     e.view.Created,
	}
	if e.search == "" {
		// The key never changes: neither do its strings.
		e.search = e.ns + "/" + e.name
		if e.ctx != "" {
			e.search = e.ctx + "/" + e.search
		}
		e.searchLower = asciiLower(e.search)
	}
	e.hlQuery, e.highlight = "", nil

	if labelsSame(e.view.Labels, e.labels) {
		// Most updates are a new status: the labels as they were.
		return
	}
	e.labels = e.labels[:0]
	for k, v := range e.view.Labels {
		e.labels = append(e.labels, view.CellText(k+"="+v))
	}
	sort.Strings(e.labels)
	// Lower-cased copies only when one differs (labels are mostly lower
	// case already): nil means labels themselves.
	e.labelsLower = nil
	for _, l := range e.labels {
		if asciiLower(l) != l {
			e.labelsLower = make([]string, len(e.labels))
			for j, l := range e.labels {
				e.labelsLower[j] = asciiLower(l)
			}
			break
		}
	}
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

// allPods returns every pod of the scope, in no order (the rollouts view
// summarises them; a summary does not depend on order).
func (s *podStore) allPods() []*corev1.Pod {
	out := make([]*corev1.Pod, 0, len(s.pods))
	for _, e := range s.pods {
		out = append(out, e.pod)
	}
	return out
}

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

// Content types kube-apiserver answers with.
const (
	protobufType      = "application/vnd.kubernetes.protobuf"
	protobufWatchType = "application/vnd.kubernetes.protobuf;stream=watch"
	jsonType          = "application/json"
)

// initialEventsEnd is the annotation of the bookmark that ends the initial
// events of a streaming list.
const initialEventsEnd = "k8s.io/initial-events-end"

// ringSize is how many past changes a watch may resume from; an older
// resourceVersion is answered 410 Gone, as the apiserver's watch cache does.
// It is the most the apiserver's cache keeps (k8s.io/apiserver 0.37,
// storage/cacher: defaultUpperBoundCapacity, 100 × 1024 events), which it
// holds under a sustained write rate; at 10,000 changes a second that is ten
// seconds of history.
const ringSize = 100 * 1024

// watchQueue is how many changes may wait for one watcher: the apiserver's
// cache watcher keeps an input and a result channel, each sized for about a
// second of history but at most 100 for an unindexed watch such as
// initwatch's of every pod (suggestedWatchChannelSize). When both are full
// it blocks its dispatch for what is left of a shared time budget (at most
// 100 ms, refilled by 50 ms a second), then closes the watcher as too slow
// for it; the client resumes from its last resourceVersion, and when that
// has left the history it lists again. Replaying that, not a generous queue,
// is what shows how far behind a client that cannot keep up really falls.
const watchQueue = 2 * 100

// Dispatch time budget of the apiserver's cacher (storage/cacher
// time_budget.go): how long emit may wait, in all, for full watchers.
const (
	budgetRefillPerSecond = 50 * time.Millisecond
	budgetMax             = 100 * time.Millisecond
)

// change is one new version of a pod.
type change struct {
	idx  int32
	rv   int64
	sent int64
	enc  *encoded
}

// watcher is one open watch of pods.
type watcher struct {
	ns  string
	sel labels.Selector
	ch  chan change
	// slow is set when the watcher is closed as too slow, so that a
	// streaming list still writing its initial events stops there, without
	// the bookmark that would end them (as the apiserver's does).
	slow atomic.Bool
}

// server answers the pods and events requests of client-go informers from
// the encoded pod set and emits changes to every pod watch.
type server struct {
	f    format
	set  *podSet
	base time.Time

	tmPod, tmPodList, tmEvent, tmEventList []byte

	mu       sync.Mutex
	rv       int64
	cur      []*encoded
	podRV    []int64
	podSent  []int64
	ring     []change // the last ringSize changes, oldest first once full
	ringNext int
	watchers map[*watcher]struct{}
	stats    counters
	// budget is what is left of the dispatch time budget, as of budgetAt;
	// it grows to maxBudget (budgetMax but in tests).
	budget, maxBudget time.Duration
	budgetAt          time.Time
}

// counters is what the stats command reports.
type counters struct {
	Sent       int64 `json:"sent"`       // changes emitted, probes included
	Probes     int64 `json:"probes"`     // of which probes
	Delivered  int64 `json:"delivered"`  // changes written to watch connections
	Watches    int64 `json:"watches"`    // pod watches ever opened
	Lists      int64 `json:"lists"`      // pod lists served, streaming lists included
	Listed     int64 `json:"listed"`     // pods written by them
	SlowClosed int64 `json:"slowClosed"` // watches closed for falling watchQueue behind
	MaxBacklog int   `json:"maxBacklog"` // most changes waiting for one watcher
	Backlog    int   `json:"backlog"`    // changes waiting now, all watchers
}

func newServer(set *podSet, f format, base time.Time) *server {
	s := &server{
		f: f, set: set, base: base,
		tmPod: typeMeta("v1", "Pod"), tmPodList: typeMeta("v1", "PodList"),
		tmEvent: typeMeta("v1", "Event"), tmEventList: typeMeta("v1", "EventList"),
		rv:        firstRV,
		cur:       append([]*encoded(nil), set.enc...),
		podRV:     make([]int64, len(set.enc)),
		podSent:   make([]int64, len(set.enc)),
		watchers:  map[*watcher]struct{}{},
		maxBudget: budgetMax,
	}
	for i := range s.podRV {
		s.podRV[i] = firstRV
	}
	return s
}

// emit makes enc the new version of pod idx and queues it for every watch
// of that pod. It never blocks.
func (s *server) emit(idx int, enc *encoded, probe bool) change {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rv++
	c := change{idx: int32(idx), rv: s.rv, sent: time.Now().UnixNano(), enc: enc}
	s.cur[idx], s.podRV[idx], s.podSent[idx] = enc, c.rv, c.sent
	if len(s.ring) < ringSize {
		s.ring = append(s.ring, c)
	} else {
		s.ring[s.ringNext] = c
		s.ringNext = (s.ringNext + 1) % ringSize
	}
	s.stats.Sent++
	if probe {
		s.stats.Probes++
	}
	for w := range s.watchers {
		if !s.matches(w, idx) {
			continue
		}
		if s.send(w, c) {
			if n := len(w.ch); n > s.stats.MaxBacklog {
				s.stats.MaxBacklog = n
			}
			continue
		}
		delete(s.watchers, w)
		w.slow.Store(true)
		close(w.ch)
		s.stats.SlowClosed++
	}
	return c
}

// send queues c for w, waiting while w's queue is full for at most what is
// left of the dispatch budget. It reports false when w must be closed.
func (s *server) send(w *watcher, c change) bool {
	select {
	case w.ch <- c:
		return true
	default:
	}
	now := time.Now()
	if s.budgetAt.IsZero() {
		s.budgetAt = now
	}
	s.budget = min(s.maxBudget, s.budget+time.Duration(now.Sub(s.budgetAt).Seconds()*float64(budgetRefillPerSecond)))
	s.budgetAt = now
	if s.budget <= 0 {
		return false
	}
	t := time.NewTimer(s.budget)
	defer t.Stop()
	select {
	case w.ch <- c:
		s.budget -= time.Since(now)
		return true
	case <-t.C:
		s.budget = 0
		return false
	}
}

func (s *server) matches(w *watcher, idx int) bool {
	if w.ns != "" && s.set.ns[idx] != w.ns {
		return false
	}
	return w.sel.Empty() || w.sel.Matches(labels.Set(s.set.labels[idx]))
}

// snapshot returns the counters, with the backlog of every watcher now.
func (s *server) snapshot() counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	for w := range s.watchers {
		c.Backlog += len(w.ch)
	}
	return c
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the replay only reads")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/version":
		writeJSON(w, map[string]string{"major": "1", "minor": "37", "gitVersion": "v1.37.2-replay", "platform": "linux/amd64"})
	case len(parts) == 3 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "namespaces":
		s.listNamespaces(w)
	case len(parts) == 3 && parts[0] == "api" && parts[1] == "v1":
		s.resource(w, r, "", parts[2])
	case len(parts) == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "namespaces":
		s.resource(w, r, parts[3], parts[4])
	default:
		writeStatus(w, http.StatusNotFound, "NotFound", "the replay serves pods and events only")
	}
}

func (s *server) resource(w http.ResponseWriter, r *http.Request, ns, res string) {
	if !s.acceptable(r) {
		writeStatus(w, http.StatusNotAcceptable, "NotAcceptable", "this replay serves "+s.f.String()+" only")
		return
	}
	q := r.URL.Query()
	watch := q.Get("watch") == "true" || q.Get("watch") == "1"
	switch res {
	case "pods":
		sel, err := labels.Parse(q.Get("labelSelector"))
		if err != nil || q.Get("fieldSelector") != "" {
			writeStatus(w, http.StatusBadRequest, "BadRequest", "the replay takes label selectors on pods, no field selectors")
			return
		}
		if watch {
			s.watchPods(w, r, ns, sel)
		} else {
			s.listPods(w, r, ns, sel)
		}
	case "events":
		pods, err := s.eventPods(ns, q.Get("fieldSelector"))
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		if watch {
			s.watchEvents(w, r, pods)
		} else {
			s.listEvents(w, r, pods)
		}
	default:
		writeStatus(w, http.StatusNotFound, "NotFound", "the replay serves pods and events only")
	}
}

// acceptable reports whether the client takes the replay's format.
func (s *server) acceptable(r *http.Request) bool {
	if s.f == jsonFormat {
		return true
	}
	return strings.Contains(r.Header.Get("Accept"), protobufType)
}

// page applies limit and continue (an offset) to n items.
func page(q map[string][]string, n int) (from, to int, cont string, err error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if c := get("continue"); c != "" {
		if from, err = strconv.Atoi(c); err != nil || from < 0 || from > n {
			return 0, 0, "", fmt.Errorf("continue %q: not from this replay", c)
		}
	}
	to = n
	if l := get("limit"); l != "" {
		limit, err := strconv.Atoi(l)
		if err != nil || limit < 0 {
			return 0, 0, "", fmt.Errorf("limit %q: not a count", l)
		}
		if limit > 0 && from+limit < n {
			to = from + limit
			cont = strconv.Itoa(to)
		}
	}
	return from, to, cont, nil
}

// selected returns the indexes of the pods in ns (all for "") matching sel,
// with each one's current version.
func (s *server) selected(ns string, sel labels.Selector) (idx []int, encs []*encoded, rvs, sents []int64, rv int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.cur {
		if (ns == "" || s.set.ns[i] == ns) && (sel.Empty() || sel.Matches(labels.Set(s.set.labels[i]))) {
			idx = append(idx, i)
			encs = append(encs, s.cur[i])
			rvs = append(rvs, s.podRV[i])
			sents = append(sents, s.podSent[i])
		}
	}
	return idx, encs, rvs, sents, s.rv
}

func (s *server) listPods(w http.ResponseWriter, r *http.Request, ns string, sel labels.Selector) {
	idx, encs, rvs, sents, rv := s.selected(ns, sel)
	from, to, cont, err := page(r.URL.Query(), len(idx))
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	s.mu.Lock()
	s.stats.Lists++
	s.stats.Listed += int64(to - from)
	s.mu.Unlock()
	items := make([]item, 0, to-from)
	for k := from; k < to; k++ {
		items = append(items, item{encs[k], rvs[k], sents[k]})
	}
	s.writeList(w, s.tmPodList, "PodList", rv, cont, items)
}

// item is one object of a list and the values for its placeholders.
type item struct {
	enc      *encoded
	rv, sent int64
}

// writeList writes a list without building it in memory: the items are
// streamed one after another into a buffered writer.
func (s *server) writeList(w http.ResponseWriter, tm []byte, kind string, rv int64, cont string, items []item) {
	bw := bufio.NewWriterSize(w, 256<<10)
	defer bw.Flush()
	if s.f == jsonFormat {
		w.Header().Set("Content-Type", jsonType)
		meta, _ := json.Marshal(metav1.ListMeta{ResourceVersion: strconv.FormatInt(rv, 10), Continue: cont})
		fmt.Fprintf(bw, `{"kind":%q,"apiVersion":"v1","metadata":%s,"items":[`, kind, meta)
		var buf []byte
		for k, it := range items {
			if k > 0 {
				bw.WriteByte(',')
			}
			buf = it.enc.appendPatched(buf[:0], it.rv, it.sent)
			bw.Write(buf)
		}
		bw.WriteString("]}\n")
		return
	}
	w.Header().Set("Content-Type", protobufType)
	meta := listMeta(rv, cont)
	body := fieldHeaderLen(len(meta)) + len(meta)
	for _, it := range items {
		body += fieldHeaderLen(len(it.enc.raw)) + len(it.enc.raw)
	}
	w.Header().Set("Content-Length", strconv.Itoa(envelopeLen(tm, body)))
	bw.Write(envelopeHeader(nil, tm, body))
	bw.Write(appendBytesField(nil, tag1, meta))
	var buf []byte
	for _, it := range items {
		buf = append(buf[:0], tag2)
		buf = appendUvarint(buf, len(it.enc.raw))
		buf = it.enc.appendPatched(buf, it.rv, it.sent)
		bw.Write(buf)
	}
}

// watchPods streams changes of the pods in ns matching sel: first, for a
// streaming list (sendInitialEvents=true) or a watch from resourceVersion
// "" or "0", every current pod as ADDED (and for a streaming list the
// bookmark that ends them); for a watch from a resourceVersion, the changes
// after it still in the ring (410 Gone when they are not).
func (s *server) watchPods(w http.ResponseWriter, r *http.Request, ns string, sel labels.Selector) {
	q := r.URL.Query()
	initial := q.Get("sendInitialEvents") == "true"
	from := q.Get("resourceVersion")
	var since int64
	if from != "" && from != "0" {
		v, err := strconv.ParseInt(from, 10, 64)
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("resourceVersion %q: not from this replay", from))
			return
		}
		since = v
	}
	wa := &watcher{ns: ns, sel: sel, ch: make(chan change, watchQueue)}
	var backlog []change
	s.mu.Lock()
	if since > 0 && !initial {
		oldest := s.rv + 1
		if len(s.ring) > 0 {
			oldest = s.ring[s.ringNext%len(s.ring)].rv
		}
		if since+1 < oldest {
			s.mu.Unlock()
			writeStatus(w, http.StatusGone, "Expired", fmt.Sprintf("too old resource version: %d (%d)", since, oldest-1))
			return
		}
		for k := range s.ring {
			c := s.ring[(s.ringNext+k)%len(s.ring)]
			if c.rv > since && s.matches(wa, int(c.idx)) {
				backlog = append(backlog, c)
			}
		}
	}
	s.watchers[wa] = struct{}{}
	s.stats.Watches++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if _, ok := s.watchers[wa]; ok {
			delete(s.watchers, wa)
		}
		s.mu.Unlock()
	}()

	out := s.startStream(w)
	if initial || since == 0 {
		idx, encs, rvs, sents, rv := s.selected(ns, sel)
		for k := range idx {
			if wa.slow.Load() {
				// Closed as too slow while the initial events were still
				// being written: the stream ends without them all.
				_ = out.flush()
				return
			}
			out.frame("ADDED", s.tmPod, encs[k], rvs[k], sents[k])
		}
		s.mu.Lock()
		s.stats.Lists++
		s.stats.Listed += int64(len(idx))
		s.mu.Unlock()
		if initial {
			out.bookmark(s, rv)
		}
	}
	for _, c := range backlog {
		out.frame("MODIFIED", s.tmPod, c.enc, c.rv, c.sent)
	}
	if len(backlog) > 0 {
		// Changes resumed from the history are read like live ones.
		s.mu.Lock()
		s.stats.Delivered += int64(len(backlog))
		s.mu.Unlock()
	}
	if err := out.flush(); err != nil {
		return
	}
	timeout := watchTimeout(q.Get("timeoutSeconds"))
	end := time.NewTimer(timeout)
	defer end.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-end.C:
			return
		case c, ok := <-wa.ch:
			if !ok {
				return // too slow: closed, as the apiserver would
			}
			out.frame("MODIFIED", s.tmPod, c.enc, c.rv, c.sent)
			n := int64(1)
			// Write what else is waiting before flushing once.
		drain:
			for range 256 {
				select {
				case c, ok = <-wa.ch:
					if !ok {
						break drain
					}
					out.frame("MODIFIED", s.tmPod, c.enc, c.rv, c.sent)
					n++
				default:
					break drain
				}
			}
			if err := out.flush(); err != nil {
				return
			}
			s.mu.Lock()
			s.stats.Delivered += n
			s.mu.Unlock()
		}
	}
}

func watchTimeout(v string) time.Duration {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 30 * time.Minute
}

// stream is one watch response being written.
type stream struct {
	f   format
	bw  *bufio.Writer
	fl  http.Flusher
	buf []byte
}

func (s *server) startStream(w http.ResponseWriter) *stream {
	if s.f == jsonFormat {
		w.Header().Set("Content-Type", jsonType)
	} else {
		w.Header().Set("Content-Type", protobufWatchType)
	}
	w.Header().Set("Transfer-Encoding", "chunked")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	st := &stream{f: s.f, bw: bufio.NewWriterSize(w, 64<<10), fl: fl}
	_ = st.flush()
	return st
}

func (st *stream) frame(typ string, tm []byte, enc *encoded, rv, sent int64) {
	if st.f == jsonFormat {
		st.buf = append(st.buf[:0], `{"type":"`...)
		st.buf = append(st.buf, typ...)
		st.buf = append(st.buf, `","object":`...)
		st.buf = enc.appendPatched(st.buf, rv, sent)
		st.buf = append(st.buf, "}\n"...)
	} else {
		st.buf = watchFrameHeader(st.buf[:0], typ, tm, len(enc.raw))
		st.buf = enc.appendPatched(st.buf, rv, sent)
	}
	st.bw.Write(st.buf)
}

// bookmark ends the initial events of a streaming list at rv.
func (st *stream) bookmark(s *server, rv int64) {
	obj := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{ResourceVersion: rvMarker,
			Annotations: map[string]string{initialEventsEnd: "true", SentAnnotation: sentMarker}},
	}
	enc, err := encode(st.f, obj)
	if err != nil {
		return
	}
	st.frame("BOOKMARK", s.tmPod, enc, rv, 0)
}

func (st *stream) flush() error {
	if err := st.bw.Flush(); err != nil {
		return err
	}
	if st.fl != nil {
		st.fl.Flush()
	}
	return nil
}

// eventPods returns the pods whose events a request asks for: those in ns
// (all for ""), narrowed by the field selector's involvedObject fields.
// Events about other kinds do not exist here.
func (s *server) eventPods(ns, fieldSel string) ([]int, error) {
	sel, err := fields.ParseSelector(fieldSel)
	if err != nil {
		return nil, fmt.Errorf("fieldSelector %q: %w", fieldSel, err)
	}
	want := map[string]string{}
	for _, req := range sel.Requirements() {
		switch req.Field {
		case "involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "metadata.namespace":
		default:
			return nil, fmt.Errorf("fieldSelector %q: the replay knows involvedObject.kind, .name and .namespace", fieldSel)
		}
		want[req.Field] = req.Value
	}
	if k, ok := want["involvedObject.kind"]; ok && k != "Pod" {
		return nil, nil
	}
	var out []int
	for i := range s.set.names {
		if (ns == "" || s.set.ns[i] == ns) &&
			(want["involvedObject.name"] == "" || s.set.names[i] == want["involvedObject.name"]) &&
			(want["involvedObject.namespace"] == "" || s.set.ns[i] == want["involvedObject.namespace"]) &&
			(want["metadata.namespace"] == "" || s.set.ns[i] == want["metadata.namespace"]) {
			out = append(out, i)
		}
	}
	return out, nil
}

// eventItems encodes the events of pods (encoded when asked: they do not
// change, and 300,000 of them kept encoded would cost the replay more than
// initwatch).
func (s *server) eventItems(pods []int) ([]item, error) {
	var out []item
	for _, i := range pods {
		for _, ev := range s.set.podEvents(i, s.base) {
			ev.TypeMeta = metav1.TypeMeta{Kind: "Event", APIVersion: "v1"}
			enc, err := encode(s.f, ev)
			if err != nil {
				return nil, err
			}
			out = append(out, item{enc, firstRV, 0})
		}
	}
	return out, nil
}

func (s *server) listEvents(w http.ResponseWriter, r *http.Request, pods []int) {
	items, err := s.eventItems(pods)
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	from, to, cont, err := page(r.URL.Query(), len(items))
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	s.mu.Lock()
	rv := s.rv
	s.mu.Unlock()
	s.writeList(w, s.tmEventList, "EventList", rv, cont, items[from:to])
}

// watchEvents serves a watch of events: the initial ones when asked, then
// nothing (the replay's changes are to pods) until the watch times out.
func (s *server) watchEvents(w http.ResponseWriter, r *http.Request, pods []int) {
	q := r.URL.Query()
	initial := q.Get("sendInitialEvents") == "true"
	out := s.startStream(w)
	if initial || q.Get("resourceVersion") == "" || q.Get("resourceVersion") == "0" {
		items, err := s.eventItems(pods)
		if err != nil {
			return
		}
		for _, it := range items {
			out.frame("ADDED", s.tmEvent, it.enc, it.rv, it.sent)
		}
		if initial {
			s.mu.Lock()
			rv := s.rv
			s.mu.Unlock()
			ev := &corev1.Event{TypeMeta: metav1.TypeMeta{Kind: "Event", APIVersion: "v1"},
				ObjectMeta: metav1.ObjectMeta{ResourceVersion: rvMarker,
					Annotations: map[string]string{initialEventsEnd: "true", SentAnnotation: sentMarker}}}
			if enc, err := encode(s.f, ev); err == nil {
				out.frame("BOOKMARK", s.tmEvent, enc, rv, 0)
			}
		}
	}
	if out.flush() != nil {
		return
	}
	end := time.NewTimer(watchTimeout(q.Get("timeoutSeconds")))
	defer end.Stop()
	select {
	case <-r.Context().Done():
	case <-end.C:
	}
}

func (s *server) listNamespaces(w http.ResponseWriter) {
	list := corev1.NamespaceList{TypeMeta: metav1.TypeMeta{Kind: "NamespaceList", APIVersion: "v1"}}
	for _, ns := range s.set.namespaces() {
		list.Items = append(list.Items, corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	writeJSON(w, list)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", jsonType)
	_ = json.NewEncoder(w).Encode(v)
}

func writeStatus(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", jsonType)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Message: msg, Reason: metav1.StatusReason(reason), Code: int32(code),
	})
}

func appendUvarint(b []byte, n int) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

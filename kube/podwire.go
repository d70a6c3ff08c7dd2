package kube

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Pods arrive at thousands a second on a busy cluster, and decoding them is
// most of what initwatch spends per change. client-go's protobuf path copies
// every watch event's bytes twice before it decodes them (into the
// WatchEvent's RawExtension, then into the runtime.Unknown envelope) and
// decodes all of the pod, when the informer's transform (StripPod) keeps
// a small part of it: the managed fields alone, sent with every version,
// are often more than half of its bytes. All the rest is garbage the
// collector must then chase. leanPodSerializer decodes protobuf pods
// straight from the frame the watch read, without those copies, and only
// the fields StripPod keeps (podWireTable, and what the informer reads
// before it: name, namespace, resource version, the annotation ending a
// watch's initial events): the pods it returns are already
// stripped of all initwatch never reads. Everything else (JSON, other kinds,
// lists, errors) goes through client-go's serializers unchanged.

// protobufPrefix starts every protobuf object the apiserver sends
// ("k8s\x00", then a runtime.Unknown).
var protobufPrefix = []byte{'k', '8', 's', 0}

// Field numbers of the messages read here (k8s.io/apimachinery and
// k8s.io/api generated.proto).
const (
	unknownTypeMeta        = 1 // runtime.Unknown
	unknownRaw             = 2
	unknownContentEncoding = 3
	unknownContentType     = 4
	typeMetaAPIVersion     = 1 // runtime.TypeMeta
	typeMetaKind           = 2
	watchEventType         = 1 // metav1.WatchEvent
	watchEventObject       = 2
	rawExtensionRaw        = 1 // runtime.RawExtension
	podMetadata            = 1 // corev1.Pod
	podSpec                = 2
	podStatus              = 3
)

// leanPodNegotiator wraps a client's NegotiatedSerializer so that its
// protobuf decoders are the lean ones.
type leanPodNegotiator struct {
	runtime.NegotiatedSerializer
	infos []runtime.SerializerInfo
}

// newLeanPodNegotiator wraps inner; pack makes its pod decoder pack (see
// leanPodSerializer).
func newLeanPodNegotiator(inner runtime.NegotiatedSerializer, pack bool) *leanPodNegotiator {
	infos := slices.Clone(inner.SupportedMediaTypes())
	for i := range infos {
		if infos[i].MediaType != runtime.ContentTypeProtobuf {
			continue
		}
		infos[i].Serializer = leanPodSerializer{Serializer: infos[i].Serializer, pack: pack}
		if s := infos[i].StreamSerializer; s != nil {
			stream := *s
			stream.Serializer = leanWatchEventSerializer{stream.Serializer}
			infos[i].StreamSerializer = &stream
		}
	}
	return &leanPodNegotiator{NegotiatedSerializer: inner, infos: infos}
}

func (n *leanPodNegotiator) SupportedMediaTypes() []runtime.SerializerInfo { return n.infos }

// leanPodSerializer decodes a protobuf v1 Pod itself and hands anything
// else to the serializer it wraps.
//
// With pack set, a pod decoded into nothing (what a watch does with each
// event's object) comes out as a *PackedPod, what the informer's
// transform would have made of it, decoded in memory the next pod reuses.
// A watch event's pod was garbage the moment the transform had packed
// it: the Pod struct and the conditions and statuses the decoder grows
// were some 3 KB of the 10 KB initwatch allocated per change (bench/replay
// at 50,000 pods, 5,000 changes a second), and the collector's cycles come
// as often as the garbage does. Only the informer's cluster-wide pod
// stream packs (newClientset): its watch's sole reader is the informer,
// whose type is PackedPod. A pod without a name (a watch bookmark, whose
// annotations the reflector reads and packing drops) is decoded as a Pod.
type leanPodSerializer struct {
	runtime.Serializer
	pack bool
}

var podGVK = corev1.SchemeGroupVersion.WithKind("Pod")

func (s leanPodSerializer) Decode(data []byte, defaults *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	pod, ok := into.(*corev1.Pod)
	if into != nil && (!ok || pod == nil) {
		return s.Serializer.Decode(data, defaults, into)
	}
	raw, ok := podOfEnvelope(data)
	if !ok {
		return s.Serializer.Decode(data, defaults, into)
	}
	w := podWires.Get().(*podWire)
	defer podWires.Put(w)
	if err := w.read(raw); err != nil {
		return nil, nil, err
	}
	gvk := podGVK
	if pod == nil && s.pack {
		scratch := w.scratch()
		if err := w.decode(scratch); err != nil {
			return nil, nil, err
		}
		if scratch.Name != "" {
			return PackPod(scratch), &gvk, nil
		}
	}
	if pod == nil {
		pod = &corev1.Pod{}
	} else {
		pod.Reset()
	}
	if err := w.decode(pod); err != nil {
		return nil, nil, err
	}
	return pod, &gvk, nil
}

// podWire is one pod's pass over the wire: the bytes Unmarshal decodes, the
// lists set aside to be shared instead, and how many items the lists
// Unmarshal grows will hold; and the pod a packing decoder decodes into,
// reused from one pod to the next with the room its lists had.
type podWire struct {
	kept  []byte
	aside [asideSlots][]byte
	count [countSlots]int

	pod                    corev1.Pod
	conditions             []corev1.PodCondition
	initStatuses, statuses []corev1.ContainerStatus
}

// decode decodes what read kept into pod, which is new or Reset.
func (w *podWire) decode(pod *corev1.Pod) error {
	w.presize(pod)
	if err := pod.Unmarshal(w.kept); err != nil {
		return err
	}
	return w.share(pod)
}

// scratch returns w's own pod, emptied, its lists' room set aside for
// presize. Nothing the last pod packed into points into it: PackPod copies
// the conditions and statuses out, and Reset drops (without writing to)
// every pointer, slice and map the packed pod may share with it.
func (w *podWire) scratch() *corev1.Pod {
	p := &w.pod
	if c := p.Status.Conditions; cap(c) > cap(w.conditions) {
		w.conditions = c[:0]
	}
	if c := p.Status.InitContainerStatuses; cap(c) > cap(w.initStatuses) {
		w.initStatuses = c[:0]
	}
	if c := p.Status.ContainerStatuses; cap(c) > cap(w.statuses) {
		w.statuses = c[:0]
	}
	p.Reset()
	return p
}

var podWires = sync.Pool{New: func() any { return &podWire{kept: make([]byte, 0, 8<<10)} }}

// Lists set aside: the pods of a ReplicaSet, StatefulSet or Job repeat the
// same containers, labels and owner references, which StripPod replaces by
// a copy shared between pods anyway (intern.go). Equal bytes decode to equal
// values, so the lean decoder looks them up by their bytes and decodes them
// only the first time.
const (
	asideNone = iota
	asideInitContainers
	asideContainers
	asideLabels
	asideOwnerRefs
	asideSlots
)

// Lists Unmarshal grows by appending, one item at a time: made to measure
// first, they leave no garbage behind (a pod's five conditions had room for
// eight, its four init container statuses for seven).
const (
	countNone = iota
	countConditions
	countInitStatuses
	countStatuses
	countSlots
)

func (w *podWire) read(pod []byte) error {
	w.kept = w.kept[:0]
	for i := range w.aside {
		w.aside[i] = w.aside[i][:0]
	}
	w.count = [countSlots]int{}
	var err error
	w.kept, err = w.appendKept(w.kept, pod, podWireTable)
	return err
}

func (w *podWire) presize(pod *corev1.Pod) {
	if n := w.count[countConditions]; n > 0 {
		pod.Status.Conditions = room(w.conditions, n, pod == &w.pod)
	}
	if n := w.count[countInitStatuses]; n > 0 {
		pod.Status.InitContainerStatuses = room(w.initStatuses, n, pod == &w.pod)
	}
	if n := w.count[countStatuses]; n > 0 {
		pod.Status.ContainerStatuses = room(w.statuses, n, pod == &w.pod)
	}
}

// room is an empty list with room for n: kept's when it has the room and
// may be reused (the scratch pod's own), else made to measure. Unmarshal
// appends a zero item before decoding into it, so nothing of the last
// pod's items survives into this one's.
func room[E any](kept []E, n int, reuse bool) []E {
	if reuse && cap(kept) >= n {
		return kept[:0]
	}
	return make([]E, 0, n)
}

// share sets the lists set aside, decoded once for all pods that carry the
// same bytes. They are StripPod's shared copies: read-only.
func (w *podWire) share(pod *corev1.Pod) error {
	var err error
	if b := w.aside[asideInitContainers]; len(b) > 0 {
		if pod.Spec.InitContainers, err = wireContainers.get(b); err != nil {
			return fmt.Errorf("decode init containers: %w", err)
		}
	}
	if b := w.aside[asideContainers]; len(b) > 0 {
		if pod.Spec.Containers, err = wireContainers.get(b); err != nil {
			return fmt.Errorf("decode containers: %w", err)
		}
	}
	if b := w.aside[asideLabels]; len(b) > 0 {
		if pod.Labels, err = wireLabels.get(b); err != nil {
			return fmt.Errorf("decode labels: %w", err)
		}
	}
	if b := w.aside[asideOwnerRefs]; len(b) > 0 {
		if pod.OwnerReferences, err = wireOwnerRefs.get(b); err != nil {
			return fmt.Errorf("decode owner references: %w", err)
		}
	}
	return nil
}

// wireShared maps the bytes of a list (its fields as they are in the pod's
// message, tags included) to the value they decode to.
type wireShared[T any] struct {
	decode func([]byte) (T, error)

	mu     sync.Mutex
	values map[string]T
}

func (c *wireShared[T]) get(wire []byte) (T, error) {
	c.mu.Lock()
	v, ok := c.values[string(wire)]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := c.decode(wire)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.values == nil || len(c.values) >= maxInterned {
		c.values = make(map[string]T)
	}
	c.values[string(wire)] = v
	return v, nil
}

func (c *wireShared[T]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values = nil
}

var (
	wireContainers = &wireShared[[]corev1.Container]{decode: func(b []byte) ([]corev1.Container, error) {
		// The bytes are initContainers or containers fields of a PodSpec.
		var spec corev1.PodSpec
		if err := spec.Unmarshal(b); err != nil {
			return nil, err
		}
		list := spec.InitContainers
		if list == nil {
			list = spec.Containers
		}
		return containerSets.intern(list, stripContainers), nil
	}}
	wireLabels = &wireShared[map[string]string]{decode: func(b []byte) (map[string]string, error) {
		var meta metav1.ObjectMeta
		if err := meta.Unmarshal(b); err != nil {
			return nil, err
		}
		return internLabels(meta.Labels), nil
	}}
	wireOwnerRefs = &wireShared[[]metav1.OwnerReference]{decode: func(b []byte) ([]metav1.OwnerReference, error) {
		var meta metav1.ObjectMeta
		if err := meta.Unmarshal(b); err != nil {
			return nil, err
		}
		return ownerRefLists.intern(meta.OwnerReferences), nil
	}}
)

// podOfEnvelope returns the bytes of the Pod in a protobuf envelope, or
// false when data is anything else (another kind, an encoding inside).
func podOfEnvelope(data []byte) ([]byte, bool) {
	if !bytes.HasPrefix(data, protobufPrefix) {
		return nil, false
	}
	var raw []byte
	var apiVersion, kind []byte
	err := eachField(data[len(protobufPrefix):], func(num protowire.Number, v []byte) error {
		switch num {
		case unknownTypeMeta:
			return eachField(v, func(num protowire.Number, v []byte) error {
				switch num {
				case typeMetaAPIVersion:
					apiVersion = v
				case typeMetaKind:
					kind = v
				}
				return nil
			})
		case unknownRaw:
			raw = v
		case unknownContentEncoding, unknownContentType:
			if len(v) > 0 {
				return errNotLean
			}
		}
		return nil
	})
	if err != nil || string(apiVersion) != "v1" || string(kind) != "Pod" {
		return nil, false
	}
	return raw, true
}

// The lean decoder keeps, of a pod, only the fields StripPod reads (and the
// annotation ending a watch's initial events, for the reflector): the
// rest (managed fields, most annotations, volumes, env, probes, tolerations,
// affinity, security contexts, ...) is most of a pod's bytes and most of
// what client-go's decoder allocates, all of it garbage once the informer's
// transform has run. Dropping it before Unmarshal costs one pass over the
// bytes. A wireTable lists, by field number, what is kept of a message; a
// field it does not list is dropped, so a field StripPod starts reading must
// be added here too (TestLeanDecodeKeepsWhatStripPodReads fails until it is).
type wireTable []fieldKeep

type fieldKeep struct {
	rule  keepRule
	sub   *wireTable // the kept fields of a keepFiltered message
	aside int8       // the list it goes to instead of the message (podWire.aside)
	count int8       // the count of items it adds to (podWire.count)
}

type keepRule uint8

const (
	dropField keepRule = iota
	keepField
	// keepFiltered keeps a message field with the fields sub keeps.
	keepFiltered
	// keepPresence keeps a message field as an empty message: StripPod
	// reads only that it is set (a container's startup probe).
	keepPresence
	// keepAnnotation keeps a map<string, string> entry when its key is an
	// annotation read before StripPod drops it (keptAnnotation).
	keepAnnotation
)

// newWireTable builds a table from field numbers to what is kept of them.
func newWireTable(fields map[protowire.Number]fieldKeep) *wireTable {
	var n protowire.Number
	for num := range fields {
		n = max(n, num)
	}
	t := make(wireTable, n+1)
	for num, k := range fields {
		t[num] = k
	}
	return &t
}

var (
	keep        = fieldKeep{rule: keepField}
	presence    = fieldKeep{rule: keepPresence}
	annotations = fieldKeep{rule: keepAnnotation}
)

func filtered(t *wireTable) fieldKeep { return fieldKeep{rule: keepFiltered, sub: t} }

func (k fieldKeep) setAside(slot int8) fieldKeep { k.aside = slot; return k }
func (k fieldKeep) counted(slot int8) fieldKeep  { k.count = slot; return k }

// podWireTable mirrors StripPod field for field (k8s.io/api core/v1 and
// apimachinery meta/v1 generated.proto).
var podWireTable = func() *wireTable {
	objectMeta := newWireTable(map[protowire.Number]fieldKeep{
		1:  keep,                       // name
		3:  keep,                       // namespace
		5:  keep,                       // uid
		6:  keep,                       // resourceVersion
		8:  keep,                       // creationTimestamp
		9:  keep,                       // deletionTimestamp
		10: keep,                       // deletionGracePeriodSeconds
		11: keep.setAside(asideLabels), // labels
		12: annotations,
		13: keep.setAside(asideOwnerRefs), // ownerReferences
		14: keep,                          // finalizers
	})
	resources := newWireTable(map[protowire.Number]fieldKeep{
		1: keep, // limits
		2: keep, // requests
	})
	container := newWireTable(map[protowire.Number]fieldKeep{
		1:  keep, // name
		2:  keep, // image
		8:  filtered(resources),
		22: presence, // startupProbe
		24: keep,     // restartPolicy
		25: keep,     // restartPolicyRules
	})
	spec := newWireTable(map[protowire.Number]fieldKeep{
		2:  filtered(container).setAside(asideContainers),     // containers
		3:  keep,                                              // restartPolicy
		10: keep,                                              // nodeName
		20: filtered(container).setAside(asideInitContainers), // initContainers
		28: keep,                                              // readinessGates
		32: keep,                                              // overhead
		38: keep,                                              // schedulingGates
		40: keep,                                              // resources
	})
	containerStatus := newWireTable(map[protowire.Number]fieldKeep{
		1: keep, // name
		2: keep, // state
		3: keep, // lastState
		4: keep, // ready
		5: keep, // restartCount
		6: keep, // image
		7: keep, // imageID
		8: keep, // containerID
		9: keep, // started
	})
	status := newWireTable(map[protowire.Number]fieldKeep{
		1:  keep,                                                 // phase
		2:  keep.counted(countConditions),                        // conditions
		3:  keep,                                                 // message
		4:  keep,                                                 // reason
		5:  keep,                                                 // hostIP
		6:  keep,                                                 // podIP
		7:  keep,                                                 // startTime
		8:  filtered(containerStatus).counted(countStatuses),     // containerStatuses
		10: filtered(containerStatus).counted(countInitStatuses), // initContainerStatuses
		11: keep,                                                 // nominatedNodeName
		12: keep,                                                 // podIPs
	})
	return newWireTable(map[protowire.Number]fieldKeep{
		podMetadata: filtered(objectMeta),
		podSpec:     filtered(spec),
		podStatus:   filtered(status),
	})
}()

// appendKept appends to dst the fields of msg that t keeps, in their order,
// or to the list the table sets them aside for. A kept field of an
// unexpected wire type is copied as it is, for Unmarshal to refuse as
// client-go's decoder would.
func (w *podWire) appendKept(dst, msg []byte, t *wireTable) ([]byte, error) {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return dst, protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, msg[n:])
		if m < 0 {
			return dst, protowire.ParseError(m)
		}
		field, value := msg[:n+m], msg[n:n+m]
		msg = msg[n+m:]
		var k fieldKeep
		if int(num) < len(*t) {
			k = (*t)[num]
		}
		if k.rule == dropField {
			continue
		}
		w.count[k.count]++
		if typ != protowire.BytesType {
			dst = append(dst, field...)
			continue
		}
		out := &dst
		if k.aside != asideNone {
			out = &w.aside[k.aside]
		}
		v, _ := protowire.ConsumeBytes(value)
		switch k.rule {
		case keepField:
			*out = append(*out, field...)
		case keepPresence:
			*out = protowire.AppendTag(*out, num, protowire.BytesType)
			*out = append(*out, 0)
		case keepAnnotation:
			if keptAnnotation(mapEntryKey(v)) {
				*out = append(*out, field...)
			}
		case keepFiltered:
			*out = protowire.AppendTag(*out, num, protowire.BytesType)
			start := len(*out)
			*out = append(*out, 0) // the length: one byte for most messages
			b, err := w.appendKept(*out, v, k.sub)
			if err != nil {
				return dst, err
			}
			*out = putLength(b, start)
		}
	}
	return dst, nil
}

// putLength writes, at start, the length of what follows it in dst, where
// one byte was left for it, and moves the message up when it needs more.
func putLength(dst []byte, start int) []byte {
	size := len(dst) - start - 1
	if w := protowire.SizeVarint(uint64(size)); w > 1 {
		dst = append(dst, make([]byte, w-1)...)
		copy(dst[start+w:], dst[start+1:start+1+size])
	}
	protowire.AppendVarint(dst[start:start], uint64(size))
	return dst
}

// keptAnnotation tells the annotations the lean decoder keeps: the one
// StripPod keeps, and the one that marks the end of a watch's initial events
// (the bookmark ending a watch-list, which the reflector reads before any
// transform: without it the informer never syncs).
func keptAnnotation(key []byte) bool {
	return string(key) == defaultContainerAnnotation || string(key) == metav1.InitialEventsAnnotationKey
}

// mapEntryKey returns the key of a map entry message (the last one, as
// Unmarshal reads it), nil when it has none or is malformed.
func mapEntryKey(entry []byte) []byte {
	var key []byte
	_ = eachField(entry, func(num protowire.Number, v []byte) error {
		if num == 1 {
			key = v
		}
		return nil
	})
	return key
}

// leanWatchEventSerializer decodes a protobuf WatchEvent frame without
// copying its object: the object's bytes stay in the frame, which client-go
// decodes before it reads the next one.
type leanWatchEventSerializer struct{ runtime.Serializer }

func (s leanWatchEventSerializer) Decode(data []byte, defaults *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	ev, ok := into.(*metav1.WatchEvent)
	if !ok || ev == nil {
		return s.Serializer.Decode(data, defaults, into)
	}
	var typ, obj []byte
	err := eachField(data, func(num protowire.Number, v []byte) error {
		switch num {
		case watchEventType:
			typ = v
		case watchEventObject:
			return eachField(v, func(num protowire.Number, v []byte) error {
				if num == rawExtensionRaw {
					obj = v
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return s.Serializer.Decode(data, defaults, into)
	}
	ev.Type = eventTypeName(typ)
	ev.Object = runtime.RawExtension{Raw: obj}
	return ev, nil, nil
}

// eventTypeName returns the watch event type without allocating for the
// usual ones.
func eventTypeName(b []byte) string {
	for _, t := range []string{"MODIFIED", "ADDED", "DELETED", "BOOKMARK", "ERROR"} {
		if string(b) == t {
			return t
		}
	}
	return string(b)
}

// errNotLean stops a walk over a message the lean path does not decode.
var errNotLean = protowire.ParseError(-1)

// eachField calls fn with every length-delimited field of msg (number and
// contents); fields of other wire types are skipped.
func eachField(msg []byte, fn func(protowire.Number, []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if typ != protowire.BytesType {
			m := protowire.ConsumeFieldValue(num, typ, msg)
			if m < 0 {
				return protowire.ParseError(m)
			}
			msg = msg[m:]
			continue
		}
		v, m := protowire.ConsumeBytes(msg)
		if m < 0 {
			return protowire.ParseError(m)
		}
		if err := fn(num, v); err != nil {
			return err
		}
		msg = msg[m:]
	}
	return nil
}

// newClientset builds the typed clientset for cfg with lean pod decoding:
// its CoreV1().Pods() decode through leanPodNegotiator, so a pod it returns
// holds only what StripPod keeps (never send one back: an update would
// clear the rest) and shares its containers, labels and owner references
// with other pods (read-only); every other resource is client-go's. Both
// share one HTTP client (one connection) and one rate limiter, as the
// clientset's groups do. The watch of every pod in the cluster has a
// connection of its own (podStreamConfig).
func newClientset(cfg *rest.Config) (kubernetes.Interface, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.RateLimiter == nil && cfg.QPS > 0 {
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	cs, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, err
	}
	pc := rest.CopyConfig(cfg)
	pc.GroupVersion = &corev1.SchemeGroupVersion
	pc.APIPath = "/api"
	codecs := rest.CodecFactoryForGeneratedClient(scheme.Scheme, scheme.Codecs).WithoutConversion()
	pc.NegotiatedSerializer = newLeanPodNegotiator(codecs, false)
	if pc.UserAgent == "" {
		pc.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	rc, err := rest.RESTClientForConfigAndClient(pc, hc)
	if err != nil {
		return nil, err
	}
	sc := podStreamConfig(pc)
	// The informer reads this stream's watch, and nothing else: its pods
	// may come packed (leanPodSerializer).
	sc.NegotiatedSerializer = newLeanPodNegotiator(codecs, true)
	shc, err := rest.HTTPClientFor(sc)
	if err != nil {
		return nil, err
	}
	src, err := rest.RESTClientForConfigAndClient(sc, shc)
	if err != nil {
		return nil, err
	}
	return leanClientset{Clientset: cs, core: leanCore{
		CoreV1Interface: cs.CoreV1(),
		pods:            corev1client.New(rc),
		stream:          corev1client.New(src),
	}}, nil
}

// podStreamConfig is cfg for the list and watch of every pod in the
// cluster, which carries thousands of changes a second on a busy cluster:
// HTTP/1.1, on a connection of its own. Over HTTP/2 the client grants the
// server more window every 4 KB it reads (golang.org/x/net/http2: a
// WINDOW_UPDATE frame, written and flushed through TLS), two or three
// writes for every pod, and hands each DATA frame from its read loop to
// the body's reader through a buffer: bench/replay at 10,000 pods and 5,000
// changes a second measured 85–102 ms of initwatch's CPU per 1,000 changes
// over HTTP/1.1 against 169–196 ms over HTTP/2, the two interleaved in one
// run. Only this one stream: the watches of namespaces one by one (when the
// cluster's pods may not be listed) stay multiplexed on the shared HTTP/2
// connection, rather than take a connection each.
func podStreamConfig(cfg *rest.Config) *rest.Config {
	sc := rest.CopyConfig(cfg)
	sc.TLSClientConfig.NextProtos = []string{"http/1.1"}
	return sc
}

// leanClientset is a clientset whose CoreV1 pods decode leanly.
type leanClientset struct {
	*kubernetes.Clientset
	core leanCore
}

func (c leanClientset) CoreV1() corev1client.CoreV1Interface { return c.core }

// podStream returns the pods client of the cluster-wide pod stream.
func (c leanClientset) podStream() corev1client.PodInterface {
	return c.core.stream.Pods(metav1.NamespaceAll)
}

type leanCore struct {
	corev1client.CoreV1Interface
	pods, stream *corev1client.CoreV1Client
}

func (c leanCore) Pods(namespace string) corev1client.PodInterface { return c.pods.Pods(namespace) }

package kube

import (
	"slices"
	"strconv"
	"sync"
	"unique"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Pods of one Deployment repeat the same resource lists, labels, images and
// container names thousands of times; after the transform, the resource
// maps alone are about 40% of what a pod holds. Sharing one copy of each is
// safe because informer cache objects are read-only by contract: nothing in
// initwatch writes to a pod it received.

// maxInterned bounds each map table. Specs that vary per pod (requests set
// by a vertical autoscaler, say) could otherwise grow it without end; when
// full it starts over, and pods already stored keep the maps they point to.
const maxInterned = 4096

// mapInterner hands out one shared copy of equal maps.
type mapInterner[K ~string, V any] struct {
	key func([]byte, map[K]V) []byte // appends an exact key: equal keys mean equal maps

	mu   sync.Mutex
	maps map[string]map[K]V
}

func (in *mapInterner[K, V]) intern(m map[K]V) map[K]V {
	if len(m) == 0 {
		return m
	}
	buf := keyBuffers.Get().(*[]byte)
	defer keyBuffers.Put(buf)
	k := in.key((*buf)[:0], m)
	*buf = k
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.maps[string(k)]; ok {
		return shared
	}
	if in.maps == nil || len(in.maps) >= maxInterned {
		in.maps = make(map[string]map[K]V)
	}
	in.maps[string(k)] = m
	return m
}

// keyBuffers hold interning keys while they are looked up. Nearly every
// lookup finds what it looks for (a pod's labels, containers and owners are
// its ReplicaSet's), so a key becomes a string only when it is stored: built
// as strings, the keys were a fifth of the allocations of a pod event.
var keyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1<<10); return &b }}

// reset forgets every shared map (benchmarks start from empty tables).
func (in *mapInterner[K, V]) reset() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.maps = nil
}

var (
	resourceLists = &mapInterner[corev1.ResourceName, resource.Quantity]{key: appendResourceListKey}
	labelSets     = &mapInterner[string, string]{key: appendLabelsKey}
	containerSets = &containerInterner{}
	ownerRefLists = &ownerRefInterner{}
	waitingStates = &waitingInterner{}
)

// waitingInterner hands out one shared copy of equal waiting states: a
// waiting container's state is a reason and a message ("PodInitializing",
// a back-off), the same over the pods of a workload, and each was an
// allocation of its own.
type waitingInterner struct {
	mu     sync.Mutex
	states map[corev1.ContainerStateWaiting]*corev1.ContainerStateWaiting
}

func (wi *waitingInterner) intern(w *corev1.ContainerStateWaiting) *corev1.ContainerStateWaiting {
	// The key holds the shared strings, not the decoder's copies.
	k := corev1.ContainerStateWaiting{Reason: internString(w.Reason), Message: internString(w.Message)}
	wi.mu.Lock()
	defer wi.mu.Unlock()
	if shared, ok := wi.states[k]; ok {
		return shared
	}
	if wi.states == nil || len(wi.states) >= maxInterned {
		wi.states = make(map[corev1.ContainerStateWaiting]*corev1.ContainerStateWaiting)
	}
	shared := &k
	wi.states[k] = shared
	return shared
}

func (wi *waitingInterner) reset() {
	wi.mu.Lock()
	defer wi.mu.Unlock()
	wi.states = nil
}

// ownerRefInterner hands out one shared copy of equal owner reference
// lists: every pod of a ReplicaSet, StatefulSet, DaemonSet or Job carries
// the same one, about 190 bytes with its strings and flags, all decoded
// anew for each pod.
type ownerRefInterner struct {
	mu    sync.Mutex
	lists map[string][]metav1.OwnerReference
}

func (oi *ownerRefInterner) intern(refs []metav1.OwnerReference) []metav1.OwnerReference {
	if len(refs) == 0 {
		return refs
	}
	buf := keyBuffers.Get().(*[]byte)
	defer keyBuffers.Put(buf)
	k := appendOwnerRefsKey((*buf)[:0], refs)
	*buf = k
	oi.mu.Lock()
	defer oi.mu.Unlock()
	if shared, ok := oi.lists[string(k)]; ok {
		return shared
	}
	if oi.lists == nil || len(oi.lists) >= maxInterned {
		oi.lists = make(map[string][]metav1.OwnerReference)
	}
	oi.lists[string(k)] = refs
	return refs
}

func (oi *ownerRefInterner) reset() {
	oi.mu.Lock()
	defer oi.mu.Unlock()
	oi.lists = nil
}

// appendOwnerRefsKey covers every field of the references, unset flags
// told apart from false ones, so equal keys mean equal lists.
func appendOwnerRefsKey(b []byte, refs []metav1.OwnerReference) []byte {
	flag := func(b []byte, p *bool) []byte {
		switch {
		case p == nil:
			return append(b, '-')
		case *p:
			return append(b, 't')
		default:
			return append(b, 'f')
		}
	}
	for i := range refs {
		r := &refs[i]
		for _, s := range [...]string{r.APIVersion, r.Kind, r.Name, string(r.UID)} {
			b = append(b, s...)
			b = append(b, 0)
		}
		b = flag(b, r.Controller)
		b = flag(b, r.BlockOwnerDeletion)
		b = append(b, 1)
	}
	return b
}

// containerInterner hands out one shared copy of equal stripped container
// lists. The pods of a ReplicaSet, StatefulSet or Job share their template,
// and even stripped a container is a 400-byte struct: at 10,000 pods with
// five containers each, sharing saves about 2 KB a pod, a quarter of what
// the TUI holds (bench/tuiscale measured it).
type containerInterner struct {
	mu   sync.Mutex
	sets map[string][]corev1.Container
}

// intern returns the stripped form of in, shared with every earlier list
// that strips to the same thing; strip builds it when there is none.
func (ci *containerInterner) intern(in []corev1.Container, strip func([]corev1.Container) []corev1.Container) []corev1.Container {
	if len(in) == 0 {
		return strip(in)
	}
	buf := keyBuffers.Get().(*[]byte)
	defer keyBuffers.Put(buf)
	k := appendContainersKey((*buf)[:0], in)
	*buf = k
	ci.mu.Lock()
	shared, ok := ci.sets[string(k)]
	ci.mu.Unlock()
	if ok {
		return shared
	}
	out := strip(in)
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if shared, ok := ci.sets[string(k)]; ok {
		return shared // stripped meanwhile by another informer
	}
	if ci.sets == nil || len(ci.sets) >= maxInterned {
		ci.sets = make(map[string][]corev1.Container)
	}
	ci.sets[string(k)] = out
	return out
}

// nilMark records whether a map or slice is nil, which an empty one is not.
func nilMark(b []byte, isNil bool) []byte {
	if isNil {
		return append(b, '~')
	}
	return b
}

func (ci *containerInterner) reset() {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	ci.sets = nil
}

// appendContainersKey covers exactly the fields stripContainers keeps, nil
// and empty told apart, so equal keys mean equal stripped lists.
func appendContainersKey(b []byte, cs []corev1.Container) []byte {
	for i := range cs {
		c := &cs[i]
		b = append(b, c.Name...)
		b = append(b, 0)
		b = append(b, c.Image...)
		b = append(b, 0)
		if c.RestartPolicy != nil {
			b = append(b, *c.RestartPolicy...)
		} else {
			b = append(b, '-')
		}
		b = append(b, 0)
		b = nilMark(b, c.RestartPolicyRules == nil)
		for _, r := range c.RestartPolicyRules {
			b = append(b, r.Action...)
			if e := r.ExitCodes; e != nil {
				b = append(b, ':')
				b = append(b, e.Operator...)
				b = nilMark(b, e.Values == nil)
				for _, v := range e.Values {
					b = append(b, ',')
					b = strconv.AppendInt(b, int64(v), 10)
				}
			}
			b = append(b, ';')
		}
		b = append(b, 0)
		b = nilMark(b, c.Resources.Requests == nil)
		b = appendResourceListKey(b, c.Resources.Requests)
		b = append(b, 1)
		b = nilMark(b, c.Resources.Limits == nil)
		b = appendResourceListKey(b, c.Resources.Limits)
		b = append(b, 1)
		if c.StartupProbe != nil {
			b = append(b, 'p')
		}
		b = append(b, 2)
	}
	return b
}

func internResources(rl corev1.ResourceList) corev1.ResourceList {
	return resourceLists.intern(rl)
}

func internLabels(l map[string]string) map[string]string {
	return labelSets.intern(l)
}

// internString shares equal strings through the runtime's weak table, so
// strings no pod uses any more are still collected.
func internString(s string) string {
	if s == "" {
		return s
	}
	return unique.Make(s).Value()
}

// appendResourceListKey keeps the quantities' formats: two lists that print
// differently are not shared.
func appendResourceListKey(b []byte, rl map[corev1.ResourceName]resource.Quantity) []byte {
	var room [8]corev1.ResourceName // lists name cpu and memory, a few more
	names := room[:0]
	for n := range rl {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		q := rl[n]
		b = append(b, n...)
		b = append(b, 0)
		b = append(b, q.String()...)
		b = append(b, 0)
		b = append(b, q.Format...)
		b = append(b, 0)
	}
	return b
}

func appendLabelsKey(b []byte, l map[string]string) []byte {
	var room [16]string
	keys := room[:0]
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = append(b, k...)
		b = append(b, 0)
		b = append(b, l[k]...)
		b = append(b, 0)
	}
	return b
}

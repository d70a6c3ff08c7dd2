package kube

import (
	"slices"
	"strconv"
	"strings"
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
	key func(map[K]V) string // exact: equal keys mean equal maps

	mu   sync.Mutex
	maps map[string]map[K]V
}

func (in *mapInterner[K, V]) intern(m map[K]V) map[K]V {
	if len(m) == 0 {
		return m
	}
	k := in.key(m)
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.maps[k]; ok {
		return shared
	}
	if in.maps == nil || len(in.maps) >= maxInterned {
		in.maps = make(map[string]map[K]V)
	}
	in.maps[k] = m
	return m
}

// reset forgets every shared map (benchmarks start from empty tables).
func (in *mapInterner[K, V]) reset() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.maps = nil
}

var (
	resourceLists = &mapInterner[corev1.ResourceName, resource.Quantity]{key: resourceListKey}
	labelSets     = &mapInterner[string, string]{key: labelsKey}
	containerSets = &containerInterner{}
	ownerRefLists = &ownerRefInterner{}
)

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
	k := ownerRefsKey(refs)
	oi.mu.Lock()
	defer oi.mu.Unlock()
	if shared, ok := oi.lists[k]; ok {
		return shared
	}
	if oi.lists == nil || len(oi.lists) >= maxInterned {
		oi.lists = make(map[string][]metav1.OwnerReference)
	}
	oi.lists[k] = refs
	return refs
}

func (oi *ownerRefInterner) reset() {
	oi.mu.Lock()
	defer oi.mu.Unlock()
	oi.lists = nil
}

// ownerRefsKey covers every field of the references, unset flags told
// apart from false ones, so equal keys mean equal lists.
func ownerRefsKey(refs []metav1.OwnerReference) string {
	var b strings.Builder
	flag := func(p *bool) {
		switch {
		case p == nil:
			b.WriteByte('-')
		case *p:
			b.WriteByte('t')
		default:
			b.WriteByte('f')
		}
	}
	for i := range refs {
		r := &refs[i]
		for _, s := range []string{r.APIVersion, r.Kind, r.Name, string(r.UID)} {
			b.WriteString(s)
			b.WriteByte(0)
		}
		flag(r.Controller)
		flag(r.BlockOwnerDeletion)
		b.WriteByte(1)
	}
	return b.String()
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
	k := containersKey(in)
	ci.mu.Lock()
	shared, ok := ci.sets[k]
	ci.mu.Unlock()
	if ok {
		return shared
	}
	out := strip(in)
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if shared, ok := ci.sets[k]; ok {
		return shared // stripped meanwhile by another informer
	}
	if ci.sets == nil || len(ci.sets) >= maxInterned {
		ci.sets = make(map[string][]corev1.Container)
	}
	ci.sets[k] = out
	return out
}

// nilMark records whether a map or slice is nil, which an empty one is not.
func nilMark(b *strings.Builder, isNil bool) {
	if isNil {
		b.WriteByte('~')
	}
}

func (ci *containerInterner) reset() {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	ci.sets = nil
}

// containersKey covers exactly the fields stripContainers keeps, nil and
// empty told apart, so equal keys mean equal stripped lists.
func containersKey(cs []corev1.Container) string {
	var b strings.Builder
	for i := range cs {
		c := &cs[i]
		b.WriteString(c.Name)
		b.WriteByte(0)
		b.WriteString(c.Image)
		b.WriteByte(0)
		if c.RestartPolicy != nil {
			b.WriteString(string(*c.RestartPolicy))
		} else {
			b.WriteByte('-')
		}
		b.WriteByte(0)
		nilMark(&b, c.RestartPolicyRules == nil)
		for _, r := range c.RestartPolicyRules {
			b.WriteString(string(r.Action))
			if e := r.ExitCodes; e != nil {
				b.WriteByte(':')
				b.WriteString(string(e.Operator))
				nilMark(&b, e.Values == nil)
				for _, v := range e.Values {
					b.WriteByte(',')
					b.WriteString(strconv.Itoa(int(v)))
				}
			}
			b.WriteByte(';')
		}
		b.WriteByte(0)
		nilMark(&b, c.Resources.Requests == nil)
		b.WriteString(resourceListKey(c.Resources.Requests))
		b.WriteByte(1)
		nilMark(&b, c.Resources.Limits == nil)
		b.WriteString(resourceListKey(c.Resources.Limits))
		b.WriteByte(1)
		if c.StartupProbe != nil {
			b.WriteByte('p')
		}
		b.WriteByte(2)
	}
	return b.String()
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

// resourceListKey keeps the quantities' formats: two lists that print
// differently are not shared.
func resourceListKey(rl map[corev1.ResourceName]resource.Quantity) string {
	names := make([]corev1.ResourceName, 0, len(rl))
	for n := range rl {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		q := rl[n]
		b.WriteString(string(n))
		b.WriteByte(0)
		b.WriteString(q.String())
		b.WriteByte(0)
		b.WriteString(string(q.Format))
		b.WriteByte(0)
	}
	return b.String()
}

func labelsKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(l[k])
		b.WriteByte(0)
	}
	return b.String()
}

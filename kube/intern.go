package kube

import (
	"slices"
	"strings"
	"sync"
	"unique"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
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
)

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

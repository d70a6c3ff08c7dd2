package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/initwatch/initwatch/e2e/podgen"
)

// SentAnnotation carries, on every pod the replay serves, the Unix time in
// nanoseconds at which this version of it was sent (zero in the first list).
const SentAnnotation = "bench.initwatch.dev/sent"

// Placeholders written into every encoded object and overwritten in a copy
// as it is sent: fixed widths, so an encoding never changes length.
const (
	rvWidth    = 12
	sentWidth  = 19
	rvMarker   = "RRRRRRRRRRRR"
	sentMarker = "SSSSSSSSSSSSSSSSSSS"
	// firstRV keeps every resourceVersion 12 digits wide.
	firstRV = int64(100_000_000_000)
)

// format is how objects are encoded on the wire.
type format int

const (
	protobufFormat format = iota
	jsonFormat
)

func (f format) String() string {
	if f == jsonFormat {
		return "json"
	}
	return "protobuf"
}

func parseFormat(s string) (format, error) {
	switch s {
	case "protobuf":
		return protobufFormat, nil
	case "json":
		return jsonFormat, nil
	}
	return 0, fmt.Errorf("format %q: want protobuf or json", s)
}

// encoded is one object encoded ahead of time (a bare protobuf message or
// a JSON object) with the offsets of its two placeholders.
type encoded struct {
	raw          []byte
	rvAt, sentAt int
}

// encode encodes obj, whose resourceVersion is rvMarker and whose sent
// annotation is sentMarker.
func encode(f format, obj interface {
	Marshal() ([]byte, error)
}) (*encoded, error) {
	var raw []byte
	var err error
	if f == jsonFormat {
		raw, err = json.Marshal(obj)
	} else {
		raw, err = obj.Marshal()
	}
	if err != nil {
		return nil, err
	}
	e := &encoded{raw: raw, rvAt: bytes.Index(raw, []byte(rvMarker)), sentAt: bytes.Index(raw, []byte(sentMarker))}
	if e.rvAt < 0 || e.sentAt < 0 {
		return nil, fmt.Errorf("encoded object lacks its placeholders")
	}
	return e, nil
}

// appendPatched appends e with rv and sent written into its placeholders.
func (e *encoded) appendPatched(b []byte, rv, sent int64) []byte {
	start := len(b)
	b = append(b, e.raw...)
	putDigits(b[start+e.rvAt:start+e.rvAt+rvWidth], rv)
	putDigits(b[start+e.sentAt:start+e.sentAt+sentWidth], sent)
	return b
}

// putDigits writes v in decimal into dst, zero-padded to its width.
func putDigits(dst []byte, v int64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// podSet is the pods the replay serves: generated as the benchmark's load
// generator makes them (e2e/podgen's spread of init states over 4 init
// containers), with what the apiserver adds (uid, creation time, managed
// fields), encoded once.
type podSet struct {
	pods    []*corev1.Pod // kept only for the targets, which change shape
	names   []string
	ns      []string
	labels  []map[string]string
	target  []bool
	targets []int
	enc     []*encoded
}

// TargetLabel marks the pods probes are written to: `-l` or a filter for
// it puts exactly them on screen.
const (
	TargetLabel = "zzbench"
	TargetValue = "latency"
)

func newPodSet(templatesDir string, n, namespaces, targets int, f format, base time.Time) (*podSet, error) {
	templates, err := podgen.LoadTemplates(templatesDir)
	if err != nil {
		return nil, err
	}
	var nss []string
	for i := range namespaces {
		nss = append(nss, fmt.Sprintf("bench-%02d", i))
	}
	g := &podgen.Generator{Templates: templates, Namespaces: nss, Base: base}
	s := &podSet{}
	for i := range n {
		c := g.Spread(i)
		pod := c.Pod
		if c.Status != nil {
			pod.Status = *c.Status
		}
		// As in bench/tuiscale: targets sit at init step 1, no restarts.
		if i%8 == 1 && len(s.targets) < targets {
			pod.Labels[TargetLabel] = TargetValue
			s.targets = append(s.targets, i)
		}
		serverFields(pod, i, base)
		e, err := encode(f, pod)
		if err != nil {
			return nil, fmt.Errorf("encode pod %s: %w", pod.Name, err)
		}
		isTarget := len(s.targets) > 0 && s.targets[len(s.targets)-1] == i
		if isTarget {
			s.pods = append(s.pods, pod)
		} else {
			s.pods = append(s.pods, nil)
		}
		s.names = append(s.names, pod.Name)
		s.ns = append(s.ns, pod.Namespace)
		s.labels = append(s.labels, pod.Labels)
		s.target = append(s.target, isTarget)
		s.enc = append(s.enc, e)
	}
	return s, nil
}

// serverFields sets what kube-apiserver adds to a pod it stores, and the
// placeholders.
func serverFields(pod *corev1.Pod, i int, base time.Time) {
	pod.UID = podUID(i)
	pod.CreationTimestamp = metav1.NewTime(base.Add(-time.Hour).Truncate(time.Second))
	pod.ResourceVersion = rvMarker
	pod.Annotations[SentAnnotation] = sentMarker
	ts := metav1.NewTime(pod.CreationTimestamp.Time)
	pod.ManagedFields = []metav1.ManagedFieldsEntry{
		{Manager: "kubectl-create", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1",
			Time: &ts, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: fieldSet(pod.ObjectMeta, pod.Spec)}},
		{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1",
			Time: &ts, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: fieldSet(nil, pod.Status)}, Subresource: "status"},
	}
}

// fieldSet renders the managed-fields set of the given parts of an object
// in the apiserver's FieldsV1 shape ({"f:spec":{"f:containers":{...}}}),
// so decoding a replayed pod costs what decoding a stored one does.
func fieldSet(meta any, part any) []byte {
	top := map[string]any{}
	add := func(key string, v any) {
		if v == nil {
			return
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return
		}
		var tree any
		if json.Unmarshal(raw, &tree) == nil {
			top["f:"+key] = fieldsOf(tree)
		}
	}
	if meta != nil {
		add("metadata", meta)
		add("spec", part)
	} else {
		add("status", part)
	}
	raw, _ := json.Marshal(top)
	return raw
}

func fieldsOf(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, c := range t {
			if k == "resourceVersion" {
				continue
			}
			out["f:"+k] = fieldsOf(c)
		}
		return out
	case []any:
		out := map[string]any{}
		for i, c := range t {
			key := "i:" + strconv.Itoa(i)
			if m, ok := c.(map[string]any); ok {
				if name, ok := m["name"].(string); ok {
					key = `k:{"name":"` + name + `"}`
				} else if typ, ok := m["type"].(string); ok {
					key = `k:{"type":"` + typ + `"}`
				}
			}
			out[key] = fieldsOf(c)
		}
		out["."] = map[string]any{}
		return out
	}
	return map[string]any{}
}

// eventsPerPod is how many events every pod has.
const eventsPerPod = podgen.EventsPerPod

// podEvents makes pod i's events (e2e/podgen's, as bench/tuiscale's load
// writes them) with a uid each and the placeholders.
func (s *podSet) podEvents(i int, base time.Time) []*corev1.Event {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: s.names[i], Namespace: s.ns[i], UID: podUID(i)},
		Spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "init-fetch-files", Image: "registry.example.com/seed/fetch:1.4.2"}}}}
	evs := podgen.KubeletEvents(pod, base)
	for k, ev := range evs {
		ev.UID = types.UID(fmt.Sprintf("00000000-0000-4000-9000-%010d%02d", i, k))
		ev.ResourceVersion = rvMarker
		ev.CreationTimestamp = ev.LastTimestamp
		ev.Annotations = map[string]string{SentAnnotation: sentMarker}
	}
	return evs
}

func podUID(i int) types.UID { return types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i)) }

// namespaces lists the namespaces of the set, sorted.
func (s *podSet) namespaces() []string {
	seen := map[string]bool{}
	var out []string
	for _, ns := range s.ns {
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}

package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apitestingfuzzer "k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	metafuzzer "k8s.io/apimachinery/pkg/apis/meta/fuzzer"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/e2e/podgen"
)

// TestLeanDecodeKeepsWhatStripPodReads decodes every pod both ways, with
// client-go's protobuf decoder and with the lean one, and requires the
// informer's transform to make the same pod of both: the lean decoder may
// leave out only what StripPod drops. The pods are every pod fixture in the
// repository, every pod e2e/podgen makes (the e2e oracle's and the bench
// replay's) and random ones with every field filled.
//
// The packing decoder of the informer's pod stream decodes each pod into
// memory it reuses for the next: what it packed must be the transform's
// result, and still be after every later pod was decoded (checked again at
// the end of each set).
func TestLeanDecodeKeepsWhatStripPodReads(t *testing.T) {
	std, lean := protobufInfo(t)
	packing := packingInfo(t)
	type decoded struct {
		name string
		now  func() *corev1.Pod // what the informer's transform keeps of it now
		want *corev1.Pod
	}
	var packed []decoded
	recheck := func(t *testing.T) {
		t.Helper()
		for _, p := range packed {
			if g := p.now(); !reflect.DeepEqual(g, p.want) {
				t.Fatalf("%s: a pod the packing decoder returned changed when later pods were decoded (- then, + now):\n%s", p.name, diff.Diff(p.want, g))
			}
		}
		packed = packed[:0]
	}
	check := func(t *testing.T, name string, pod *corev1.Pod) {
		t.Helper()
		data := envelope(t, std, pod)
		want, _, err := std.Serializer.Decode(data, nil, nil)
		if err != nil {
			t.Fatalf("%s: client-go: %v", name, err)
		}
		got, _, err := lean.Serializer.Decode(data, nil, nil)
		if err != nil {
			t.Fatalf("%s: lean: %v", name, err)
		}
		// The client's decoder clears the kind of what either serializer
		// returns; only client-go's protobuf one sets it.
		want.(*corev1.Pod).TypeMeta = metav1.TypeMeta{}
		checkPacking(t, name, packing, data, want.(*corev1.Pod), func(now func() *corev1.Pod, w *corev1.Pod) {
			packed = append(packed, decoded{name, now, w})
		})
		// What the reflector reads before the transform runs.
		for _, f := range []struct{ name, got, want string }{
			{"name", got.(*corev1.Pod).Name, want.(*corev1.Pod).Name},
			{"namespace", got.(*corev1.Pod).Namespace, want.(*corev1.Pod).Namespace},
			{"resourceVersion", got.(*corev1.Pod).ResourceVersion, want.(*corev1.Pod).ResourceVersion},
			{"initial-events-end", got.(*corev1.Pod).Annotations[metav1.InitialEventsAnnotationKey], want.(*corev1.Pod).Annotations[metav1.InitialEventsAnnotationKey]},
		} {
			if f.got != f.want {
				t.Fatalf("%s: lean decode's %s %q, client-go's %q", name, f.name, f.got, f.want)
			}
		}
		w, g := StripPod(want.(*corev1.Pod)), StripPod(got.(*corev1.Pod))
		if !reflect.DeepEqual(g, w) {
			d := diff.Diff(w, g)
			if d == "" {
				d = fmt.Sprintf("(nil and empty differ)\n got %#v\nwant %#v", g, w)
			}
			t.Fatalf("%s: StripPod of the lean decode differs from client-go's (- client-go, + lean):\n%s", name, d)
		}
	}

	t.Run("fixtures", func(t *testing.T) {
		pods := repositoryPods(t)
		if len(pods) < 40 {
			t.Fatalf("found %d pod fixtures, expected at least 40", len(pods))
		}
		for name, pod := range pods {
			check(t, name, pod)
		}
		recheck(t)
	})
	t.Run("podgen", func(t *testing.T) {
		for i, pod := range podgenPods(t) {
			check(t, fmt.Sprintf("podgen %d %s", i, pod.Name), pod)
		}
		recheck(t)
	})
	t.Run("bookmark", func(t *testing.T) {
		// The bookmark ending a watch-list's initial events: a pod with
		// nothing but a resource version and this annotation.
		check(t, "bookmark", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "4711",
			Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true", "bench.initwatch.dev/sent": "1"}}})
	})
	t.Run("random", func(t *testing.T) {
		for i, pod := range randomPods(t, 1500) {
			check(t, fmt.Sprintf("random pod %d", i), pod)
		}
		recheck(t)
	})
}

// packingInfo returns the protobuf serializers of the informer's pod
// stream, whose pod decoder packs.
func packingInfo(t testing.TB) runtime.SerializerInfo {
	t.Helper()
	codecs := rest.CodecFactoryForGeneratedClient(scheme.Scheme, scheme.Codecs).WithoutConversion()
	info, ok := runtime.SerializerInfoForMediaType(newLeanPodNegotiator(codecs, true).SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		t.Fatal("no protobuf serializer")
	}
	return info
}

// checkPacking decodes data (want, as client-go decodes it) with the
// packing decoder: a named pod comes out as PackPod of want; a nameless
// one (a bookmark) as a pod with what the reflector reads of it; into a
// pod, it decodes as the lean decoder does. keep gets what it returned,
// to be checked again after later pods were decoded.
func checkPacking(t *testing.T, name string, packing runtime.SerializerInfo, data []byte, want *corev1.Pod, keep func(now func() *corev1.Pod, want *corev1.Pod)) {
	t.Helper()
	got, gvk, err := packing.Serializer.Decode(data, nil, nil)
	if err != nil {
		t.Fatalf("%s: packing: %v", name, err)
	}
	if gvk == nil || *gvk != podGVK {
		t.Fatalf("%s: packing: gvk %v, want %v", name, gvk, podGVK)
	}
	switch g := got.(type) {
	case *PackedPod:
		if want.Name == "" {
			t.Fatalf("%s: a pod without a name was packed; the reflector reads a bookmark's annotations", name)
		}
		w := StripPod(want)
		if p := g.Pod(); !reflect.DeepEqual(p, w) {
			t.Fatalf("%s: the packing decode differs from PackPod of client-go's (- client-go, + packing):\n%s", name, diff.Diff(w, p))
		}
		keep(g.Pod, w)
	case *corev1.Pod:
		if want.Name != "" {
			t.Fatalf("%s: a named pod was not packed", name)
		}
		if g.ResourceVersion != want.ResourceVersion ||
			g.Annotations[metav1.InitialEventsAnnotationKey] != want.Annotations[metav1.InitialEventsAnnotationKey] {
			t.Fatalf("%s: packing decode of a bookmark lost its resource version or annotation: %#v", name, g.ObjectMeta)
		}
	default:
		t.Fatalf("%s: packing decode gave %T", name, got)
	}
	// Into a pod it decodes a pod, as the lean decoder does.
	into := &corev1.Pod{}
	if _, _, err := packing.Serializer.Decode(data, nil, into); err != nil {
		t.Fatalf("%s: packing into a pod: %v", name, err)
	}
	w := StripPod(want)
	if g := StripPod(into); !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: packing decoder into a pod differs (- client-go, + packing):\n%s", name, diff.Diff(w, g))
	}
	keep(func() *corev1.Pod { return StripPod(into) }, w)
}

// repositoryPods returns every pod in the YAML fixtures of the repository,
// alone or in a List, by file and position.
func repositoryPods(t testing.TB) map[string]*corev1.Pod {
	t.Helper()
	root := filepath.Join("..")
	pods := map[string]*corev1.Pod{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "controlplane", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.Contains(path, "testdata") || (!strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, doc := range bytes.Split(data, []byte("\n---")) {
			for j, pod := range podsOfDocument(doc) {
				pods[fmt.Sprintf("%s#%d.%d", path, i, j)] = pod
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pods
}

// podsOfDocument returns the pod a YAML document is, or the pods of the
// List it is; nothing for anything else, or what does not parse as one.
func podsOfDocument(doc []byte) []*corev1.Pod {
	var head struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if yaml.Unmarshal(doc, &head) != nil {
		return nil
	}
	var pods []*corev1.Pod
	add := func(raw []byte) {
		var pod corev1.Pod
		if yaml.Unmarshal(raw, &pod) == nil && pod.Kind == "Pod" {
			pods = append(pods, &pod)
		}
	}
	switch head.Kind {
	case "Pod":
		add(doc)
	case "List", "PodList":
		for _, item := range head.Items {
			add(item)
		}
	}
	return pods
}

// podgenPods returns every pod e2e/podgen generates for the e2e oracle and
// for the bench replay, with what an apiserver adds (podServerFields).
func podgenPods(t testing.TB) []*corev1.Pod {
	t.Helper()
	templates, err := podgen.LoadTemplates(filepath.Join("..", "testdata", "e2e", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	var nss []string
	for i := range 20 {
		nss = append(nss, fmt.Sprintf("bench-%02d", i))
	}
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	g := &podgen.Generator{Templates: templates, Namespaces: nss, Labels: map[string]string{"e2e": "oracle"}, Base: base}
	cases := g.OracleCases()
	for i := range 16 {
		cases = append(cases, g.Spread(i))
	}
	var pods []*corev1.Pod
	for i, c := range cases {
		pod := c.Pod.DeepCopy()
		if c.Status != nil {
			pod.Status = *c.Status
		}
		if c.Delete {
			now := metav1.NewTime(base)
			pod.DeletionTimestamp = &now
			pod.DeletionGracePeriodSeconds = new(int64)
		}
		podServerFields(pod, i, base)
		pods = append(pods, pod)
	}
	return pods
}

// podServerFields sets what kube-apiserver adds to a pod it stores: uid,
// creation time, resource version, and the managed fields of its creator
// and of the kubelet writing its status, as bench/replay serves them.
func podServerFields(pod *corev1.Pod, i int, base time.Time) {
	pod.UID = types.UID(fmt.Sprintf("6c1b7f2e-0000-4000-8000-%012d", i))
	pod.CreationTimestamp = metav1.NewTime(base.Add(-time.Hour))
	pod.ResourceVersion = strconv.Itoa(1000 + i)
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations["bench.initwatch.dev/sent"] = "1764590400000000000"
	at := metav1.NewTime(base.Add(-time.Hour))
	pod.ManagedFields = []metav1.ManagedFieldsEntry{
		{Manager: "kubectl-create", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", Time: &at,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: managedFieldSet(map[string]any{"metadata": pod.ObjectMeta, "spec": pod.Spec})}},
		{Manager: "kubelet", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "v1", Time: &at,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: managedFieldSet(map[string]any{"status": pod.Status})}, Subresource: "status"},
	}
}

// managedFieldSet renders parts of an object as a FieldsV1 set: every
// field named ("f:name"), list items by their name or type ("k:{...}").
func managedFieldSet(parts map[string]any) []byte {
	var set func(v any) any
	set = func(v any) any {
		out := map[string]any{}
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				out["f:"+k] = set(c)
			}
		case []any:
			out["."] = map[string]any{}
			for i, c := range t {
				key := "i:" + strconv.Itoa(i)
				if m, ok := c.(map[string]any); ok && m["name"] != nil {
					key = fmt.Sprintf(`k:{"name":%q}`, m["name"])
				} else if ok && m["type"] != nil {
					key = fmt.Sprintf(`k:{"type":%q}`, m["type"])
				}
				out[key] = set(c)
			}
		}
		return out
	}
	top := map[string]any{}
	for name, part := range parts {
		raw, _ := json.Marshal(part)
		var tree any
		_ = json.Unmarshal(raw, &tree)
		top["f:"+name] = set(tree)
	}
	raw, _ := json.Marshal(top)
	return raw
}

// randomPods returns n pods with every field randomly set or not (a fixed
// seed: the same pods on every run), half of them with the default-container
// annotation among others, a third with the one ending initial events.
func randomPods(t testing.TB, n int) []*corev1.Pod {
	t.Helper()
	f := apitestingfuzzer.FuzzerFor(metafuzzer.Funcs, rand.NewSource(20261206), scheme.Codecs).NumElements(0, 3)
	var pods []*corev1.Pod
	for i := range n {
		var pod corev1.Pod
		f.Fill(&pod)
		if pod.Annotations == nil && (i%2 == 0 || i%3 == 0) {
			pod.Annotations = map[string]string{}
		}
		if i%2 == 0 {
			pod.Annotations[defaultContainerAnnotation] = fmt.Sprintf("c%d", i)
		}
		if i%3 == 0 {
			pod.Annotations[metav1.InitialEventsAnnotationKey] = []string{"true", "false"}[i%2]
		}
		pods = append(pods, &pod)
	}
	return pods
}

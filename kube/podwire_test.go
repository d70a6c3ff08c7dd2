package kube

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
)

// protobufInfo returns client-go's protobuf serializers, and the lean ones
// wrapping them.
func protobufInfo(t testing.TB) (std, lean runtime.SerializerInfo) {
	t.Helper()
	codecs := rest.CodecFactoryForGeneratedClient(scheme.Scheme, scheme.Codecs).WithoutConversion()
	find := func(infos []runtime.SerializerInfo) runtime.SerializerInfo {
		info, ok := runtime.SerializerInfoForMediaType(infos, runtime.ContentTypeProtobuf)
		if !ok || info.StreamSerializer == nil {
			t.Fatal("no protobuf stream serializer")
		}
		return info
	}
	return find(codecs.SupportedMediaTypes()), find(newLeanPodNegotiator(codecs, false).SupportedMediaTypes())
}

// envelope encodes obj as the apiserver sends it in protobuf.
func envelope(t testing.TB, info runtime.SerializerInfo, obj runtime.Object) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion)
	if err := enc.Encode(obj, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// watchFrame encodes a watch event frame (without its length) as the
// apiserver streams it.
func watchFrame(t testing.TB, info runtime.SerializerInfo, typ string, obj []byte) []byte {
	t.Helper()
	ev := &metav1.WatchEvent{Type: typ, Object: runtime.RawExtension{Raw: obj}}
	var buf bytes.Buffer
	if err := info.StreamSerializer.Serializer.Encode(ev, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLeanPodDecodesWhatStripPodKeeps: into a new pod or over an old one,
// the lean decoder gives what StripPod would keep of client-go's decode,
// and leaves out the bulk. (TestLeanDecodeKeepsWhatStripPodReads compares
// the two over every pod the tests know.)
func TestLeanPodDecodesWhatStripPodKeeps(t *testing.T) {
	std, lean := protobufInfo(t)
	pod := loadPod(t, "pod-webapp.yaml")
	if len(pod.ManagedFields) == 0 || len(pod.Spec.Volumes) == 0 || len(pod.Spec.InitContainers[1].Env) == 0 {
		t.Fatal("fixture has no managed fields, volumes or env to drop")
	}
	data := envelope(t, std, pod)
	want, _, err := std.Serializer.Decode(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The client's decoder clears the kind of what either serializer
	// returns (runtime.WithoutVersionDecoder); only the protobuf one sets it.
	want.(*corev1.Pod).TypeMeta = metav1.TypeMeta{}
	for _, into := range []runtime.Object{nil, &corev1.Pod{Spec: corev1.PodSpec{NodeName: "stale", Volumes: make([]corev1.Volume, 1)}}} {
		got, gvk, err := lean.Serializer.Decode(data, nil, into)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := StripPod(got.(*corev1.Pod)), StripPod(want.(*corev1.Pod)); !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			t.Errorf("into %T: StripPod of the lean decode differs from client-go's:\n%s\n%s", into, gj, wj)
		}
		p := got.(*corev1.Pod)
		if p.ManagedFields != nil || p.Spec.Volumes != nil || p.Spec.InitContainers[1].Env != nil || len(p.Annotations) != 1 {
			t.Errorf("into %T: the lean decode kept what StripPod drops", into)
		}
		if gvk == nil || *gvk != podGVK {
			t.Errorf("gvk %v, want %v", gvk, podGVK)
		}
	}
}

// Anything but a protobuf pod goes to client-go's decoder, and decodes as
// it would there.
func TestLeanPodDelegates(t *testing.T) {
	std, lean := protobufInfo(t)
	status := &metav1.Status{Status: metav1.StatusFailure, Code: 410, Reason: metav1.StatusReasonExpired, Message: "too old resource version"}
	event := loadEvent(t, "event-backoff.yaml")
	podList := &corev1.PodList{Items: []corev1.Pod{*loadPod(t, "pod-webapp.yaml")}}
	tests := []struct {
		name string
		data []byte
		into runtime.Object
	}{
		{"status", envelope(t, std, status), nil},
		{"event", envelope(t, std, event), nil},
		{"pod list", envelope(t, std, podList), nil},
		{"pod into an event", envelope(t, std, loadPod(t, "pod-webapp.yaml")), &corev1.Event{}},
		{"not protobuf", []byte(`{"kind":"Pod","apiVersion":"v1"}`), nil},
		{"truncated", envelope(t, std, loadPod(t, "pod-webapp.yaml"))[:40], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var into1, into2 runtime.Object
			if tt.into != nil {
				into1, into2 = tt.into.DeepCopyObject(), tt.into.DeepCopyObject()
			}
			want, _, wantErr := std.Serializer.Decode(tt.data, nil, into1)
			got, _, err := lean.Serializer.Decode(tt.data, nil, into2)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, client-go's %v", err, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestLeanWatchEventKeepsTheFrame(t *testing.T) {
	std, lean := protobufInfo(t)
	obj := envelope(t, std, loadPod(t, "pod-webapp.yaml"))
	for _, typ := range []string{"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR", "SOMETHING"} {
		frame := watchFrame(t, std, typ, obj)
		var ev metav1.WatchEvent
		got, _, err := lean.StreamSerializer.Serializer.Decode(frame, nil, &ev)
		if err != nil {
			t.Fatal(err)
		}
		if got != &ev || ev.Type != typ || !bytes.Equal(ev.Object.Raw, obj) {
			t.Fatalf("%s: got type %q, %d object bytes", typ, ev.Type, len(ev.Object.Raw))
		}
		// The object is read where it lies in the frame, not copied.
		start := len(frame) - len(obj)
		if &ev.Object.Raw[0] != &frame[start] {
			t.Errorf("%s: object copied out of the frame", typ)
		}
	}
}

func TestLeanWatchEventRefusesGarbage(t *testing.T) {
	_, lean := protobufInfo(t)
	var ev metav1.WatchEvent
	if _, _, err := lean.StreamSerializer.Serializer.Decode([]byte{0x0a, 0xff}, nil, &ev); err == nil {
		t.Error("a truncated frame decoded")
	}
}

// BenchmarkDecodePodWatchEvent decodes one pod watch event as the informer
// does (the frame, then its object), with client-go's protobuf serializers
// and with the lean ones.
func BenchmarkDecodePodWatchEvent(b *testing.B) {
	std, lean := protobufInfo(b)
	frame := watchFrame(b, std, "MODIFIED", envelope(b, std, loadPod(b, "pod-webapp.yaml")))
	for _, c := range []struct {
		name string
		info runtime.SerializerInfo
	}{{"client-go", std}, {"lean", lean}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				var ev metav1.WatchEvent
				if _, _, err := c.info.StreamSerializer.Serializer.Decode(frame, nil, &ev); err != nil {
					b.Fatal(err)
				}
				if _, _, err := c.info.Serializer.Decode(ev.Object.Raw, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPodWatchEventToCache runs what the pod informer does with each
// watch event before caching it: decode the frame, the pod in it, then the
// informer's transform (PackPod); "packing" is the pod stream's decoder,
// which packs as it decodes. "fixture" is kube/testdata's pod,
// "podgen" the eight kinds of pod bench/replay serves in turn (e2e/podgen's
// spread of init states, with managed fields as an apiserver stores them).
func BenchmarkPodWatchEventToCache(b *testing.B) {
	std, lean := protobufInfo(b)
	packing := packingInfo(b)
	spread := podgenPods(b)
	spread = spread[len(spread)-8:]
	sets := []struct {
		name string
		pods []*corev1.Pod
	}{{"fixture", []*corev1.Pod{loadPod(b, "pod-webapp.yaml")}}, {"podgen", spread}}
	for _, set := range sets {
		var frames [][]byte
		size := 0
		for _, pod := range set.pods {
			frames = append(frames, watchFrame(b, std, "MODIFIED", envelope(b, std, pod)))
			size += len(frames[len(frames)-1])
		}
		for _, c := range []struct {
			name string
			info runtime.SerializerInfo
		}{{"client-go", std}, {"lean", lean}, {"packing", packing}} {
			b.Run(set.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size / len(frames)))
				i := 0
				for b.Loop() {
					frame := frames[i%len(frames)]
					i++
					var ev metav1.WatchEvent
					if _, _, err := c.info.StreamSerializer.Serializer.Decode(frame, nil, &ev); err != nil {
						b.Fatal(err)
					}
					obj, _, err := c.info.Serializer.Decode(ev.Object.Raw, nil, nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := Transform(obj); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestLeanPodSharesEqualLists: pods whose containers, labels and owner
// references are the same bytes get one shared copy of each; a pod whose
// bytes differ gets its own.
func TestLeanPodSharesEqualLists(t *testing.T) {
	std, lean := protobufInfo(t)
	decode := func(pod *corev1.Pod) *corev1.Pod {
		t.Helper()
		got, _, err := lean.Serializer.Decode(envelope(t, std, pod), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got.(*corev1.Pod)
	}
	a := loadPod(t, "pod-webapp.yaml")
	b := a.DeepCopy()
	b.Name, b.UID = "webapp-2", "another-uid"
	b.Status.ContainerStatuses[0].RestartCount++
	c := a.DeepCopy()
	c.Spec.InitContainers[0].Image += "-next"
	c.Labels["pod-template-hash"] = "next"
	c.OwnerReferences[0].Name += "-next"
	da, db, dc := decode(a), decode(b), decode(c)
	if !sameSlice(da.Spec.InitContainers, db.Spec.InitContainers) || !sameSlice(da.Spec.Containers, db.Spec.Containers) ||
		!sameMap(da.Labels, db.Labels) || &da.OwnerReferences[0] != &db.OwnerReferences[0] {
		t.Error("equal lists not shared")
	}
	if sameSlice(da.Spec.InitContainers, dc.Spec.InitContainers) || !sameSlice(da.Spec.Containers, dc.Spec.Containers) ||
		sameMap(da.Labels, dc.Labels) || &da.OwnerReferences[0] == &dc.OwnerReferences[0] {
		t.Error("lists shared when they differ, or not shared when equal")
	}
	if dc.Spec.InitContainers[0].Image != c.Spec.InitContainers[0].Image || dc.Labels["pod-template-hash"] != "next" {
		t.Error("a pod got another pod's values")
	}
}

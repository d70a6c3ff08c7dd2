package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func tapPod(name string, target bool, restarts int32) *corev1.Pod {
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", ResourceVersion: "1"},
		Status: corev1.PodStatus{InitContainerStatuses: []corev1.ContainerStatus{
			{Name: "init", RestartCount: restarts},
		}},
	}
	if target {
		p.Labels = map[string]string{targetLabel: targetValue}
	}
	return p
}

// watchStream encodes events the way the apiserver writes a protobuf watch.
func watchStream(t *testing.T, events []metav1.WatchEvent) []byte {
	t.Helper()
	info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		t.Fatal("no protobuf serializer")
	}
	var out bytes.Buffer
	fw := info.StreamSerializer.Framer.NewFrameWriter(&out)
	for _, ev := range events {
		var frame bytes.Buffer
		if err := info.StreamSerializer.Serializer.Encode(&ev, &frame); err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(frame.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func podEvent(t *testing.T, typ string, pod *corev1.Pod) metav1.WatchEvent {
	t.Helper()
	info, _ := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	raw, err := runtime.Encode(scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion), pod)
	if err != nil {
		t.Fatal(err)
	}
	return metav1.WatchEvent{Type: typ, Object: runtime.RawExtension{Raw: raw}}
}

// TestTapForwardsAndDatesTargets puts the tap between a client-go watch and
// a server writing a protobuf watch stream in odd-sized pieces, plain and
// gzip-compressed with a flush per event (as the apiserver sends a watch
// list): the client must get every event unchanged, and the tap must date
// exactly the target pod's modification.
func TestTapForwardsAndDatesTargets(t *testing.T) {
	for _, compressed := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[compressed], func(t *testing.T) {
			testTap(t, compressed)
		})
	}
}

func testTap(t *testing.T, compressed bool) {
	stream := watchStream(t, []metav1.WatchEvent{
		podEvent(t, "MODIFIED", tapPod("other", false, 3)),
		podEvent(t, "ADDED", tapPod("target", true, 1)),
		podEvent(t, "MODIFIED", tapPod("target", true, 1007)),
		podEvent(t, "MODIFIED", tapPod("other", false, 4)),
	})
	upstream := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPodWatchOfAll(r) {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", runtime.ContentTypeProtobuf+";stream=watch")
		body := stream
		if compressed {
			if r.Header.Get("Accept-Encoding") != "gzip" {
				t.Errorf("Accept-Encoding %q reached the server, want gzip passed on", r.Header.Get("Accept-Encoding"))
			}
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			// A flush per event, as the apiserver's compressing writer
			// flushes a watch.
			for rest := stream; len(rest) > 0; {
				n := min(40, len(rest))
				_, _ = zw.Write(rest[:n])
				_ = zw.Flush()
				rest = rest[n:]
			}
			body = z.Bytes()
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.WriteHeader(http.StatusOK)
		// Pieces of 7 bytes cut frames and length prefixes anywhere.
		for rest := body; len(rest) > 0; {
			n := min(7, len(rest))
			_, _ = w.Write(rest[:n])
			w.(http.Flusher).Flush()
			rest = rest[n:]
		}
		<-r.Context().Done()
	}))
	upstream.EnableHTTP2 = true
	upstream.StartTLS()
	defer upstream.Close()

	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: upstream.Certificate().Raw})
	tap, err := startTap(&rest.Config{Host: upstream.URL, TLSClientConfig: rest.TLSClientConfig{CAData: ca}},
		filepath.Join(t.TempDir(), "tap.kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	defer tap.close()
	stamped := tap.seen.expect("target", 1007)

	cfg, err := clientcmd.BuildConfigFromFlags("", tap.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err := cs.CoreV1().Pods("").Watch(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var got []string
	for len(got) < 4 {
		select {
		case ev := <-w.ResultChan():
			pod := ev.Object.(*corev1.Pod)
			got = append(got, string(ev.Type)+" "+pod.Name+" "+string(rune('0'+pod.Status.InitContainerStatuses[0].RestartCount%10)))
		case <-ctx.Done():
			t.Fatalf("client got %d events through the tap: %v", len(got), got)
		}
	}
	want := []string{"MODIFIED other 3", "ADDED target 1", "MODIFIED target 7", "MODIFIED other 4"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d through the tap = %q, want %q", i, got[i], want[i])
		}
	}
	select {
	case st := <-stamped:
		if st.received.IsZero() || st.passed.Before(st.received) {
			t.Fatalf("stamp %+v: passed on before it was received", st)
		}
	case <-ctx.Done():
		t.Fatal("the tap never dated the target's modification")
	}
	tap.mu.Lock()
	early, streams := tap.seen.unclaimed(), tap.streams
	tap.mu.Unlock()
	if early != 0 {
		t.Errorf("the tap dated %d events nobody asked for; only the target's MODIFIED one counts", early)
	}
	if streams != 1 {
		t.Errorf("tap followed %d pod watches, want 1", streams)
	}
	if err := tap.problems(); err != nil {
		t.Fatal(err)
	}
}

func TestFrameReaderCutsFrames(t *testing.T) {
	var f frameReader
	var got []string
	each := func(b []byte) { got = append(got, string(b)) }
	f.add([]byte{0, 0, 0, 2, 'a'}, each)
	f.add([]byte{'b', 0, 0}, each)
	f.add([]byte{0, 0, 0, 0, 0, 1, 'c'}, each)
	want := []string{"ab", "", "c"}
	if len(got) != len(want) {
		t.Fatalf("frames %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("frames %q, want %q", got, want)
		}
	}
	if len(f.buf) != 0 {
		t.Fatalf("%d bytes left over", len(f.buf))
	}
}

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// watchTap stands between initwatch and the apiserver during the latency
// runs: a TLS reverse proxy that forwards every request and every byte of
// every answer unchanged, flushing as the apiserver writes. In initwatch's
// watch of pods it notes when each event about a latency target passed on
// to initwatch. A bare watch in the driver is a different connection, which
// the apiserver may serve sooner or later than initwatch's; the tap dates
// the event on initwatch's own connection, so the span from there to the
// screen is initwatch's alone, and the span before it the apiserver's.
type watchTap struct {
	srv        *httptest.Server
	upstream   string
	rt         http.RoundTripper
	kubeconfig string

	// seen holds the stamps of the targets' changes.
	seen arrivals[tapStamp]

	mu sync.Mutex
	// streams counts the pod watches of all namespaces the tap followed;
	// more than one means initwatch's watch was started again.
	streams int
	errs    []string
}

// tapStamp dates one event on initwatch's connection: received is when the
// read from the apiserver that completed it returned, passed when those
// bytes had been written and flushed to initwatch.
type tapStamp struct {
	received, passed time.Time
}

// startTap starts a tap in front of the apiserver cfg reaches, with cfg's
// credentials, and writes a kubeconfig for it (no credentials: the tap
// authenticates upstream) to kubeconfigPath.
func startTap(cfg *rest.Config, kubeconfigPath string) (*watchTap, error) {
	// A dialer of its own keeps client-go from handing the tap the cached
	// transport, whose HTTP/2 connection the write load also uses:
	// initwatch's watch would queue behind a thousand writes a second.
	cfg = rest.CopyConfig(cfg)
	cfg.Dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("tap: upstream transport: %w", err)
	}
	t := &watchTap{
		upstream: strings.TrimSuffix(cfg.Host, "/"),
		rt:       rt,
	}
	t.srv = httptest.NewUnstartedServer(http.HandlerFunc(t.serve))
	t.srv.EnableHTTP2 = true
	t.srv.StartTLS()
	if err := t.writeKubeconfig(kubeconfigPath); err != nil {
		t.srv.Close()
		return nil, err
	}
	t.kubeconfig = kubeconfigPath
	return t, nil
}

func (t *watchTap) close() { t.srv.Close() }

func (t *watchTap) writeKubeconfig(path string) error {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: t.srv.Certificate().Raw})
	kc := clientcmdapi.NewConfig()
	kc.Clusters["tap"] = &clientcmdapi.Cluster{Server: t.srv.URL, CertificateAuthorityData: ca}
	kc.AuthInfos["tap"] = &clientcmdapi.AuthInfo{}
	kc.Contexts["tap"] = &clientcmdapi.Context{Cluster: "tap", AuthInfo: "tap"}
	kc.CurrentContext = "tap"
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return fmt.Errorf("tap: write kubeconfig %s: %w", path, err)
	}
	return nil
}

// hopHeaders are connection-level headers a proxy does not pass on.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Te": true,
	"Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

func (t *watchTap) serve(w http.ResponseWriter, r *http.Request) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, t.upstream+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, vs := range r.Header {
		if !hopHeaders[k] {
			out.Header[k] = vs
		}
	}
	// Passing Accept-Encoding on keeps the transport from decompressing:
	// initwatch gets the apiserver's bytes, compressed or not, as without
	// the tap.
	resp, err := t.rt.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		if !hopHeaders[k] {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)

	// stream gets the bytes of initwatch's watch of all pods.
	var stream func(p []byte, st tapStamp)
	if isPodWatchOfAll(r) && resp.StatusCode == http.StatusOK {
		ct := resp.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, runtime.ContentTypeProtobuf) {
			t.fail(fmt.Sprintf("initwatch's pod watch answered %q, not protobuf: the tap cannot read it", ct))
		} else {
			t.mu.Lock()
			t.streams++
			t.mu.Unlock()
			frames := &frameReader{}
			if resp.Header.Get("Content-Encoding") == "gzip" {
				// The apiserver compresses a watch list (sendInitialEvents)
				// for clients that accept gzip, for the whole stream.
				chunks := make(chan stampedChunk, 4096)
				defer close(chunks)
				go t.gunzip(chunks, frames)
				stream = func(p []byte, st tapStamp) { chunks <- stampedChunk{bytes.Clone(p), st} }
			} else {
				stream = func(p []byte, st tapStamp) {
					frames.add(p, func(frame []byte) { t.look(frame, st) })
				}
			}
		}
	}
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 64<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		received := time.Now()
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
			if stream != nil {
				stream(buf[:n], tapStamp{received: received, passed: time.Now()})
			}
		}
		if rerr != nil {
			return
		}
	}
}

// stampedChunk is a piece of a compressed stream and when it passed.
type stampedChunk struct {
	b  []byte
	st tapStamp
}

// gunzip decompresses a watch stream as its chunks pass and dates each
// frame by the chunk that held the last compressed byte it needed. The
// decompressor reads byte by byte through chunkReader (a flate.Reader gets
// no read-ahead buffer), so that chunk is the current one when the frame
// comes out.
func (t *watchTap) gunzip(chunks <-chan stampedChunk, frames *frameReader) {
	cr := &chunkReader{chunks: chunks}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			t.fail(fmt.Sprintf("tap: gzip watch stream: %v", err))
		}
		return
	}
	out := make([]byte, 64<<10)
	for {
		n, err := zr.Read(out)
		if n > 0 {
			frames.add(out[:n], func(frame []byte) { t.look(frame, cr.cur.st) })
		}
		if err != nil {
			// The stream ends mid-member when a watch is cut off; any
			// other error means the tap misread it.
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.fail(fmt.Sprintf("tap: gzip watch stream: %v", err))
			}
			for range chunks {
			}
			return
		}
	}
}

// chunkReader reads the chunks of a stream in order, as an io.ByteReader.
type chunkReader struct {
	chunks <-chan stampedChunk
	cur    stampedChunk
	pos    int
}

func (c *chunkReader) next() bool {
	for c.pos >= len(c.cur.b) {
		ch, ok := <-c.chunks
		if !ok {
			return false
		}
		c.cur, c.pos = ch, 0
	}
	return true
}

func (c *chunkReader) ReadByte() (byte, error) {
	if !c.next() {
		return 0, io.EOF
	}
	b := c.cur.b[c.pos]
	c.pos++
	return b, nil
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !c.next() {
		return 0, io.EOF
	}
	n := copy(p, c.cur.b[c.pos:])
	c.pos += n
	return n, nil
}

// isPodWatchOfAll reports whether r is a watch of pods in all namespaces.
func isPodWatchOfAll(r *http.Request) bool {
	return r.URL.Path == "/api/v1/pods" && r.URL.Query().Get("watch") == "true"
}

// look decodes a frame that may concern a latency target and stamps it.
func (t *watchTap) look(frame []byte, st tapStamp) {
	// Only target pods carry the label; most frames are skipped unread.
	if !bytes.Contains(frame, []byte(targetLabel)) {
		return
	}
	pod, typ, err := decodeWatchFrame(frame)
	if err != nil {
		t.fail(err.Error())
		return
	}
	if pod == nil || typ != "MODIFIED" || pod.Labels[targetLabel] != targetValue || len(pod.Status.InitContainerStatuses) == 0 {
		return
	}
	t.seen.saw(pod.Name, pod.Status.InitContainerStatuses[0].RestartCount, st)
}

// decodeWatchFrame reads one protobuf watch frame as client-go does: a raw
// metav1.WatchEvent whose object is an encoded Pod.
func decodeWatchFrame(frame []byte) (*corev1.Pod, string, error) {
	info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok || info.StreamSerializer == nil {
		return nil, "", fmt.Errorf("tap: no protobuf stream serializer")
	}
	var ev metav1.WatchEvent
	if _, _, err := info.StreamSerializer.Serializer.Decode(frame, nil, &ev); err != nil {
		return nil, "", fmt.Errorf("tap: decode watch event: %w", err)
	}
	obj, err := runtime.Decode(scheme.Codecs.UniversalDeserializer(), ev.Object.Raw)
	if err != nil {
		return nil, "", fmt.Errorf("tap: decode %s event object: %w", ev.Type, err)
	}
	pod, _ := obj.(*corev1.Pod)
	return pod, ev.Type, nil
}

func (t *watchTap) fail(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.errs) < 5 {
		t.errs = append(t.errs, msg)
	}
}

// problems says what went wrong in the tap, if anything.
func (t *watchTap) problems() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.errs) > 0 {
		return fmt.Errorf("%s", strings.Join(t.errs, "; "))
	}
	return nil
}

// frameReader cuts the protobuf watch stream into frames: each is a 4-byte
// big-endian length, then that many bytes.
type frameReader struct {
	buf []byte
}

// add appends p and calls each with every frame it completed; a frame is
// valid only during the call.
func (f *frameReader) add(p []byte, each func(frame []byte)) {
	f.buf = append(f.buf, p...)
	off := 0
	for len(f.buf)-off >= 4 {
		n := int(binary.BigEndian.Uint32(f.buf[off:]))
		if len(f.buf)-off-4 < n {
			break
		}
		each(f.buf[off+4 : off+4+n])
		off += 4 + n
	}
	if off > 0 {
		// Keep the partial frame at the front.
		rest := copy(f.buf, f.buf[off:])
		f.buf = f.buf[:rest]
	}
}

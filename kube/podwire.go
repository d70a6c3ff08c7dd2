package kube

import (
	"bytes"
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
// decodes the pod's managed fields, which the apiserver sends with every
// version and which are often more than half of its bytes: garbage the
// collector must then chase. leanPodSerializer decodes protobuf pods
// straight from the frame the watch read, without those copies and without
// the managed fields (kubectl hides them by default too; initwatch never
// shows them). Everything else (JSON, other kinds, errors) goes through
// client-go's serializers unchanged.

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
	objectMetaManagedField = 17
)

// leanPodNegotiator wraps a client's NegotiatedSerializer so that its
// protobuf decoders are the lean ones.
type leanPodNegotiator struct {
	runtime.NegotiatedSerializer
	infos []runtime.SerializerInfo
}

func newLeanPodNegotiator(inner runtime.NegotiatedSerializer) *leanPodNegotiator {
	infos := slices.Clone(inner.SupportedMediaTypes())
	for i := range infos {
		if infos[i].MediaType != runtime.ContentTypeProtobuf {
			continue
		}
		infos[i].Serializer = leanPodSerializer{infos[i].Serializer}
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
type leanPodSerializer struct{ runtime.Serializer }

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
	if pod == nil {
		pod = &corev1.Pod{}
	} else {
		pod.Reset()
	}
	buf := wireBuffers.Get().(*[]byte)
	defer wireBuffers.Put(buf)
	var err error
	*buf, err = appendWithoutManagedFields((*buf)[:0], raw)
	if err == nil {
		err = pod.Unmarshal(*buf)
	}
	if err != nil {
		return nil, nil, err
	}
	gvk := podGVK
	return pod, &gvk, nil
}

// wireBuffers hold a pod's bytes without its managed fields while it is
// decoded (the decoded pod copies what it keeps).
var wireBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

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

// appendWithoutManagedFields appends pod (a Pod message) to dst with the
// managedFields of its metadata left out.
func appendWithoutManagedFields(dst, pod []byte) ([]byte, error) {
	for len(pod) > 0 {
		num, typ, n := protowire.ConsumeTag(pod)
		if n < 0 {
			return dst, protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, pod[n:])
		if m < 0 {
			return dst, protowire.ParseError(m)
		}
		if num != podMetadata || typ != protowire.BytesType {
			dst = append(dst, pod[:n+m]...)
			pod = pod[n+m:]
			continue
		}
		meta, _ := protowire.ConsumeBytes(pod[n:])
		kept := 0
		err := eachRawField(meta, func(num protowire.Number, field []byte) error {
			if num != objectMetaManagedField {
				kept += len(field)
			}
			return nil
		})
		if err != nil {
			return dst, err
		}
		dst = protowire.AppendTag(dst, podMetadata, protowire.BytesType)
		dst = protowire.AppendVarint(dst, uint64(kept))
		_ = eachRawField(meta, func(num protowire.Number, field []byte) error {
			if num != objectMetaManagedField {
				dst = append(dst, field...)
			}
			return nil
		})
		pod = pod[n+m:]
	}
	return dst, nil
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

// eachRawField calls fn with every field of msg as it is on the wire (tag
// included).
func eachRawField(msg []byte, fn func(protowire.Number, []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, msg[n:])
		if m < 0 {
			return protowire.ParseError(m)
		}
		if err := fn(num, msg[:n+m]); err != nil {
			return err
		}
		msg = msg[n+m:]
	}
	return nil
}

// newClientset builds the typed clientset for cfg with lean pod decoding:
// its CoreV1().Pods() decode through leanPodNegotiator; every other
// resource is client-go's. Both share one HTTP client (one connection) and
// one rate limiter, as the clientset's groups do.
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
	pc.NegotiatedSerializer = newLeanPodNegotiator(rest.CodecFactoryForGeneratedClient(scheme.Scheme, scheme.Codecs).WithoutConversion())
	if pc.UserAgent == "" {
		pc.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	rc, err := rest.RESTClientForConfigAndClient(pc, hc)
	if err != nil {
		return nil, err
	}
	return leanClientset{Clientset: cs, core: leanCore{CoreV1Interface: cs.CoreV1(), pods: corev1client.New(rc)}}, nil
}

// leanClientset is a clientset whose CoreV1 pods decode leanly.
type leanClientset struct {
	*kubernetes.Clientset
	core corev1client.CoreV1Interface
}

func (c leanClientset) CoreV1() corev1client.CoreV1Interface { return c.core }

type leanCore struct {
	corev1client.CoreV1Interface
	pods *corev1client.CoreV1Client
}

func (c leanCore) Pods(namespace string) corev1client.PodInterface { return c.pods.Pods(namespace) }

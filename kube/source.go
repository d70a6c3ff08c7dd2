// Package kube connects initwatch to a cluster with client-go.
//
// It resolves configuration exactly as kubectl does (ConfigFlags, on top of
// clientcmd; the default scope is all namespaces), runs shared informers for
// Pods and Events (trimmed by a transform so 10,000 pods cost little memory),
// coalesces watch notifications into at most one Batch per frame, and streams
// container logs. The TUI sees the cluster only through the interfaces here,
// so tests and the demo feed it the same way.
//
// It only ever gets, lists and watches. When RBAC refuses the cluster scope it
// falls back to the namespaces the user may read and says which it may not
// (ConnState); Explain turns any error into one line for the user.
package kube

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/metadata"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// ConnPhase is the health of the watch connection, shown in the header.
type ConnPhase string

const (
	ConnConnecting   ConnPhase = "connecting"   // before the first successful list
	ConnLive         ConnPhase = "live"         // watches healthy
	ConnReconnecting ConnPhase = "reconnecting" // a list or watch failed; client-go is retrying
	ConnForbidden    ConnPhase = "forbidden"    // RBAC refused some or all scopes
	// ConnUnreachable is one of several clusters that could not be watched
	// at all (down, refused credentials, nothing allowed); MultiSource
	// retries it. A single cluster in that state fails instead.
	ConnUnreachable ConnPhase = "unreachable"
)

// ConnState describes the connection; Forbidden lists the namespaces (or
// "" for cluster scope) the user may not list or watch pods in.
type ConnState struct {
	Phase     ConnPhase `json:"phase"`
	Forbidden []string  `json:"forbidden,omitempty"`
	Err       string    `json:"err,omitempty"` // one line, for the header
	Since     time.Time `json:"since"`
	// EventsForbidden lists the scopes (as Forbidden does) where pods are
	// visible but their events may not be listed; it does not change Phase.
	EventsForbidden []string `json:"eventsForbidden,omitempty"`
}

// PodKey names a pod. Context is the kubeconfig context it was read from
// when several clusters are watched ("" for one cluster, as
// model.ContextOf), so the same namespace/name in two clusters is two pods.
type PodKey struct {
	Context   string
	Namespace string
	Name      string
}

// KeyOf returns the key of pod, its context included.
func KeyOf(pod *corev1.Pod) PodKey {
	return PodKey{Context: model.ContextOf(pod), Namespace: pod.Namespace, Name: pod.Name}
}

// Key is the key of the pod p packs (KeyOf of its Pod).
func (p *PackedPod) Key() PodKey {
	return PodKey{Context: p.Annotations[model.ContextAnnotation], Namespace: p.Namespace, Name: p.Name}
}

// Pods returns the batch's added or changed pods as API pods: Upserted,
// then Packed unpacked (built anew: read-only, as Upserted).
func (b *Batch) Pods() []*corev1.Pod {
	if len(b.Packed) == 0 {
		return b.Upserted
	}
	out := make([]*corev1.Pod, 0, len(b.Upserted)+len(b.Packed))
	out = append(out, b.Upserted...)
	for _, p := range b.Packed {
		out = append(out, p.Pod())
	}
	return out
}

// Batch is everything that changed since the previous batch. A source sends
// at most one Batch per coalescing interval (a frame), however many watch
// notifications arrived. Pods and Events are the latest versions; later
// entries win over earlier ones within the same batch. The objects are shared
// with the informer caches and must be treated as read-only.
type Batch struct {
	// Upserted and Packed are the pods added or changed: a source sends
	// them Packed, as its informers keep them; Upserted is for feeds that
	// have API pods at hand (the demo, tests). Pods returns both as API
	// pods.
	Upserted      []*corev1.Pod
	Packed        []*PackedPod
	Removed       []PodKey
	Events        []*corev1.Event
	RemovedEvents []*corev1.Event
	// Synced is true in the first batch sent after every informer (owner
	// informers included) has completed its initial list (and in every batch after that).
	Synced bool
	// Conn is set when the connection state changed since the last batch.
	Conn *ConnState
	// Context names the cluster (kubeconfig context) the batch is from
	// when several are watched, "" for one cluster. Synced and Conn are
	// that cluster's; every pod and key of the batch carries it too.
	Context string

	// Owners are the owner objects (Deployments, ReplicaSets, ...) added or
	// changed, for rollout.Owners.Upsert, when Options.WithOwners is set;
	// OwnersRemoved names the ones deleted. Read-only, like the pods.
	Owners        []metav1.Object
	OwnersRemoved []rollout.OwnerKey
	// OwnerAccess is set when which owner kinds may be read changed (and in
	// the first batch once owners are watched): the kinds RBAC refuses,
	// which the summary then resolves from the pods.
	OwnerAccess *rollout.Access
}

// PodSource delivers the pods and events of a scope.
//
// Run blocks until ctx is cancelled or a fatal error (e.g. no permission to
// list pods anywhere) stops it; it sends on out and never closes it. It is the
// only owner of its goroutines and stops them all before returning.
type PodSource interface {
	Run(ctx context.Context, out chan<- Batch) error
}

// LogRequest selects a container's log stream.
type LogRequest struct {
	// Context is the pod's cluster when several are watched
	// (model.ContextOf); ContextLogs routes on it.
	Context   string
	Namespace string
	Pod       string
	Container string
	Previous  bool       // the last terminated run (kubectl logs -p)
	TailLines *int64     // initial tail
	SinceTime *time.Time // resume point after a reconnect
	Follow    bool
}

// LogLine is one line of a container's log, with the kubelet's timestamp
// (requested with timestamps=true and split off the line).
type LogLine struct {
	Time time.Time
	Text string
	// Cut counts bytes dropped from the end of an over-long line.
	Cut int `json:"cut,omitempty"`
	// Skipped, when non-zero, marks a gap instead of a line: that many
	// lines were dropped because the consumer could not keep up.
	Skipped int `json:"skipped,omitempty"`
}

// LogSource opens container log streams. Stream returns a channel that is
// closed when the stream ends (cleanly or not) or ctx is cancelled; the error
// channel receives at most one error before the line channel closes.
type LogSource interface {
	Stream(ctx context.Context, req LogRequest) (<-chan []LogLine, <-chan error, error)
}

// Options select what an informer-backed PodSource watches.
//
// NewInformerSource(client kubernetes.Interface, opts Options) PodSource is the
// constructor the CLI, the demo and the tests use (see informers.go).
type Options struct {
	// Namespaces to watch; empty means all namespaces (kubectl -A).
	Namespaces    []string
	LabelSelector string // kubectl -l
	FieldSelector string // kubectl --field-selector
	// Interval is the coalescing window: at most one Batch per Interval.
	// Zero means DefaultInterval.
	Interval time.Duration
	// WithEvents also watches core/v1 Events of the same scope: every
	// event about a pod, kept in memory.
	WithEvents bool
	// FocusedEvents watches the events of one pod at a time instead, the
	// pod named by FocusEvents (the source is an EventFocuser): memory for
	// what the pod detail shows only (podevents.go). It takes precedence
	// over WithEvents.
	FocusedEvents bool
	// FallbackNamespaces are tried when all namespaces were asked for but
	// the user may list neither pods cluster-wide nor namespaces: the
	// kubeconfig context's namespace, then those of the other contexts for
	// the same cluster and user (ConfigFlags.FallbackNamespaces).
	FallbackNamespaces []string
	// Context, when set, names the kubeconfig context this source watches
	// as one of several: it is stamped on initwatch's in-memory copy of
	// every pod and event (model.ContextAnnotation, never written to the
	// cluster), on every key and on every Batch.
	Context string
	// WithOwners also watches, in the same scopes, the pods' owners the
	// rollout summary reads (Deployments, ReplicaSets, StatefulSets,
	// DaemonSets, Jobs, CronJobs), whatever the label selector: a selector
	// picks pods, not their controllers. A kind RBAC refuses is reported in
	// Batch.OwnerAccess and skipped, never an error.
	WithOwners bool
	// Metadata, when set, reads the owners of which only metadata is needed
	// (ReplicaSets, CronJobs) through metadata-only informers; without it
	// they are read typed and trimmed to metadata in the transform.
	Metadata metadata.Interface
}

// DefaultInterval is one frame at 60 Hz.
const DefaultInterval = 16 * time.Millisecond

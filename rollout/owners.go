package rollout

import (
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
)

// Labels and annotations the controllers set and resolution reads.
const (
	// RevisionAnnotation is the Deployment controller's revision number on a
	// ReplicaSet (and on the Deployment, for its newest one).
	RevisionAnnotation = "deployment.kubernetes.io/revision"
	// DesiredReplicasAnnotation is the Deployment's desired replicas, copied
	// by its controller onto every ReplicaSet it owns.
	DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	// PodTemplateHashLabel is on a Deployment's ReplicaSets and their pods;
	// a ReplicaSet is named "<deployment>-<hash>".
	PodTemplateHashLabel = appsv1.DefaultDeploymentUniqueLabelKey
	// ControllerRevisionHashLabel names, on a StatefulSet's or DaemonSet's
	// pod, the ControllerRevision it was created from.
	ControllerRevisionHashLabel = appsv1.ControllerRevisionHashLabelKey
)

// Owners is what the summary knows of the pods' owners: the objects kube/'s
// owner informers delivered, and which kinds could not be read (Access).
//
// It accepts, through Upsert:
//   - *appsv1.Deployment, *appsv1.StatefulSet, *appsv1.DaemonSet and
//     *batchv1.Job, typed because the summary reads their spec and status;
//   - *metav1.PartialObjectMetadata with Kind ReplicaSet or CronJob (from a
//     metadata-only informer: owner, labels and annotations are all the
//     summary needs of them), or a typed *appsv1.ReplicaSet or
//     *batchv1.CronJob.
//
// Objects are kept as given (shared with the informer caches) and must be
// treated as read-only. An Owners is not safe for concurrent use; it belongs
// to one loop (the TUI's Update, the CLI's printer). The zero value is not
// usable; call NewOwners. A nil *Owners is valid to read: it knows nothing,
// and resolution falls back to what pods say.
type Owners struct {
	objects map[OwnerKey]metav1.Object
	access  Access
	// gen counts changes, so a summary can tell a stale cache.
	gen uint64
}

// NewOwners returns an empty store.
func NewOwners() *Owners {
	return &Owners{objects: make(map[OwnerKey]metav1.Object)}
}

// KeyOf returns the OwnerKey of obj and whether obj is a kind Owners keeps.
func KeyOf(obj metav1.Object) (OwnerKey, bool) {
	kind := kindOf(obj)
	if kind == "" {
		return OwnerKey{}, false
	}
	return OwnerKey{
		Context:   obj.GetAnnotations()[model.ContextAnnotation],
		Kind:      kind,
		Namespace: obj.GetNamespace(),
		Name:      obj.GetName(),
	}, true
}

func kindOf(obj metav1.Object) string {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return KindDeployment
	case *appsv1.ReplicaSet:
		return KindReplicaSet
	case *appsv1.StatefulSet:
		return KindStatefulSet
	case *appsv1.DaemonSet:
		return KindDaemonSet
	case *batchv1.Job:
		return KindJob
	case *batchv1.CronJob:
		return KindCronJob
	case *metav1.PartialObjectMetadata:
		switch o.Kind {
		case KindReplicaSet, KindCronJob, KindDeployment, KindStatefulSet, KindDaemonSet, KindJob:
			return o.Kind
		}
	}
	return ""
}

// Upsert adds or replaces obj; objects of other kinds are ignored.
func (o *Owners) Upsert(obj metav1.Object) {
	key, ok := KeyOf(obj)
	if !ok {
		return
	}
	o.objects[key] = obj
	o.gen++
}

// Remove forgets the object named by key.
func (o *Owners) Remove(key OwnerKey) {
	if _, ok := o.objects[key]; ok {
		delete(o.objects, key)
		o.gen++
	}
}

// SetAccess records which kinds could be read.
func (o *Owners) SetAccess(a Access) {
	o.access = a
	o.gen++
}

// Access returns what SetAccess recorded.
func (o *Owners) Access() Access {
	if o == nil {
		return Access{}
	}
	return o.access
}

// Len is the number of objects held.
func (o *Owners) Len() int {
	if o == nil {
		return 0
	}
	return len(o.objects)
}

// Generation changes whenever the store does.
func (o *Owners) Generation() uint64 {
	if o == nil {
		return 0
	}
	return o.gen
}

// Get returns the object named by key.
func (o *Owners) Get(key OwnerKey) (metav1.Object, bool) {
	if o == nil {
		return nil, false
	}
	obj, ok := o.objects[key]
	return obj, ok
}

// Each calls fn for every object of kind (all kinds when kind is "").
func (o *Owners) Each(kind string, fn func(OwnerKey, metav1.Object)) {
	if o == nil {
		return
	}
	for k, obj := range o.objects {
		if kind == "" || k.Kind == kind {
			fn(k, obj)
		}
	}
}

// Access says which owner kinds initwatch may not read, and where. The
// summary then resolves those owners from the pods alone, and every view
// states it (Access.Lines).
type Access struct {
	Refused []Refusal `json:"refused,omitempty"`
}

// Refusal is one kind the apiserver refused to list or watch in one scope.
type Refusal struct {
	Context   string `json:"context,omitempty"`
	Kind      string `json:"kind"`                // "Deployment", "ReplicaSet", ...
	Namespace string `json:"namespace,omitempty"` // "" for the cluster scope
	Reason    string `json:"reason,omitempty"`    // one line, e.g. "forbidden"
}

// Refuses reports whether kind is refused in namespace ns of context ctx.
func (a Access) Refuses(ctx, kind, ns string) bool {
	for _, r := range a.Refused {
		if r.Context == ctx && r.Kind == kind && (r.Namespace == "" || r.Namespace == ns) {
			return true
		}
	}
	return false
}

// Lines states the refusals for a header or the CLI, one line per kind and
// scope, sorted: "cannot read ReplicaSets in all namespaces (forbidden):
// revisions from pods' pod-template-hash".
func (a Access) Lines() []string {
	lines := make([]string, 0, len(a.Refused))
	for _, r := range a.Refused {
		var b strings.Builder
		if r.Context != "" {
			b.WriteString(r.Context + ": ")
		}
		b.WriteString("cannot read " + r.Kind + "s in ")
		if r.Namespace == "" {
			b.WriteString("all namespaces")
		} else {
			b.WriteString("namespace " + r.Namespace)
		}
		if r.Reason != "" {
			b.WriteString(" (" + model.Sanitize(r.Reason) + ")")
		}
		b.WriteString(": " + fallbackOf(r.Kind))
		lines = append(lines, b.String())
	}
	sort.Strings(lines)
	return lines
}

// fallbackOf says what the summary does without kind.
func fallbackOf(kind string) string {
	switch kind {
	case KindReplicaSet:
		return "Deployments and revisions inferred from pods' ownerReferences and pod-template-hash"
	case KindDeployment, KindStatefulSet, KindDaemonSet:
		return "desired replicas unknown, counts from pods"
	case KindJob:
		return "CronJobs not resolved, completions from pods"
	case KindCronJob:
		return "Jobs shown as their own workloads"
	}
	return "resolved from pods"
}

// revisionOf parses the revision annotation; 0 when absent or malformed.
func revisionOf(obj metav1.Object) int64 {
	n, err := strconv.ParseInt(obj.GetAnnotations()[RevisionAnnotation], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// controllerOf returns obj's controller reference (or its first owner when
// none is marked controller, as ownerOf in model/ does).
func controllerOf(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if c := refs[i].Controller; c != nil && *c {
			return &refs[i]
		}
	}
	if len(refs) > 0 {
		return &refs[0]
	}
	return nil
}

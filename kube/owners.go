package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"

	"github.com/initwatch/initwatch/rollout"
)

// ownerKind is one kind of owner the rollout summary reads.
type ownerKind struct {
	kind string
	gvr  schema.GroupVersionResource
	// metadataOnly kinds need no spec or status: a metadata-only informer
	// (owner references, labels, annotations) is enough.
	metadataOnly bool
}

// ownerKinds lists the owners watched with Options.WithOwners. Deployments,
// StatefulSets, DaemonSets and Jobs are typed because the summary reads
// their desired replicas and status; ReplicaSets and CronJobs are only
// links in the chain from a pod to its workload.
var ownerKinds = []ownerKind{
	{kind: rollout.KindDeployment, gvr: appsv1.SchemeGroupVersion.WithResource("deployments")},
	{kind: rollout.KindReplicaSet, gvr: appsv1.SchemeGroupVersion.WithResource("replicasets"), metadataOnly: true},
	{kind: rollout.KindStatefulSet, gvr: appsv1.SchemeGroupVersion.WithResource("statefulsets")},
	{kind: rollout.KindDaemonSet, gvr: appsv1.SchemeGroupVersion.WithResource("daemonsets")},
	{kind: rollout.KindJob, gvr: batchv1.SchemeGroupVersion.WithResource("jobs")},
	{kind: rollout.KindCronJob, gvr: batchv1.SchemeGroupVersion.WithResource("cronjobs"), metadataOnly: true},
}

// watchOwners probes every owner kind in every pod scope with a one-item
// list (read-only, like the pod probes), then starts the informers of the
// kinds allowed on the scopes' factories (factories[i] is scopes[i]'s). A
// refused kind is published in Batch.OwnerAccess and not watched; any
// other probe error is left to its informer to retry.
func (s *informerSource) watchOwners(ctx context.Context, scopes []string, factories []informers.SharedInformerFactory,
	co *coalescer) ([]metadatainformer.SharedInformerFactory, []cache.InformerSynced, error) {
	access := newOwnerAccess(co.setAccess)
	type probe struct {
		kind ownerKind
		ns   string
	}
	var probes []probe
	for _, ns := range scopes {
		for _, k := range ownerKinds {
			probes = append(probes, probe{k, ns})
		}
	}
	errs := probeAll(ctx, probes, func(ctx context.Context, pr probe) error {
		return s.probeOwner(ctx, pr.kind, pr.ns)
	})
	allowed := make(map[string][]ownerKind, len(scopes))
	for i, pr := range probes {
		switch err := errs[i]; {
		case apierrors.IsForbidden(err):
			access.refuse(pr.kind.kind, pr.ns, "forbidden")
		case apierrors.IsNotFound(err):
			access.refuse(pr.kind.kind, pr.ns, "not served by this cluster")
		default:
			allowed[pr.ns] = append(allowed[pr.ns], pr.kind)
		}
	}
	access.start()
	var metas []metadatainformer.SharedInformerFactory
	var synced []cache.InformerSynced
	for i, ns := range scopes {
		mf, more, err := s.startOwners(factories[i], ns, allowed[ns], co, access)
		if mf != nil {
			metas = append(metas, mf)
		}
		if err != nil {
			return metas, nil, err
		}
		synced = append(synced, more...)
		factories[i].Start(ctx.Done())
		if mf != nil {
			mf.Start(ctx.Done())
		}
	}
	return metas, synced, nil
}

func (s *informerSource) probeOwner(ctx context.Context, k ownerKind, ns string) error {
	opts := metav1.ListOptions{Limit: 1}
	var err error
	switch k.kind {
	case rollout.KindDeployment:
		_, err = s.client.AppsV1().Deployments(ns).List(ctx, opts)
	case rollout.KindReplicaSet:
		_, err = s.client.AppsV1().ReplicaSets(ns).List(ctx, opts)
	case rollout.KindStatefulSet:
		_, err = s.client.AppsV1().StatefulSets(ns).List(ctx, opts)
	case rollout.KindDaemonSet:
		_, err = s.client.AppsV1().DaemonSets(ns).List(ctx, opts)
	case rollout.KindJob:
		_, err = s.client.BatchV1().Jobs(ns).List(ctx, opts)
	case rollout.KindCronJob:
		_, err = s.client.BatchV1().CronJobs(ns).List(ctx, opts)
	}
	return err
}

// typedOwnerInformer returns the factory's informer for k.
func typedOwnerInformer(f informers.SharedInformerFactory, k ownerKind) cache.SharedIndexInformer {
	switch k.kind {
	case rollout.KindDeployment:
		return f.Apps().V1().Deployments().Informer()
	case rollout.KindReplicaSet:
		return f.Apps().V1().ReplicaSets().Informer()
	case rollout.KindStatefulSet:
		return f.Apps().V1().StatefulSets().Informer()
	case rollout.KindDaemonSet:
		return f.Apps().V1().DaemonSets().Informer()
	case rollout.KindJob:
		return f.Batch().V1().Jobs().Informer()
	case rollout.KindCronJob:
		return f.Batch().V1().CronJobs().Informer()
	}
	panic(fmt.Sprintf("kube: no informer for owner kind %q", k.kind))
}

// startOwners registers the owner informers of scope ns: typed ones on the
// scope's factory f (started with it), metadata-only ones on a factory of
// their own, returned to be started and shut down with the others.
func (s *informerSource) startOwners(f informers.SharedInformerFactory, ns string, kinds []ownerKind,
	co *coalescer, access *ownerAccess) (metadatainformer.SharedInformerFactory, []cache.InformerSynced, error) {
	var mf metadatainformer.SharedInformerFactory
	var synced []cache.InformerSynced
	for _, k := range kinds {
		var inf cache.SharedIndexInformer
		if k.metadataOnly && s.opts.Metadata != nil {
			if mf == nil {
				mf = newMetadataFactory(s.opts.Metadata, ns)
			}
			inf = mf.ForResource(k.gvr).Informer()
			if err := inf.SetTransform(metadataTransform(k.kind)); err != nil {
				return mf, nil, fmt.Errorf("watch %s in %s: %w", k.gvr.Resource, scopeName(ns), err)
			}
		} else {
			inf = typedOwnerInformer(f, k)
		}
		err := inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, _ *cache.Reflector, err error) {
			// Access revoked after the probe: say so and stop waiting for
			// a list that will not come. Other errors are the pods'
			// informers' to report; client-go retries them all.
			if ctx.Err() == nil && apierrors.IsForbidden(err) {
				access.refuse(k.kind, ns, "forbidden")
			}
		})
		if err != nil {
			return mf, nil, fmt.Errorf("watch %s in %s: %w", k.gvr.Resource, scopeName(ns), err)
		}
		reg, err := inf.AddEventHandler(ownerHandler{co: co, kind: k.kind})
		if err != nil {
			return mf, nil, fmt.Errorf("watch %s in %s: %w", k.gvr.Resource, scopeName(ns), err)
		}
		synced = append(synced, func() bool { return reg.HasSynced() || access.refuses(k.kind, ns) })
	}
	return mf, synced, nil
}

// newMetadataFactory builds the metadata-only informers of one scope.
func newMetadataFactory(client metadata.Interface, ns string) metadatainformer.SharedInformerFactory {
	return metadatainformer.NewFilteredSharedInformerFactory(client, 0, ns, nil)
}

// metadataTransform trims the PartialObjectMetadata of a metadata-only
// informer of kind, and names the kind, which the metadata API leaves
// generic (its items are of kind PartialObjectMetadata).
func metadataTransform(kind string) cache.TransformFunc {
	var transform cache.TransformFunc
	transform = func(obj any) (any, error) {
		switch o := obj.(type) {
		case metav1.Object:
			return StripMetadata(kind, o), nil
		case cache.DeletedFinalStateUnknown:
			inner, err := transform(o.Obj)
			if err != nil {
				return nil, err
			}
			return cache.DeletedFinalStateUnknown{Key: o.Key, Obj: inner}, nil
		}
		return obj, nil
	}
	return transform
}

// ownerHandler feeds owner notifications to the coalescer.
type ownerHandler struct {
	co   *coalescer
	kind string
}

func (h ownerHandler) OnAdd(obj any, _ bool) {
	if o, ok := obj.(metav1.Object); ok {
		if key, ok := rollout.KeyOf(o); ok {
			h.co.addOwner(key, o, true)
		}
	}
}

func (h ownerHandler) OnUpdate(oldObj, newObj any) {
	o, ok := newObj.(metav1.Object)
	if !ok {
		return
	}
	if old, ok := oldObj.(metav1.Object); ok && o.GetResourceVersion() != "" && old.GetResourceVersion() == o.GetResourceVersion() {
		return
	}
	if key, ok := rollout.KeyOf(o); ok {
		h.co.addOwner(key, o, false)
	}
}

func (h ownerHandler) OnDelete(obj any) {
	switch o := obj.(type) {
	case metav1.Object:
		if key, ok := rollout.KeyOf(o); ok {
			h.co.removeOwner(key)
		}
	case cache.DeletedFinalStateUnknown:
		if inner, ok := o.Obj.(metav1.Object); ok {
			if key, ok := rollout.KeyOf(inner); ok {
				h.co.removeOwner(key)
				return
			}
		}
		if ns, name, err := cache.SplitMetaNamespaceKey(o.Key); err == nil {
			h.co.removeOwner(rollout.OwnerKey{Kind: h.kind, Namespace: ns, Name: name})
		}
	}
}

// ownerAccess collects the refused owner kinds and publishes them.
type ownerAccess struct {
	publish func(rollout.Access)

	mu      sync.Mutex
	refused []rollout.Refusal
}

func newOwnerAccess(publish func(rollout.Access)) *ownerAccess {
	return &ownerAccess{publish: publish}
}

func (a *ownerAccess) refuse(kind, ns, reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := rollout.Refusal{Kind: kind, Namespace: ns, Reason: reason}
	if slices.Contains(a.refused, r) {
		return
	}
	a.refused = append(a.refused, r)
	slices.SortFunc(a.refused, func(x, y rollout.Refusal) int {
		return strings.Compare(x.Kind+"\x00"+x.Namespace, y.Kind+"\x00"+y.Namespace)
	})
	a.publishLocked()
}

func (a *ownerAccess) refuses(kind, ns string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.ContainsFunc(a.refused, func(r rollout.Refusal) bool { return r.Kind == kind && r.Namespace == ns })
}

func (a *ownerAccess) publishLocked() {
	a.publish(rollout.Access{Refused: slices.Clone(a.refused)})
}

// start publishes the access once, even when nothing was refused, so the
// consumer knows owners are being watched.
func (a *ownerAccess) start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.publishLocked()
}

package cli

import (
	"context"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/initwatch/initwatch/wait"
)

// checkTargets reads each named workload once, so a typo, a missing object,
// an unreachable server or a refused permission fails at once with its exit
// code instead of waiting out the timeout. Pods are left to the pod watch
// (a pod may be recreated under the same name).
func (r *waitRun) checkTargets(ctx context.Context) error {
	for _, t := range r.targets {
		var err error
		opts := metav1.GetOptions{}
		switch t.Kind {
		case wait.KindDeployment:
			_, err = r.client.AppsV1().Deployments(r.ns).Get(ctx, t.Name, opts)
			if err == nil { // its revisions
				_, err = r.client.AppsV1().ReplicaSets(r.ns).List(ctx, metav1.ListOptions{Limit: 1})
			}
		case wait.KindStatefulSet:
			_, err = r.client.AppsV1().StatefulSets(r.ns).Get(ctx, t.Name, opts)
		case wait.KindDaemonSet:
			_, err = r.client.AppsV1().DaemonSets(r.ns).Get(ctx, t.Name, opts)
		case wait.KindReplicaSet:
			_, err = r.client.AppsV1().ReplicaSets(r.ns).Get(ctx, t.Name, opts)
		case wait.KindJob:
			_, err = r.client.BatchV1().Jobs(r.ns).Get(ctx, t.Name, opts)
		}
		switch {
		case err == nil:
		case apierrors.IsNotFound(err):
			return &exitCodeError{code: wait.ExitFailed, err: fmt.Errorf("%s not found in namespace %q", t, r.ns)}
		case ctx.Err() != nil:
			return &exitCodeError{code: ExitInterrupted, err: errInterrupted}
		default:
			return &exitCodeError{code: connExitCode(err), err: fmt.Errorf("get %s in namespace %q: %w", t, r.ns, err)}
		}
	}
	return nil
}

// objEvent is a workload (or ReplicaSet) that changed or went away.
type objEvent struct {
	obj     metav1.Object
	deleted bool
}

// watchObjects runs informers for the kinds the targets name in ns (and
// ReplicaSets for Deployments: the new revision is a ReplicaSet). synced
// reports whether every informer has listed; stop ends them and waits.
func watchObjects(ctx context.Context, client kubernetes.Interface, ns string, targets []wait.Target) (<-chan objEvent, func() bool, func()) {
	out := make(chan objEvent)
	ctx, cancel := context.WithCancel(ctx)
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(ns))
	var synced []cache.InformerSynced
	add := func(inf cache.SharedIndexInformer) {
		send := func(obj any, deleted bool) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			m, ok := obj.(metav1.Object)
			if !ok {
				return
			}
			select {
			case out <- objEvent{obj: m, deleted: deleted}:
			case <-ctx.Done():
			}
		}
		_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { send(obj, false) },
			UpdateFunc: func(_, obj any) { send(obj, false) },
			DeleteFunc: func(obj any) { send(obj, true) },
		})
		synced = append(synced, inf.HasSynced)
	}
	seen := map[wait.Kind]bool{}
	for _, t := range targets {
		if seen[t.Kind] {
			continue
		}
		seen[t.Kind] = true
		switch t.Kind {
		case wait.KindDeployment:
			add(factory.Apps().V1().Deployments().Informer())
			if !seen[wait.KindReplicaSet] {
				seen[wait.KindReplicaSet] = true
				add(factory.Apps().V1().ReplicaSets().Informer())
			}
		case wait.KindReplicaSet:
			if !seen[wait.KindDeployment] {
				add(factory.Apps().V1().ReplicaSets().Informer())
			}
		case wait.KindStatefulSet:
			add(factory.Apps().V1().StatefulSets().Informer())
		case wait.KindDaemonSet:
			add(factory.Apps().V1().DaemonSets().Informer())
		case wait.KindJob:
			add(factory.Batch().V1().Jobs().Informer())
		}
	}
	factory.Start(ctx.Done())
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			factory.Shutdown()
		})
	}
	isSynced := func() bool {
		for _, s := range synced {
			if !s() {
				return false
			}
		}
		return true
	}
	return out, isSynced, stop
}

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

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/wait"
)

// checkTargets reads each named workload once in every cluster, so a typo,
// a missing object, an unreachable server or a refused permission fails at
// once with its exit code instead of waiting out the timeout. Pods are left
// to the pod watch (a pod may be recreated under the same name). Of several
// clusters, one that cannot be reached is left to its pod watch, which
// retries it and holds it out of the judgement.
func (r *waitRun) checkTargets(ctx context.Context) error {
	for _, c := range r.clusters {
		for _, t := range r.targets {
			err := getTarget(ctx, c.client, c.ns, t)
			where := fmt.Sprintf("namespace %q", c.ns)
			if c.name != "" {
				where += fmt.Sprintf(" of context %q", c.name)
			}
			switch {
			case err == nil:
			case apierrors.IsNotFound(err):
				return &exitCodeError{code: wait.ExitFailed, err: fmt.Errorf("%s not found in %s", t, where)}
			case ctx.Err() != nil:
				return &exitCodeError{code: ExitInterrupted, err: errInterrupted}
			case r.multi() && kube.IsUnreachable(err):
			default:
				return &exitCodeError{code: connExitCode(err), err: fmt.Errorf("get %s in %s: %w", t, where, err)}
			}
		}
	}
	return nil
}

// getTarget reads a workload target (and, for a Deployment, whether its
// revisions may be listed); other targets read nothing.
func getTarget(ctx context.Context, client kubernetes.Interface, ns string, t wait.Target) error {
	opts := metav1.GetOptions{}
	var err error
	switch t.Kind {
	case wait.KindDeployment:
		_, err = client.AppsV1().Deployments(ns).Get(ctx, t.Name, opts)
		if err == nil { // its revisions
			_, err = client.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{Limit: 1})
		}
	case wait.KindStatefulSet:
		_, err = client.AppsV1().StatefulSets(ns).Get(ctx, t.Name, opts)
	case wait.KindDaemonSet:
		_, err = client.AppsV1().DaemonSets(ns).Get(ctx, t.Name, opts)
	case wait.KindReplicaSet:
		_, err = client.AppsV1().ReplicaSets(ns).Get(ctx, t.Name, opts)
	case wait.KindJob:
		_, err = client.BatchV1().Jobs(ns).Get(ctx, t.Name, opts)
	}
	return err
}

// objEvent is a workload (or ReplicaSet) that changed or went away.
type objEvent struct {
	context string // the cluster's; "" for one cluster
	obj     metav1.Object
	deleted bool
}

// watchObjects runs informers for the kinds the targets name in ns (and
// ReplicaSets for Deployments: the new revision is a ReplicaSet) of the
// cluster named cluster, sending their changes to out. synced reports
// whether every informer has listed; stop ends them and waits.
func watchObjects(ctx context.Context, client kubernetes.Interface, ns string, targets []wait.Target, cluster string, out chan<- objEvent) (synced func() bool, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(ns))
	var hasSynced []cache.InformerSynced
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
			case out <- objEvent{context: cluster, obj: m, deleted: deleted}:
			case <-ctx.Done():
			}
		}
		_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { send(obj, false) },
			UpdateFunc: func(_, obj any) { send(obj, false) },
			DeleteFunc: func(obj any) { send(obj, true) },
		})
		hasSynced = append(hasSynced, inf.HasSynced)
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
	stop = func() {
		once.Do(func() {
			cancel()
			factory.Shutdown()
		})
	}
	synced = func() bool {
		for _, s := range hasSynced {
			if !s() {
				return false
			}
		}
		return true
	}
	return synced, stop
}

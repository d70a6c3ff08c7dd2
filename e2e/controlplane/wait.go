package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// Lister and Watcher are what every typed client of client-go offers
// (cs.CoreV1().Pods(ns), cs.AppsV1().Deployments(ns), ...).
type Lister[L runtime.Object] interface {
	List(ctx context.Context, opts metav1.ListOptions) (L, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// WaitFor lists the objects opts selects, then watches them, and returns
// when cond holds for the current set (in no particular order) or ctx ends.
// It never sleeps: cond is checked after the list and after every change,
// so it sees each state the apiserver went through. A watch that ends
// (expired, apiserver gone) is resumed by a new list.
func WaitFor[L runtime.Object, T runtime.Object](ctx context.Context, client Lister[L], opts metav1.ListOptions, cond func([]T) (bool, error)) ([]T, error) {
	for {
		list, err := client.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list: %w", err)
		}
		objs := map[types.UID]T{}
		items, err := meta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		for _, o := range items {
			t, ok := o.(T)
			if !ok {
				return nil, fmt.Errorf("list holds %T", o)
			}
			objs[uidOf(t)] = t
		}
		if done, cur, err := check(objs, cond); done || err != nil {
			return cur, err
		}
		lm, err := meta.ListAccessor(list)
		if err != nil {
			return nil, err
		}
		wopts := opts
		wopts.ResourceVersion = lm.GetResourceVersion()
		wopts.AllowWatchBookmarks = true
		w, err := client.Watch(ctx, wopts)
		if err != nil {
			return nil, fmt.Errorf("watch: %w", err)
		}
		cur, done, err := follow(ctx, w, objs, cond)
		w.Stop()
		if done || err != nil {
			return cur, err
		}
		// The watch ended without an answer: list again.
	}
}

// follow applies watch events to objs until cond holds, the watch ends
// (done false, err nil) or ctx ends.
func follow[T runtime.Object](ctx context.Context, w watch.Interface, objs map[types.UID]T, cond func([]T) (bool, error)) ([]T, bool, error) {
	for {
		select {
		case <-ctx.Done():
			return values(objs), false, fmt.Errorf("wait: %w (last state: %s)", ctx.Err(), describe(values(objs)))
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, false, nil
			}
			switch ev.Type {
			case watch.Bookmark:
				continue
			case watch.Error:
				// Expired resource version and the like: list again.
				return nil, false, nil
			}
			t, ok := ev.Object.(T)
			if !ok {
				return nil, false, fmt.Errorf("watch delivered %T", ev.Object)
			}
			if ev.Type == watch.Deleted {
				delete(objs, uidOf(t))
			} else {
				objs[uidOf(t)] = t
			}
			if done, cur, err := check(objs, cond); done || err != nil {
				return cur, true, err
			}
		}
	}
}

func check[T runtime.Object](objs map[types.UID]T, cond func([]T) (bool, error)) (bool, []T, error) {
	cur := values(objs)
	ok, err := cond(cur)
	return ok, cur, err
}

func values[T runtime.Object](objs map[types.UID]T) []T {
	out := make([]T, 0, len(objs))
	for _, o := range objs {
		out = append(out, o)
	}
	return out
}

func uidOf(o runtime.Object) types.UID {
	m, err := meta.Accessor(o)
	if err != nil {
		return ""
	}
	return m.GetUID()
}

// describe names the objects a wait ended with, for its error.
func describe[T runtime.Object](objs []T) string {
	var names []string
	for _, o := range objs {
		if m, err := meta.Accessor(o); err == nil {
			names = append(names, m.GetNamespace()+"/"+m.GetName())
		}
	}
	if len(names) == 0 {
		return "no objects"
	}
	return strings.Join(names, ", ")
}

// WaitPods waits until cond holds for the pods of namespace ns that
// labelSelector selects (empty: all), and returns them.
func WaitPods(ctx context.Context, cs kubernetes.Interface, ns, labelSelector string, cond func([]*corev1.Pod) bool) ([]*corev1.Pod, error) {
	pods, err := WaitFor(ctx, cs.CoreV1().Pods(ns), metav1.ListOptions{LabelSelector: labelSelector},
		func(items []*corev1.Pod) (bool, error) { return cond(items), nil })
	if err != nil {
		return pods, fmt.Errorf("wait for pods in %q (%s): %w", ns, labelSelector, err)
	}
	return pods, nil
}

// WaitDeployment waits until cond holds for Deployment ns/name.
func WaitDeployment(ctx context.Context, cs kubernetes.Interface, ns, name string, cond func(*appsv1.Deployment) bool) (*appsv1.Deployment, error) {
	ds, err := WaitFor(ctx, cs.AppsV1().Deployments(ns), metav1.ListOptions{FieldSelector: "metadata.name=" + name},
		func(items []*appsv1.Deployment) (bool, error) { return len(items) == 1 && cond(items[0]), nil })
	if err != nil {
		return nil, fmt.Errorf("wait for deployment %s/%s: %w", ns, name, err)
	}
	return ds[0], nil
}

// WaitNodesReady waits until n nodes exist and report Ready.
func WaitNodesReady(ctx context.Context, cs kubernetes.Interface, n int) error {
	_, err := WaitFor(ctx, cs.CoreV1().Nodes(), metav1.ListOptions{}, func(nodes []*corev1.Node) (bool, error) {
		ready := 0
		for _, node := range nodes {
			for _, c := range node.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		return ready >= n, nil
	})
	return err
}

// WaitRollout runs `kubectl rollout status --watch` on a workload
// (deployment/NAME, statefulset/NAME, daemonset/NAME) until it reports the
// rollout complete: kubectl's own rules, by watching. ctx bounds it.
func (c *Cluster) WaitRollout(ctx context.Context, ns, workload string) error {
	out, err := c.Kubectl(ctx, "rollout", "status", "--watch", "-n", ns, workload)
	if err != nil {
		return fmt.Errorf("rollout status %s/%s: %w: %s", ns, workload, err, out)
	}
	return nil
}

// Kubectl runs kubectl as the cluster admin and returns what it printed
// (stdout and stderr together).
func (c *Cluster) Kubectl(ctx context.Context, args ...string) (string, error) {
	return c.kubectl(ctx, nil, args...)
}

func (c *Cluster) kubectl(ctx context.Context, stdin []byte, args ...string) (string, error) {
	bin, err := FindKubectl()
	if err != nil {
		return "", err
	}
	kc, err := c.AdminKubeconfig()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", kc}, args...)...)
	if stdin != nil {
		cmd.Stdin = strings.NewReader(string(stdin))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if ctx.Err() != nil && errors.As(err, &exit) {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return string(out), fmt.Errorf("kubectl %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

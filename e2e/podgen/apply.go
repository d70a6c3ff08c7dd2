package podgen

import (
	"context"
	"errors"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// EnsureNamespaces creates the namespaces that do not exist yet.
func EnsureNamespaces(ctx context.Context, cs kubernetes.Interface, names []string) error {
	for _, name := range names {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
	}
	return nil
}

// Apply creates every case's pod, writes its status through the status
// subresource as a kubelet would, and deletes it when the case says so,
// with up to parallel cases in flight.
func Apply(ctx context.Context, cs kubernetes.Interface, cases []Case, parallel int) error {
	return forEach(ctx, len(cases), parallel, func(ctx context.Context, i int) error {
		return applyOne(ctx, cs, cases[i])
	})
}

func applyOne(ctx context.Context, cs kubernetes.Interface, c Case) error {
	pods := cs.CoreV1().Pods(c.Pod.Namespace)
	created, err := pods.Create(ctx, c.Pod, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create pod %s/%s: %w", c.Pod.Namespace, c.Pod.Name, err)
	}
	if c.Status != nil {
		created.Status = *c.Status
		if _, err := pods.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("update status of pod %s/%s (%s): %w", c.Pod.Namespace, c.Pod.Name, c.Pod.Annotations[CaseAnnotation], err)
		}
	}
	if c.Delete {
		if err := pods.Delete(ctx, c.Pod.Name, metav1.DeleteOptions{}); err != nil {
			return fmt.Errorf("delete pod %s/%s: %w", c.Pod.Namespace, c.Pod.Name, err)
		}
	}
	return nil
}

// Release removes HoldFinalizer from the held pods of cases, which lets the
// apiserver finish deleting them.
func Release(ctx context.Context, cs kubernetes.Interface, cases []Case) error {
	patch := []byte(`{"metadata":{"finalizers":null}}`)
	return forEach(ctx, len(cases), 8, func(ctx context.Context, i int) error {
		c := cases[i]
		if len(c.Pod.Finalizers) == 0 {
			return nil
		}
		_, err := cs.CoreV1().Pods(c.Pod.Namespace).Patch(ctx, c.Pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("release pod %s/%s: %w", c.Pod.Namespace, c.Pod.Name, err)
		}
		return nil
	})
}

// forEach runs fn for 0..n-1 on up to parallel goroutines, stops handing
// out work at the first error, and returns every error seen.
func forEach(ctx context.Context, n, parallel int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range max(parallel, 1) {
		wg.Go(func() {
			for i := range work {
				if err := fn(ctx, i); err != nil {
					mu.Lock()
					// After the first failure the others mostly report
					// the cancellation it caused: keep only real causes.
					if len(errs) == 0 || !errors.Is(err, context.Canceled) {
						errs = append(errs, err)
					}
					mu.Unlock()
					cancel()
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}

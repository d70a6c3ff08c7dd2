package kube

import (
	"context"
	"fmt"
	"slices"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// plan is what Run will watch, decided by read-only probes before any
// informer starts: an informer whose list is refused would otherwise retry
// forever and never sync.
type plan struct {
	pods            []string // scopes to watch pods in; "" is the cluster scope
	events          []string // the subset of pods where events may be listed
	forbidden       []string // scopes where pods may not be listed
	eventsForbidden []string
}

// plan probes with one-item lists (never SelfSubjectAccessReviews, which
// are writes) and applies the least-privilege fallback.
func (s *informerSource) plan(ctx context.Context, label, field string) (plan, error) {
	var p plan
	candidates := dedupe(s.opts.Namespaces)
	var lastRefusal error
	if len(candidates) == 0 {
		err := s.probePods(ctx, "", label, field)
		switch {
		case err == nil:
			p.pods = []string{""}
		case !apierrors.IsForbidden(err):
			return p, fmt.Errorf("list pods in all namespaces: %w", err)
		default:
			p.forbidden = []string{""}
			lastRefusal = err
			candidates, err = s.listNamespaces(ctx)
			switch {
			case err == nil:
			case !apierrors.IsForbidden(err):
				return p, fmt.Errorf("list namespaces: %w", err)
			default:
				candidates = dedupe(s.opts.FallbackNamespaces)
				if len(candidates) == 0 {
					return p, &ForbiddenError{Scopes: p.forbidden, Err: lastRefusal}
				}
			}
		}
	}
	if p.pods == nil {
		errs := probeAll(ctx, candidates, func(ctx context.Context, ns string) error {
			return s.probePods(ctx, ns, label, field)
		})
		for i, ns := range candidates {
			switch err := errs[i]; {
			case err == nil:
				p.pods = append(p.pods, ns)
			case apierrors.IsForbidden(err):
				p.forbidden = append(p.forbidden, ns)
				lastRefusal = err
			default:
				return p, fmt.Errorf("list pods in namespace %q: %w", ns, err)
			}
		}
		if len(p.pods) == 0 {
			return p, &ForbiddenError{Scopes: p.forbidden, Err: lastRefusal}
		}
	}
	if s.opts.WithEvents || s.opts.FocusedEvents {
		errs := probeAll(ctx, p.pods, s.probeEvents)
		for i, ns := range p.pods {
			if apierrors.IsForbidden(errs[i]) {
				p.eventsForbidden = append(p.eventsForbidden, ns)
				continue
			}
			// Any other failure is the informer's to retry and report.
			p.events = append(p.events, ns)
		}
	}
	return p, nil
}

func (s *informerSource) probePods(ctx context.Context, ns, label, field string) error {
	_, err := s.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{
		Limit: 1, LabelSelector: label, FieldSelector: field,
	})
	return err
}

func (s *informerSource) probeEvents(ctx context.Context, ns string) error {
	_, err := s.client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
		Limit: 1, FieldSelector: eventFieldSelector,
	})
	return err
}

func (s *informerSource) listNamespaces(ctx context.Context) ([]string, error) {
	list, err := s.client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(list.Items))
	for i := range list.Items {
		names = append(names, list.Items[i].Name)
	}
	slices.Sort(names)
	return names, nil
}

// probeAll runs probe for every scope (or other item), a few at a time, and
// returns the errors in the order of scopes.
func probeAll[T any](ctx context.Context, scopes []T, probe func(context.Context, T) error) []error {
	errs := make([]error, len(scopes))
	sem := make(chan struct{}, probeParallelism)
	var wg sync.WaitGroup
	for i, ns := range scopes {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = ctx.Err()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = probe(ctx, ns)
		})
	}
	wg.Wait()
	return errs
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

package demo

import (
	"fmt"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	k8stesting "k8s.io/client-go/testing"
)

// The fake clientset filters lists by label only and watches not at all;
// `initwatch --demo -l app=web --field-selector status.phase=Running` must
// narrow the demo as it narrows a real cluster, and the events informer
// always selects involvedObject.kind=Pod. selection does what the
// apiserver does with both selectors, on lists and on watches.
type selection struct {
	label labels.Selector
	field fields.Selector
}

func parseSelection(opts metav1.ListOptions) (selection, error) {
	s := selection{label: labels.Everything(), field: fields.Everything()}
	var err error
	if opts.LabelSelector != "" {
		if s.label, err = labels.Parse(opts.LabelSelector); err != nil {
			return s, fmt.Errorf("label selector %q: %w", opts.LabelSelector, err)
		}
	}
	if opts.FieldSelector != "" {
		if s.field, err = fields.ParseSelector(opts.FieldSelector); err != nil {
			return s, fmt.Errorf("field selector %q: %w", opts.FieldSelector, err)
		}
	}
	return s, nil
}

func (s selection) everything() bool { return s.label.Empty() && s.field.Empty() }

func (s selection) matches(obj runtime.Object) bool {
	m, err := meta.Accessor(obj)
	if err != nil {
		return false
	}
	return s.label.Matches(labels.Set(m.GetLabels())) && s.field.Matches(selectableFields(obj, m))
}

// selectableFields are the fields the apiserver lets clients select pods
// and events on (their registries' ToSelectableFields).
func selectableFields(obj runtime.Object, m metav1.Object) fields.Set {
	set := fields.Set{"metadata.name": m.GetName(), "metadata.namespace": m.GetNamespace()}
	switch o := obj.(type) {
	case *corev1.Pod:
		set["spec.nodeName"] = o.Spec.NodeName
		set["spec.restartPolicy"] = string(o.Spec.RestartPolicy)
		set["spec.schedulerName"] = o.Spec.SchedulerName
		set["spec.serviceAccountName"] = o.Spec.ServiceAccountName
		set["spec.hostNetwork"] = strconv.FormatBool(o.Spec.HostNetwork)
		set["status.phase"] = string(o.Status.Phase)
		set["status.podIP"] = o.Status.PodIP
		set["status.nominatedNodeName"] = o.Status.NominatedNodeName
	case *corev1.Event:
		set["involvedObject.kind"] = o.InvolvedObject.Kind
		set["involvedObject.namespace"] = o.InvolvedObject.Namespace
		set["involvedObject.name"] = o.InvolvedObject.Name
		set["involvedObject.uid"] = string(o.InvolvedObject.UID)
		set["involvedObject.apiVersion"] = o.InvolvedObject.APIVersion
		set["involvedObject.resourceVersion"] = o.InvolvedObject.ResourceVersion
		set["involvedObject.fieldPath"] = o.InvolvedObject.FieldPath
		set["reason"] = o.Reason
		set["reportingComponent"] = o.ReportingController
		set["source"] = o.Source.Component
		set["type"] = o.Type
	}
	return set
}

// selectList filters a list by the field selector; the fake filters
// labels itself afterwards.
func selectList(tracker k8stesting.ObjectTracker, a k8stesting.ListActionImpl) (runtime.Object, error) {
	sel, err := parseSelection(a.ListOptions)
	if err != nil {
		return nil, err
	}
	list, err := tracker.List(a.GetResource(), a.GetKind(), a.GetNamespace(), a.ListOptions)
	if err != nil {
		return nil, err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	kept := items[:0]
	for _, item := range items {
		m, err := meta.Accessor(item)
		if err == nil && sel.field.Matches(selectableFields(item, m)) {
			kept = append(kept, item)
		}
	}
	if err := meta.SetList(list, kept); err != nil {
		return nil, err
	}
	return list, nil
}

// selectWatch narrows w to the objects sel matches, turning changes that
// move an object into or out of the selection into ADDED and DELETED, as
// the apiserver's watch cache does. matching holds the keys that matched
// when the watch began.
func selectWatch(w watch.Interface, sel selection, matching map[string]bool) watch.Interface {
	sw := &selectedWatch{in: w, out: make(chan watch.Event), stop: make(chan struct{})}
	go sw.loop(sel, matching)
	return sw
}

// selectedWatch is a filtering watch whose goroutine ends on Stop even
// when nobody reads any more (watch.Filter's would block on its send).
type selectedWatch struct {
	in   watch.Interface
	out  chan watch.Event
	stop chan struct{}
	once sync.Once
}

func (w *selectedWatch) ResultChan() <-chan watch.Event { return w.out }

func (w *selectedWatch) Stop() {
	w.once.Do(func() {
		close(w.stop)
		w.in.Stop()
	})
}

func (w *selectedWatch) loop(sel selection, matching map[string]bool) {
	defer close(w.out)
	for ev := range w.in.ResultChan() {
		ev, keep := selectEvent(ev, sel, matching)
		if !keep {
			continue
		}
		select {
		case w.out <- ev:
		case <-w.stop:
			return
		}
	}
}

func selectEvent(in watch.Event, sel selection, matching map[string]bool) (watch.Event, bool) {
	m, err := meta.Accessor(in.Object)
	if err != nil {
		return in, true // bookmarks and errors pass
	}
	key := m.GetNamespace() + "/" + m.GetName()
	now, was := sel.matches(in.Object), matching[key]
	switch in.Type {
	case watch.Added, watch.Modified:
		matching[key] = now
		switch {
		case now && !was:
			in.Type = watch.Added
		case !now && was:
			in.Type = watch.Deleted
		case !now:
			return in, false
		}
	case watch.Deleted:
		delete(matching, key)
		if !was {
			return in, false
		}
	}
	return in, true
}

// matchingNow lists the keys of the objects sel matches at the start of a
// watch. The reflector listed them a moment before; anything that changed
// in between arrives as an event too and is sorted out by selectWatch.
func matchingNow(tracker k8stesting.ObjectTracker, a k8stesting.WatchActionImpl, sel selection) map[string]bool {
	matching := map[string]bool{}
	gvr := a.GetResource()
	list, err := tracker.List(gvr, gvr.GroupVersion().WithKind(kindOf(gvr.Resource)), a.GetNamespace())
	if err != nil {
		return matching
	}
	items, _ := meta.ExtractList(list)
	for _, item := range items {
		if m, err := meta.Accessor(item); err == nil && sel.matches(item) {
			matching[m.GetNamespace()+"/"+m.GetName()] = true
		}
	}
	return matching
}

// kindOf names the kinds the demo's informers watch.
func kindOf(resource string) string {
	switch resource {
	case "pods":
		return "Pod"
	case "events":
		return "Event"
	case "namespaces":
		return "Namespace"
	}
	return ""
}

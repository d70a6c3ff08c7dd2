package demo

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// installReactors puts two reactors in front of the fake's defaults: lists
// honour field selectors, and watches honour both selectors and are known
// to the guard. Both read the fake's own tracker, as its defaults do.
func installReactors(client *fake.Clientset, guard *watchGuard) {
	tracker := client.Tracker()
	client.PrependReactor("list", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		la, ok := a.(k8stesting.ListActionImpl)
		if !ok || la.ListOptions.FieldSelector == "" {
			return false, nil, nil // the default reaction, which filters labels
		}
		obj, err := selectList(tracker, la)
		return true, obj, err
	})
	client.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
		wa, ok := a.(k8stesting.WatchActionImpl)
		if !ok {
			return false, nil, nil
		}
		sel, err := parseSelection(wa.ListOptions)
		if err != nil {
			return true, nil, err
		}
		var matching map[string]bool
		if !sel.everything() {
			matching = matchingNow(tracker, wa, sel)
		}
		w, err := tracker.Watch(a.GetResource(), a.GetNamespace(), wa.ListOptions)
		if err != nil {
			return true, nil, fmt.Errorf("watch %s: %w", a.GetResource().Resource, err)
		}
		if fw, ok := w.(*watch.RaceFreeFakeWatcher); ok {
			guard.add(fw)
		}
		if matching != nil {
			w = selectWatch(w, sel, matching)
		}
		return true, w, nil
	})
}

package cli

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

// getHeader is the table header of `initwatch get`: kubectl's columns for
// `get pods -A`, then the init progress.
var getHeader = []string{"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "INIT", "ACTIVE"}

// none fills a cell that has no value, as kubectl prints <none>-less
// custom columns.
const none = "-"

// viewRow renders one pod view as table cells. Every string that came from
// the cluster goes through model.Sanitize: a pod name or a reason cannot
// carry escape sequences to the terminal.
func viewRow(v *model.PodView) []string {
	initCell, active := none, none
	if v.Progress.Total > 0 {
		initCell = strconv.Itoa(v.Progress.Done) + "/" + strconv.Itoa(v.Progress.Total)
	}
	if v.Progress.ActiveName != "" {
		active = model.Sanitize(v.Progress.ActiveName)
	}
	return []string{
		model.Sanitize(v.Namespace),
		model.Sanitize(v.Name),
		v.Printed.Ready,
		model.Sanitize(v.Printed.Status),
		model.Sanitize(v.Printed.Restarts),
		v.Printed.Age,
		initCell,
		active,
	}
}

// podViews computes the views of pods at now, sorted by namespace then name
// as kubectl lists them (the apiserver returns pods in that order); with
// several clusters, by context first, in the order kubectl --context X
// get pods -A would print them one after the other.
func podViews(pods []*corev1.Pod, now time.Time) []model.PodView {
	views := make([]model.PodView, 0, len(pods))
	for _, p := range pods {
		views = append(views, model.NewPodView(p, now))
	}
	slices.SortFunc(views, func(a, b model.PodView) int {
		return cmp.Or(cmp.Compare(a.Context, b.Context), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return views
}

// podStore is the client-side copy of the watched pods, kept by applying
// batches in order.
type podStore map[kube.PodKey]*corev1.Pod

// apply folds b into the store and returns, in batch order, the pods that
// changed; a removed pod is returned in its last known state, which is what
// kubectl get --watch prints for a deletion.
func (s podStore) apply(b kube.Batch) []*corev1.Pod {
	var changed []*corev1.Pod
	for _, p := range b.Pods() {
		s[kube.KeyOf(p)] = p
		changed = append(changed, p)
	}
	for _, k := range b.Removed {
		if p, ok := s[k]; ok {
			changed = append(changed, p)
			delete(s, k)
		}
	}
	return changed
}

func (s podStore) pods() []*corev1.Pod {
	out := make([]*corev1.Pod, 0, len(s))
	for _, p := range s {
		out = append(out, p)
	}
	return out
}

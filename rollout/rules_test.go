package rollout

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubectl/pkg/polymorphichelpers"
)

// kubectlSays runs kubectl's own StatusViewer on obj: its sentence, done,
// and error (an exceeded deadline, a strategy without rollout status).
func kubectlSays(t *testing.T, obj runtime.Object) (string, bool, error) {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := polymorphichelpers.StatusViewerFor(obj.GetObjectKind().GroupVersionKind().GroupKind())
	if err != nil {
		t.Fatal(err)
	}
	return viewer.Status(&unstructured.Unstructured{Object: u}, 0)
}

// agrees checks one of our status functions against kubectl's viewer: the
// same sentence (kubectl's error text for the failed cases) and done flag.
func agrees(t *testing.T, name string, obj runtime.Object, got rolloutStatus) {
	t.Helper()
	msg, done, err := kubectlSays(t, obj)
	want := strings.TrimSuffix(msg, "\n")
	if err != nil {
		want = err.Error()
	}
	if got.msg != want || got.done != done {
		t.Errorf("%s: we say %q (done %v), kubectl says %q (done %v, err %v)", name, got.msg, got.done, want, done, err)
	}
	if deadline := err != nil && strings.Contains(err.Error(), "progress deadline"); got.failed != deadline {
		t.Errorf("%s: failed = %v, kubectl's error: %v", name, got.failed, err)
	}
}

func i32(n int32) *int32 { return &n }

// TestRulesAgreeWithKubectl walks every branch of kubectl's rollout status
// for Deployments, StatefulSets and DaemonSets.
func TestRulesAgreeWithKubectl(t *testing.T) {
	dep := func(gen, observed int64, replicas *int32, st appsv1.DeploymentStatus, conds ...appsv1.DeploymentCondition) *appsv1.Deployment {
		st.ObservedGeneration = observed
		st.Conditions = conds
		return &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: gen}, Spec: appsv1.DeploymentSpec{Replicas: replicas}, Status: st}
	}
	deadline := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: "False", Reason: progressDeadlineReason}
	deployments := map[string]*appsv1.Deployment{
		"spec not observed":   dep(3, 2, i32(4), appsv1.DeploymentStatus{}),
		"deadline exceeded":   dep(2, 2, i32(4), appsv1.DeploymentStatus{UpdatedReplicas: 1}, deadline),
		"updating":            dep(2, 2, i32(4), appsv1.DeploymentStatus{Replicas: 5, UpdatedReplicas: 2}),
		"old pending":         dep(2, 2, i32(4), appsv1.DeploymentStatus{Replicas: 6, UpdatedReplicas: 4}),
		"updated unavailable": dep(2, 2, i32(4), appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 4, AvailableReplicas: 1}),
		"done":                dep(2, 2, i32(4), appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 4, AvailableReplicas: 4}),
		"no replicas field":   dep(1, 1, nil, appsv1.DeploymentStatus{Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1}),
	}
	for name, d := range deployments {
		agrees(t, "deployment "+name, d, deploymentStatus(d))
	}

	sts := func(gen, observed int64, strategy appsv1.StatefulSetUpdateStrategy, st appsv1.StatefulSetStatus) *appsv1.StatefulSet {
		st.ObservedGeneration = observed
		return &appsv1.StatefulSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
			ObjectMeta: metav1.ObjectMeta{Name: "db", Generation: gen},
			Spec:       appsv1.StatefulSetSpec{Replicas: i32(3), UpdateStrategy: strategy}, Status: st}
	}
	rolling := appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType}
	partitioned := appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: i32(1)}}
	statefulSets := map[string]*appsv1.StatefulSet{
		"on delete":          sts(1, 1, appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}, appsv1.StatefulSetStatus{}),
		"never observed":     sts(1, 0, rolling, appsv1.StatefulSetStatus{}),
		"not ready":          sts(1, 1, rolling, appsv1.StatefulSetStatus{ReadyReplicas: 1}),
		"partition waiting":  sts(1, 1, partitioned, appsv1.StatefulSetStatus{ReadyReplicas: 3, UpdatedReplicas: 1}),
		"partition complete": sts(1, 1, partitioned, appsv1.StatefulSetStatus{ReadyReplicas: 3, UpdatedReplicas: 2}),
		"revision rolling":   sts(1, 1, rolling, appsv1.StatefulSetStatus{ReadyReplicas: 3, UpdatedReplicas: 1, CurrentRevision: "db-1", UpdateRevision: "db-2"}),
		"revision complete":  sts(1, 1, rolling, appsv1.StatefulSetStatus{ReadyReplicas: 3, CurrentReplicas: 3, CurrentRevision: "db-2", UpdateRevision: "db-2"}),
	}
	for name, s := range statefulSets {
		agrees(t, "statefulset "+name, s, statefulSetStatus(s))
	}

	ds := func(gen, observed int64, strategy appsv1.DaemonSetUpdateStrategyType, st appsv1.DaemonSetStatus) *appsv1.DaemonSet {
		st.ObservedGeneration = observed
		return &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
			ObjectMeta: metav1.ObjectMeta{Name: "agent", Generation: gen},
			Spec:       appsv1.DaemonSetSpec{UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: strategy}}, Status: st}
	}
	daemonSets := map[string]*appsv1.DaemonSet{
		"on delete":     ds(1, 1, appsv1.OnDeleteDaemonSetStrategyType, appsv1.DaemonSetStatus{}),
		"not observed":  ds(2, 1, appsv1.RollingUpdateDaemonSetStrategyType, appsv1.DaemonSetStatus{}),
		"updating":      ds(1, 1, appsv1.RollingUpdateDaemonSetStrategyType, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, UpdatedNumberScheduled: 1}),
		"not available": ds(1, 1, appsv1.RollingUpdateDaemonSetStrategyType, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 2}),
		"done":          ds(1, 1, appsv1.RollingUpdateDaemonSetStrategyType, appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3}),
	}
	for name, d := range daemonSets {
		agrees(t, "daemonset "+name, d, daemonSetStatus(d))
	}
}

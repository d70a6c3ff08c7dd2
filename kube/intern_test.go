package kube

import (
	"fmt"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func sameMap(a, b any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

func TestInterningSharesOnlyEqualValues(t *testing.T) {
	resetInterning()
	base := loadPod(t, "pod-webapp.yaml")

	a := StripPod(base.DeepCopy())
	b := StripPod(base.DeepCopy())
	if !sameMap(a.Labels, b.Labels) {
		t.Error("equal labels not shared")
	}
	if !sameMap(a.Spec.Containers[0].Resources.Limits, b.Spec.Containers[0].Resources.Limits) {
		t.Error("equal resource lists not shared")
	}

	tests := []struct {
		name   string
		mutate func(*corev1.Pod)
		check  func(t *testing.T, got *corev1.Pod)
	}{
		{
			name: "different label value",
			mutate: func(p *corev1.Pod) {
				p.Labels["tier"] = "backend"
			},
			check: func(t *testing.T, got *corev1.Pod) {
				if got.Labels["tier"] != "backend" || sameMap(got.Labels, a.Labels) {
					t.Errorf("labels %v wrongly shared", got.Labels)
				}
			},
		},
		{
			name: "same value, other notation",
			mutate: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("1000m")
			},
			check: func(t *testing.T, got *corev1.Pod) {
				// Sharing is allowed only if the value prints as the
				// pod's own would.
				lim := got.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU]
				own := resource.MustParse("1000m")
				if lim.String() != own.String() || lim.Cmp(own) != 0 {
					t.Errorf("cpu limit %v, want %v", lim.String(), own.String())
				}
			},
		},
		{
			name: "different request",
			mutate: func(p *corev1.Pod) {
				p.Spec.InitContainers[1].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("33Mi")
			},
			check: func(t *testing.T, got *corev1.Pod) {
				req := got.Spec.InitContainers[1].Resources.Requests
				want := resource.MustParse("33Mi")
				if q := req[corev1.ResourceMemory]; q.Cmp(want) != 0 {
					t.Errorf("memory request %v, want 33Mi", q.String())
				}
				if sameMap(req, a.Spec.InitContainers[1].Resources.Requests) {
					t.Error("different requests shared")
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base.DeepCopy()
			tc.mutate(p)
			want := p.DeepCopy()
			got := StripPod(p)
			tc.check(t, got)
			if !equality.Semantic.DeepEqual(got.Labels, want.Labels) {
				t.Errorf("labels %v, want %v", got.Labels, want.Labels)
			}
		})
	}
}

func TestInternerIsBounded(t *testing.T) {
	in := &mapInterner[string, string]{key: appendLabelsKey}
	for i := range maxInterned + 10 {
		in.intern(map[string]string{"i": fmt.Sprint(i)})
	}
	if n := len(in.maps); n > maxInterned {
		t.Fatalf("table holds %d maps, bound is %d", n, maxInterned)
	}
	m := map[string]string{"k": "v"}
	if got := in.intern(m); !sameMap(got, m) {
		t.Error("first map of a kind must be returned as is")
	}
	if got := in.intern(map[string]string{"k": "v"}); !sameMap(got, m) {
		t.Error("equal map not shared")
	}
	if got := in.intern(nil); got != nil {
		t.Error("nil map must stay nil")
	}
}

func sameSlice(a, b []corev1.Container) bool {
	return len(a) > 0 && len(b) > 0 && &a[0] == &b[0]
}

// Pods of one template share one stripped container list; any difference
// in what the transform keeps gives a pod a list of its own, equal to its
// own containers stripped.
func TestContainerListsSharedOnlyWhenEqual(t *testing.T) {
	resetInterning()
	base := loadPod(t, "pod-webapp.yaml")
	a := StripPod(base.DeepCopy())
	if b := StripPod(base.DeepCopy()); !sameSlice(a.Spec.InitContainers, b.Spec.InitContainers) || !sameSlice(a.Spec.Containers, b.Spec.Containers) {
		t.Fatal("equal container lists not shared")
	}
	always := corev1.ContainerRestartPolicyAlways
	tests := []struct {
		name   string
		mutate func(*corev1.Pod)
	}{
		{"other image", func(p *corev1.Pod) { p.Spec.Containers[0].Image += "-v2" }},
		{"other name", func(p *corev1.Pod) { p.Spec.InitContainers[0].Name += "-x" }},
		{"one more container", func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "extra", Image: "busybox"})
		}},
		{"becomes a sidecar", func(p *corev1.Pod) { p.Spec.InitContainers[1].RestartPolicy = &always }},
		{"restart rules", func(p *corev1.Pod) {
			p.Spec.Containers[0].RestartPolicyRules = []corev1.ContainerRestartRule{{
				Action:    corev1.ContainerRestartRuleActionRestart,
				ExitCodes: &corev1.ContainerRestartRuleOnExitCodes{Operator: corev1.ContainerRestartRuleOnExitCodesOpIn, Values: []int32{42}},
			}}
		}},
		{"startup probe", func(p *corev1.Pod) { p.Spec.Containers[0].StartupProbe = &corev1.Probe{} }},
		{"other limit", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3")}
		}},
		{"no requests", func(p *corev1.Pod) {
			for i := range p.Spec.Containers {
				p.Spec.Containers[i].Resources.Requests = nil
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base.DeepCopy()
			tc.mutate(p)
			want := stripContainers(p.Spec.Containers)
			wantInit := stripContainers(p.Spec.InitContainers)
			got := StripPod(p)
			if !reflect.DeepEqual(got.Spec.Containers, want) || !reflect.DeepEqual(got.Spec.InitContainers, wantInit) {
				t.Errorf("stripped containers differ from the pod's own:\n got %+v\nwant %+v", got.Spec.Containers, want)
			}
			shared := sameSlice(got.Spec.Containers, a.Spec.Containers) && sameSlice(got.Spec.InitContainers, a.Spec.InitContainers)
			if shared {
				t.Error("a different container list was shared")
			}
		})
	}
}

// TestOwnerReferencesSharedOnlyWhenEqual: pods of one owner share one owner
// reference list; any field that differs, an unset flag against a false
// one included, keeps the pod's own list, with its own values.
func TestOwnerReferencesSharedOnlyWhenEqual(t *testing.T) {
	resetInterning()
	base := loadPod(t, "pod-webapp.yaml")
	if len(base.OwnerReferences) == 0 {
		t.Fatal("fixture has no owner references: the test checks nothing")
	}
	a := StripPod(base.DeepCopy())
	b := StripPod(base.DeepCopy())
	if &a.OwnerReferences[0] != &b.OwnerReferences[0] {
		t.Error("equal owner references not shared")
	}
	no := false
	tests := []struct {
		name   string
		mutate func(*metav1.OwnerReference)
	}{
		{"other owner name", func(r *metav1.OwnerReference) { r.Name += "-2" }},
		{"other uid", func(r *metav1.OwnerReference) { r.UID += "x" }},
		{"other kind", func(r *metav1.OwnerReference) { r.Kind = "StatefulSet" }},
		{"other apiVersion", func(r *metav1.OwnerReference) { r.APIVersion = "apps/v2" }},
		{"controller unset", func(r *metav1.OwnerReference) { r.Controller = nil }},
		{"controller false", func(r *metav1.OwnerReference) { r.Controller = &no }},
		{"blockOwnerDeletion unset", func(r *metav1.OwnerReference) { r.BlockOwnerDeletion = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base.DeepCopy()
			tt.mutate(&in.OwnerReferences[0])
			want := in.DeepCopy().OwnerReferences
			got := StripPod(in).OwnerReferences
			if &got[0] == &a.OwnerReferences[0] {
				t.Fatal("a different owner reference list was shared")
			}
			if !equality.Semantic.DeepEqual(got, want) {
				t.Errorf("owner references %+v, want %+v", got, want)
			}
		})
	}
}

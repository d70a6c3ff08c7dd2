package model

import (
	"math/rand/v2"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

func TestEffectiveResourcesFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		want    Resources
	}{
		{
			// Four classic init containers at 100m/64Mi, one app at 50m/256Mi:
			// init sets the CPU request, the app everything else.
			fixture: "seed-05-init-1-4",
			want: Resources{
				CPURequest:    ResourceFigure{Init: "100m", App: "50m", Effective: "100m", Dominant: SideInit, Value: 100},
				CPULimit:      ResourceFigure{Init: "200m", App: "500m", Effective: "500m", Dominant: SideApp, Value: 500},
				MemoryRequest: ResourceFigure{Init: "64Mi", App: "256Mi", Effective: "256Mi", Dominant: SideApp, Value: 256 << 20},
				MemoryLimit:   ResourceFigure{Init: "128Mi", App: "512Mi", Effective: "512Mi", Dominant: SideApp, Value: 512 << 20},
			},
		},
		{
			// Sidecar 100m/50Mi, then init-migrate 200m/100Mi, app 150m/100Mi:
			// init side max(100m, 200m+100m) = 300m vs app 150m+100m = 250m;
			// memory max(50Mi, 100Mi+50Mi) = 150Mi vs 100Mi+50Mi = 150Mi.
			fixture: "sidecar-running",
			want: Resources{
				CPURequest:    ResourceFigure{Init: "300m", App: "250m", Effective: "300m", Dominant: SideInit, Value: 300},
				MemoryRequest: ResourceFigure{Init: "150Mi", App: "150Mi", Effective: "150Mi", Dominant: SideTie, Value: 150 << 20},
			},
		},
		{fixture: "crashloop", want: Resources{}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			if got := EffectiveResources(loadPod(t, tc.fixture)); got != tc.want {
				t.Errorf("EffectiveResources =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func TestEffectiveResourcesCases(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	ctr := func(name string, req, lim corev1.ResourceList) corev1.Container {
		return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}
	}
	side := func(name string, req, lim corev1.ResourceList) corev1.Container {
		c := ctr(name, req, lim)
		c.RestartPolicy = &always
		return c
	}
	tests := []struct {
		name           string
		spec           corev1.PodSpec
		cpuReq, cpuLim ResourceFigure
		memReq         ResourceFigure
	}{
		{
			name: "the seed article's rule: max(max init, sum app)",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{ctr("i1", rl("cpu", "1"), nil), ctr("i2", rl("cpu", "2"), nil)},
				Containers:     []corev1.Container{ctr("a", rl("cpu", "1"), nil), ctr("b", rl("cpu", "500m"), nil)},
			},
			cpuReq: ResourceFigure{Init: "2", App: "1500m", Effective: "2", Dominant: SideInit, Value: 2000},
		},
		{
			name: "a sidecar started after a classic init container does not add to it",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{ctr("i1", rl("cpu", "1"), nil), side("s", rl("cpu", "600m"), nil)},
				Containers:     []corev1.Container{ctr("a", rl("cpu", "500m"), nil)},
			},
			cpuReq: ResourceFigure{Init: "1", App: "1100m", Effective: "1100m", Dominant: SideApp, Value: 1100},
		},
		{
			name: "overhead adds to requests",
			spec: corev1.PodSpec{
				Containers: []corev1.Container{ctr("a", rl("cpu", "250m", "memory", "1Gi"), rl("cpu", "0"))},
				Overhead:   rl("cpu", "100m", "memory", "120Mi"),
			},
			cpuReq: ResourceFigure{App: "250m", Overhead: "100m", Effective: "350m", Dominant: SideApp, Value: 350},
			// A zero limit gets no overhead.
			cpuLim: ResourceFigure{App: "0", Effective: "0", Dominant: SideApp},
			memReq: ResourceFigure{App: "1Gi", Overhead: "120Mi", Effective: "1144Mi", Dominant: SideApp, Value: 1144 << 20},
		},
		{
			name: "overhead alone is still a request",
			spec: corev1.PodSpec{
				Containers: []corev1.Container{ctr("a", nil, nil)},
				Overhead:   rl("cpu", "100m"),
			},
			cpuReq: ResourceFigure{Overhead: "100m", Effective: "100m", Value: 100},
		},
		{
			name: "pod-level resources override both sides",
			spec: corev1.PodSpec{
				Resources:      &corev1.ResourceRequirements{Requests: rl("cpu", "3"), Limits: rl("cpu", "4")},
				InitContainers: []corev1.Container{ctr("i", rl("cpu", "1"), nil)},
				Containers:     []corev1.Container{ctr("a", rl("cpu", "2"), nil)},
			},
			cpuReq: ResourceFigure{Init: "1", App: "2", Effective: "3", Dominant: SidePod, Value: 3000},
			cpuLim: ResourceFigure{Effective: "4", Dominant: SidePod, Value: 4000},
		},
		{
			name: "init only",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{ctr("i", rl("memory", "64Mi"), nil)},
				Containers:     []corev1.Container{ctr("a", nil, nil)},
			},
			memReq: ResourceFigure{Init: "64Mi", Effective: "64Mi", Dominant: SideInit, Value: 64 << 20},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := EffectiveResources(&corev1.Pod{Spec: tc.spec})
			if got.CPURequest != tc.cpuReq {
				t.Errorf("cpu request = %+v, want %+v", got.CPURequest, tc.cpuReq)
			}
			if got.CPULimit != tc.cpuLim {
				t.Errorf("cpu limit = %+v, want %+v", got.CPULimit, tc.cpuLim)
			}
			if got.MemoryRequest != tc.memReq {
				t.Errorf("memory request = %+v, want %+v", got.MemoryRequest, tc.memReq)
			}
		})
	}
}

// TestEffectiveResourcesMatchesUpstream compares the effective figures with
// k8s.io/component-helpers/resource, the code the scheduler and kubelet use,
// on random pods mixing classic init containers, sidecars, app containers,
// overhead and pod-level resources.
func TestEffectiveResourcesMatchesUpstream(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	quantities := []string{"", "", "0", "1m", "100m", "250m", "1", "1500m", "2"}
	memories := []string{"", "", "0", "1Mi", "64Mi", "100M", "1Gi", "1500Mi", "2G"}
	pick := func() corev1.ResourceList {
		out := corev1.ResourceList{}
		if q := quantities[rng.IntN(len(quantities))]; q != "" {
			out[corev1.ResourceCPU] = resource.MustParse(q)
		}
		if q := memories[rng.IntN(len(memories))]; q != "" {
			out[corev1.ResourceMemory] = resource.MustParse(q)
		}
		return out
	}
	always := corev1.ContainerRestartPolicyAlways
	for i := range 2000 {
		var pod corev1.Pod
		for j := range rng.IntN(5) {
			c := corev1.Container{Name: "i" + string(rune('a'+j)), Resources: corev1.ResourceRequirements{Requests: pick(), Limits: pick()}}
			if rng.IntN(2) == 0 {
				c.RestartPolicy = &always
			}
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, c)
		}
		for j := range 1 + rng.IntN(3) {
			pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "c" + string(rune('a'+j)),
				Resources: corev1.ResourceRequirements{Requests: pick(), Limits: pick()}})
		}
		if rng.IntN(4) == 0 {
			pod.Spec.Overhead = pick()
		}
		if rng.IntN(6) == 0 {
			pod.Spec.Resources = &corev1.ResourceRequirements{Requests: pick(), Limits: pick()}
		}
		got := EffectiveResources(&pod)
		reqs := resourcehelper.PodRequests(&pod, resourcehelper.PodResourcesOptions{})
		lims := resourcehelper.PodLimits(&pod, resourcehelper.PodResourcesOptions{})
		check := func(what string, f ResourceFigure, list corev1.ResourceList, name corev1.ResourceName) {
			q, ok := list[name]
			want := ""
			if ok {
				want = q.String()
			}
			if f.Effective != want {
				t.Fatalf("pod %d %s: effective %q, upstream %q\nspec %+v", i, what, f.Effective, want, pod.Spec)
			}
		}
		check("cpu request", got.CPURequest, reqs, corev1.ResourceCPU)
		check("memory request", got.MemoryRequest, reqs, corev1.ResourceMemory)
		check("cpu limit", got.CPULimit, lims, corev1.ResourceCPU)
		check("memory limit", got.MemoryLimit, lims, corev1.ResourceMemory)
	}
}

package kube

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"
)

func loadPod(t testing.TB, name string) *corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(data, &pod); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &pod
}

func loadEvent(t testing.TB, name string) *corev1.Event {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev corev1.Event
	if err := yaml.UnmarshalStrict(data, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &ev
}

// TestStripPodKeeps checks, field by field, that what model/ and kubectl's
// printer read survives the transform unchanged.
func TestStripPodKeeps(t *testing.T) {
	in := loadPod(t, "pod-webapp.yaml")
	out := StripPod(in.DeepCopy())

	keep := []struct {
		name      string
		got, want any
	}{
		{"name", out.Name, in.Name},
		{"namespace", out.Namespace, in.Namespace},
		{"uid", out.UID, in.UID},
		{"resourceVersion", out.ResourceVersion, in.ResourceVersion},
		{"creationTimestamp", out.CreationTimestamp, in.CreationTimestamp},
		{"deletionTimestamp", out.DeletionTimestamp, in.DeletionTimestamp},
		{"labels", out.Labels, in.Labels},
		{"ownerReferences", out.OwnerReferences, in.OwnerReferences},
		{"default-container annotation", out.Annotations, map[string]string{defaultContainerAnnotation: "app"}},
		{"spec.restartPolicy", out.Spec.RestartPolicy, in.Spec.RestartPolicy},
		{"spec.nodeName", out.Spec.NodeName, in.Spec.NodeName},
		{"spec.overhead", out.Spec.Overhead, in.Spec.Overhead},
		{"spec.schedulingGates", out.Spec.SchedulingGates, in.Spec.SchedulingGates},
		{"spec.readinessGates", out.Spec.ReadinessGates, in.Spec.ReadinessGates},
		{"status.phase", out.Status.Phase, in.Status.Phase},
		{"status.reason", out.Status.Reason, in.Status.Reason},
		{"status.message", out.Status.Message, in.Status.Message},
		{"status.conditions", out.Status.Conditions, in.Status.Conditions},
		{"status.startTime", out.Status.StartTime, in.Status.StartTime},
		{"status.hostIP", out.Status.HostIP, in.Status.HostIP},
		{"status.podIP", out.Status.PodIP, in.Status.PodIP},
		{"status.podIPs", out.Status.PodIPs, in.Status.PodIPs},
		{"status.nominatedNodeName", out.Status.NominatedNodeName, in.Status.NominatedNodeName},
		{"len(initContainers)", len(out.Spec.InitContainers), len(in.Spec.InitContainers)},
		{"len(containers)", len(out.Spec.Containers), len(in.Spec.Containers)},
		{"len(initContainerStatuses)", len(out.Status.InitContainerStatuses), len(in.Status.InitContainerStatuses)},
		{"len(containerStatuses)", len(out.Status.ContainerStatuses), len(in.Status.ContainerStatuses)},
	}
	for _, k := range keep {
		if !equality.Semantic.DeepEqual(k.got, k.want) {
			t.Errorf("%s: got %v, want %v", k.name, k.got, k.want)
		}
	}

	specs := map[string][2][]corev1.Container{
		"initContainers": {in.Spec.InitContainers, out.Spec.InitContainers},
		"containers":     {in.Spec.Containers, out.Spec.Containers},
	}
	for field, pair := range specs {
		for i := range pair[0] {
			a, b := &pair[0][i], &pair[1][i]
			if a.Name != b.Name || a.Image != b.Image {
				t.Errorf("%s[%d]: name/image %s %s, want %s %s", field, i, b.Name, b.Image, a.Name, a.Image)
			}
			if !equality.Semantic.DeepEqual(a.RestartPolicy, b.RestartPolicy) {
				t.Errorf("%s[%d] %s: restartPolicy %v, want %v", field, i, a.Name, b.RestartPolicy, a.RestartPolicy)
			}
			if !equality.Semantic.DeepEqual(a.Resources.Requests, b.Resources.Requests) ||
				!equality.Semantic.DeepEqual(a.Resources.Limits, b.Resources.Limits) {
				t.Errorf("%s[%d] %s: resources %v, want %v", field, i, a.Name, b.Resources, a.Resources)
			}
			if (a.StartupProbe != nil) != (b.StartupProbe != nil) {
				t.Errorf("%s[%d] %s: startup probe presence %v, want %v", field, i, a.Name, b.StartupProbe != nil, a.StartupProbe != nil)
			}
		}
	}
	statuses := map[string][2][]corev1.ContainerStatus{
		"initContainerStatuses": {in.Status.InitContainerStatuses, out.Status.InitContainerStatuses},
		"containerStatuses":     {in.Status.ContainerStatuses, out.Status.ContainerStatuses},
	}
	for field, pair := range statuses {
		for i := range pair[0] {
			a, b := pair[0][i], pair[1][i]
			// Drop exactly what the transform is allowed to drop; the rest
			// must be identical.
			a.VolumeMounts, a.User, a.Resources, a.AllocatedResources = nil, nil, nil, nil
			a.AllocatedResourcesStatus, a.StopSignal = nil, nil
			if !equality.Semantic.DeepEqual(a, b) {
				t.Errorf("%s[%d] %s differs:\n got %+v\nwant %+v", field, i, a.Name, b, a)
			}
		}
	}
}

// TestStripPodDrops checks that the bulky, never-shown parts are gone.
func TestStripPodDrops(t *testing.T) {
	out := StripPod(loadPod(t, "pod-webapp.yaml"))
	if out.ManagedFields != nil {
		t.Error("managedFields kept")
	}
	if _, ok := out.Annotations[corev1.LastAppliedConfigAnnotation]; ok {
		t.Error("last-applied annotation kept")
	}
	if _, ok := out.Annotations["prometheus.io/scrape"]; ok {
		t.Error("unrelated annotation kept")
	}
	if out.GenerateName != "" || out.Generation != 0 {
		t.Error("generateName/generation kept")
	}
	spec := out.Spec
	if spec.Volumes != nil || spec.Tolerations != nil || spec.Affinity != nil || spec.SecurityContext != nil ||
		spec.ServiceAccountName != "" || spec.DNSPolicy != "" || spec.TerminationGracePeriodSeconds != nil {
		t.Errorf("pod spec extras kept: %+v", spec)
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if c.Env != nil || c.EnvFrom != nil || c.VolumeMounts != nil || c.Command != nil || c.Args != nil ||
			c.Ports != nil || c.ReadinessProbe != nil || c.LivenessProbe != nil || c.TerminationMessagePath != "" ||
			c.ImagePullPolicy != "" {
			t.Errorf("container %s: extras kept: %+v", c.Name, c)
		}
		if c.StartupProbe != nil && !equality.Semantic.DeepEqual(*c.StartupProbe, corev1.Probe{}) {
			t.Errorf("container %s: startup probe not reduced to a marker: %+v", c.Name, c.StartupProbe)
		}
	}
	if out.Status.QOSClass != "" || out.Status.HostIPs != nil {
		t.Error("status extras kept")
	}
	for _, s := range append(append([]corev1.ContainerStatus{}, out.Status.InitContainerStatuses...), out.Status.ContainerStatuses...) {
		if s.VolumeMounts != nil || s.User != nil || s.Resources != nil || s.AllocatedResources != nil {
			t.Errorf("status of %s: extras kept", s.Name)
		}
	}
}

func TestStripPodIdempotentAndPure(t *testing.T) {
	cases := map[string]func(*corev1.Pod){
		"fixture": func(*corev1.Pod) {},
		"no annotations": func(p *corev1.Pod) {
			p.Annotations = nil
		},
		"terminating": func(p *corev1.Pod) {
			now := metav1.NewTime(p.CreationTimestamp.Add(90))
			p.DeletionTimestamp = &now
			p.Finalizers = []string{"example.com/hold"}
		},
		"no status": func(p *corev1.Pod) {
			p.Status = corev1.PodStatus{}
		},
	}
	base := loadPod(t, "pod-webapp.yaml")
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			in := base.DeepCopy()
			mutate(in)
			before := in.DeepCopy()
			once := StripPod(in)
			if !equality.Semantic.DeepEqual(in, before) {
				t.Fatal("StripPod modified its input")
			}
			twice := StripPod(once.DeepCopy())
			if !equality.Semantic.DeepEqual(once, twice) {
				t.Fatalf("not idempotent:\n once %+v\ntwice %+v", once, twice)
			}
			if !equality.Semantic.DeepEqual(once.DeletionTimestamp, in.DeletionTimestamp) ||
				!equality.Semantic.DeepEqual(once.Finalizers, in.Finalizers) {
				t.Error("deletion timestamp or finalizers lost")
			}
		})
	}
	if StripPod(nil) != nil {
		t.Error("StripPod(nil) != nil")
	}
}

func TestTransformDispatch(t *testing.T) {
	pod := loadPod(t, "pod-webapp.yaml")
	ev := loadEvent(t, "event-backoff.yaml")
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "x"}}}}

	got, err := Transform(pod)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.(*PackedPod).Pod(); p.ManagedFields != nil || p.Name != pod.Name {
		t.Error("pod not stripped")
	}
	if again, _ := Transform(got); again.(*PackedPod) != got.(*PackedPod) {
		t.Error("Transform packed a packed pod again")
	}

	got, err = Transform(ev)
	if err != nil {
		t.Fatal(err)
	}
	e := got.(*corev1.Event)
	if e.ManagedFields != nil {
		t.Error("event managedFields kept")
	}
	if ev.ManagedFields == nil {
		t.Error("StripEvent modified its input")
	}
	want := ev.DeepCopy()
	want.ManagedFields = nil
	if !equality.Semantic.DeepEqual(e, want) {
		t.Errorf("event changed beyond managedFields:\n got %+v\nwant %+v", e, want)
	}
	if again := StripEvent(e); again != e {
		t.Error("StripEvent copied an already stripped event")
	}

	got, err = Transform(cache.DeletedFinalStateUnknown{Key: "shop/webapp", Obj: pod})
	if err != nil {
		t.Fatal(err)
	}
	tomb := got.(cache.DeletedFinalStateUnknown)
	if tomb.Key != "shop/webapp" || tomb.Obj.(*PackedPod).ManagedFields != nil {
		t.Errorf("tombstone not transformed: %+v", tomb)
	}

	got, err = Transform(node)
	if err != nil {
		t.Fatal(err)
	}
	if got != node {
		t.Error("unknown types must pass through untouched")
	}
}

// BenchmarkPodHeap measures the Go heap one cached pod holds, decoded from
// protobuf as the informer receives it, with and without the transform.
// The figure is the "heapB/pod" metric; ns/op is the cost of decoding (and
// stripping) podHeapBatch pods.
func BenchmarkPodHeap(b *testing.B) {
	const podHeapBatch = 2000
	wire, err := loadPod(b, "pod-webapp.yaml").Marshal()
	if err != nil {
		b.Fatal(err)
	}
	// "stripped" pods share one template, as replicas of a Deployment do;
	// "stripped-distinct" gives every pod its own labels, images and
	// requests, the worst case for the sharing in intern.go. "packed" and
	// "packed-distinct" are the same pods as the cache keeps them
	// (PackedPod); "stripped" is what one costs unpacked.
	for _, mode := range []string{"raw", "stripped", "stripped-distinct", "packed", "packed-distinct"} {
		b.Run(mode, func(b *testing.B) {
			var perPod float64
			for b.Loop() {
				pods := make([]*corev1.Pod, podHeapBatch)
				packed := make([]*PackedPod, podHeapBatch)
				// Empty the sharing tables, or maps kept from an earlier
				// iteration would be freed (or reused) within this one.
				resetInterning()
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				for i := range pods {
					pod := &corev1.Pod{}
					if err := pod.Unmarshal(wire); err != nil {
						b.Fatal(err)
					}
					pod.Name = fmt.Sprintf("webapp-%d", i)
					if strings.HasSuffix(mode, "-distinct") {
						makeDistinct(pod, i)
					}
					pods[i], packed[i] = keptAs(mode, pod)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perPod = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / podHeapBatch
				runtime.KeepAlive(pods)
				runtime.KeepAlive(packed)
			}
			b.ReportMetric(perPod, "heapB/pod")
		})
	}
}

// keptAs is pod as mode keeps it: raw, stripped, or packed.
func keptAs(mode string, pod *corev1.Pod) (*corev1.Pod, *PackedPod) {
	switch {
	case mode == "raw":
		return pod, nil
	case strings.HasPrefix(mode, "packed"):
		return nil, PackPod(pod)
	}
	return StripPod(pod), nil
}

// makeDistinct gives pod values no other pod of the benchmark has.
func makeDistinct(pod *corev1.Pod, i int) {
	pod.Labels["pod-template-hash"] = fmt.Sprintf("h%d", i)
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for j := range cs {
			cs[j].Image = fmt.Sprintf("%s-%d", cs[j].Image, i)
			cs[j].Resources.Requests = corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewMilliQuantity(int64(100+i), resource.DecimalSI),
				corev1.ResourceMemory: *resource.NewQuantity(int64(1<<20+i), resource.BinarySI),
			}
		}
	}
	for _, ss := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for j := range ss {
			ss[j].Image = fmt.Sprintf("%s-%d", ss[j].Image, i)
		}
	}
}

func resetInterning() {
	for _, in := range []interface{ reset() }{resourceLists, labelSets, containerSets, ownerRefLists, waitingStates, wireContainers, wireLabels, wireOwnerRefs} {
		in.reset()
	}
	conditionShapes.reset()
	statusShapes.reset()
}

// TestStripPodSharesStatusStrings: conditions are held in a slice of their
// own length, and what repeats between pods (condition types, statuses and
// reasons, container state reasons and messages) is one string for all of
// them; a terminated state's container ID is the status's own string. The
// values themselves are unchanged (TestStripPodKeeps).
func TestStripPodSharesStatusStrings(t *testing.T) {
	a, b := loadPod(t, "pod-webapp.yaml"), loadPod(t, "pod-webapp.yaml")
	// Decoded pods hold their own copy of every string, and the
	// conditions in a slice grown by doubling: build them that way.
	for _, p := range []*corev1.Pod{a, b} {
		conds := make([]corev1.PodCondition, 0, 2*len(p.Status.Conditions))
		for _, c := range p.Status.Conditions {
			c.Type = corev1.PodConditionType(strings.Clone(string(c.Type)))
			c.Status = corev1.ConditionStatus(strings.Clone(string(c.Status)))
			c.Reason = strings.Clone(c.Reason)
			conds = append(conds, c)
		}
		p.Status.Conditions = conds
		for i := range p.Status.InitContainerStatuses {
			s := &p.Status.InitContainerStatuses[i]
			if term := s.LastTerminationState.Terminated; term != nil {
				term.ContainerID = strings.Clone(term.ContainerID)
				term.Reason = strings.Clone(term.Reason)
			}
			if w := s.State.Waiting; w != nil {
				w.Reason = strings.Clone(w.Reason)
			}
		}
	}
	sa, sb := StripPod(a), StripPod(b)
	same := func(x, y string) bool { return len(x) > 0 && unsafe.StringData(x) == unsafe.StringData(y) }

	if got, want := cap(sa.Status.Conditions), len(a.Status.Conditions); got != want {
		t.Errorf("conditions: capacity %d, want their number %d", got, want)
	}
	for i := range sa.Status.Conditions {
		ca, cb := sa.Status.Conditions[i], sb.Status.Conditions[i]
		if !same(string(ca.Type), string(cb.Type)) || !same(string(ca.Status), string(cb.Status)) {
			t.Errorf("condition %s: type and status not shared between pods", ca.Type)
		}
		if ca.Reason != "" && !same(ca.Reason, cb.Reason) {
			t.Errorf("condition %s: reason %q not shared between pods", ca.Type, ca.Reason)
		}
	}
	var terminated, waiting int
	for i := range sa.Status.InitContainerStatuses {
		xa, xb := &sa.Status.InitContainerStatuses[i], &sb.Status.InitContainerStatuses[i]
		for _, st := range [][2]corev1.ContainerState{{xa.State, xb.State}, {xa.LastTerminationState, xb.LastTerminationState}} {
			if ta := st[0].Terminated; ta != nil {
				terminated++
				if !same(ta.Reason, st[1].Terminated.Reason) {
					t.Errorf("%s: terminated reason %q not shared", xa.Name, ta.Reason)
				}
				if ta.ContainerID == xa.ContainerID && !same(ta.ContainerID, xa.ContainerID) {
					t.Errorf("%s: terminated container ID is a second copy of the status's", xa.Name)
				}
			}
			if wa := st[0].Waiting; wa != nil {
				waiting++
				if !same(wa.Reason, st[1].Waiting.Reason) {
					t.Errorf("%s: waiting reason %q not shared", xa.Name, wa.Reason)
				}
			}
		}
	}
	if terminated == 0 || waiting == 0 {
		t.Fatalf("fixture has %d terminated and %d waiting states: the test checks nothing", terminated, waiting)
	}
}

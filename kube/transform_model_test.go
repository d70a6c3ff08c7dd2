package kube

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/e2e/podgen"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// modelPods are the pods the transform is checked over: every pod fixture,
// e2e/podgen's oracle cases and the spread of its large loads, each decoded
// from protobuf as the informer receives it (every string its own copy).
func modelPods(t *testing.T) []*corev1.Pod {
	t.Helper()
	var pods []*corev1.Pod
	for _, dir := range []string{"testdata", filepath.Join("..", "testdata", "pods")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var pod corev1.Pod
			if err := yaml.Unmarshal(data, &pod); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if pod.Kind == "Pod" || strings.HasPrefix(filepath.Base(f), "pod-") {
				pods = append(pods, &pod)
			}
		}
	}
	templates, err := podgen.LoadTemplates(filepath.Join("..", "testdata", "e2e", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	g := &podgen.Generator{Templates: templates, Namespaces: []string{"a", "b"},
		Base: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	cases := g.OracleCases()
	for i := range 64 {
		cases = append(cases, g.Spread(i))
	}
	for _, c := range cases {
		pod := c.Pod.DeepCopy()
		if c.Status != nil {
			pod.Status = *c.Status
		}
		pods = append(pods, pod)
	}
	if len(pods) < 250 {
		t.Fatalf("only %d pods", len(pods))
	}
	for i, p := range pods {
		wire, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		decoded := &corev1.Pod{}
		if err := decoded.Unmarshal(wire); err != nil {
			t.Fatal(err)
		}
		pods[i] = decoded
	}
	return pods
}

// TestStripPodModelIdentical: everything model/ and rollout/ compute from a
// pod (its row, printed status, steps, progress, conditions, resources,
// rollout reference, and the rollout summary and failure signatures over
// all of them) is the same from the stripped pod as from the pod decoded
// in full.
func TestStripPodModelIdentical(t *testing.T) {
	resetInterning()
	raw := modelPods(t)
	stripped := make([]*corev1.Pod, len(raw))
	for i, p := range raw {
		stripped[i] = StripPod(p)
	}
	// The fixtures' times are spread over years: ages and durations are
	// compared at several instants.
	for _, now := range []time.Time{
		time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC),
	} {
		for i := range raw {
			a, b := raw[i], stripped[i]
			for _, c := range []struct {
				what      string
				want, got any
			}{
				{"PodView", model.NewPodView(a, now), model.NewPodView(b, now)},
				{"Conditions", model.Conditions(a), model.Conditions(b)},
				{"EffectiveResources", model.EffectiveResources(a), model.EffectiveResources(b)},
				{"RefOf", rollout.RefOf(a), rollout.RefOf(b)},
				{"ContextOf", model.ContextOf(a), model.ContextOf(b)},
			} {
				if !reflect.DeepEqual(c.want, c.got) {
					t.Fatalf("%s/%s at %s: %s differs after the transform:\n got %+v\nwant %+v",
						a.Namespace, a.Name, now, c.what, c.got, c.want)
				}
			}
		}
		owners := rollout.NewOwners()
		want := summaryText(t, rollout.Summarize(raw, owners, now, rollout.Options{}))
		if got := summaryText(t, rollout.Summarize(stripped, owners, now, rollout.Options{})); got != want {
			t.Fatalf("at %s: rollout summary differs after the transform:\n got %s\nwant %s", now, got, want)
		}
		want = signaturesText(t, rollout.Signatures(raw, owners, now))
		if got := signaturesText(t, rollout.Signatures(stripped, owners, now)); got != want {
			t.Fatalf("at %s: failure signatures differ after the transform:\n got %s\nwant %s", now, got, want)
		}
	}
}

// summaryText is s as JSON (pointers followed) with each workload's
// signatures in a fixed order: rollout orders signatures of equal counts as
// it meets them, which varies between runs over the same pods.
func summaryText(t *testing.T, s rollout.Summary) string {
	t.Helper()
	var b strings.Builder
	for i := range s.Workloads {
		b.WriteString(signaturesText(t, s.Workloads[i].Signatures))
		s.Workloads[i].Signatures = nil
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(data)
	return b.String()
}

func signaturesText(t *testing.T, sigs []rollout.Signature) string {
	t.Helper()
	lines := make([]string, len(sigs))
	for i, sig := range sigs {
		data, err := json.Marshal(sig)
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = string(data)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestStripPodValues: the stripped pod holds exactly the values of the
// fields StripPod documents as kept (sharing strings, maps and structs
// between pods changes no value), over the same pods.
func TestStripPodValues(t *testing.T) {
	resetInterning()
	for _, p := range modelPods(t) {
		want := keptFields(p)
		got := StripPod(p)
		if !equality.Semantic.DeepEqual(got, want) {
			t.Fatalf("%s/%s:\n got %+v\nwant %+v", p.Namespace, p.Name, got, want)
		}
	}
}

// keptFields copies, without sharing anything, the fields StripPod keeps.
func keptFields(in *corev1.Pod) *corev1.Pod {
	p := in.DeepCopy()
	out := &corev1.Pod{TypeMeta: p.TypeMeta}
	out.Name, out.Namespace, out.UID, out.ResourceVersion = p.Name, p.Namespace, p.UID, p.ResourceVersion
	out.CreationTimestamp, out.DeletionTimestamp = p.CreationTimestamp, p.DeletionTimestamp
	out.DeletionGracePeriodSeconds = p.DeletionGracePeriodSeconds
	out.Labels, out.OwnerReferences, out.Finalizers = p.Labels, p.OwnerReferences, p.Finalizers
	if v, ok := p.Annotations[defaultContainerAnnotation]; ok {
		out.Annotations = map[string]string{defaultContainerAnnotation: v}
	}
	containers := func(cs []corev1.Container) []corev1.Container {
		if cs == nil {
			return nil
		}
		kept := make([]corev1.Container, len(cs))
		for i, c := range cs {
			kept[i] = corev1.Container{Name: c.Name, Image: c.Image, RestartPolicy: c.RestartPolicy,
				RestartPolicyRules: c.RestartPolicyRules,
				Resources:          corev1.ResourceRequirements{Requests: c.Resources.Requests, Limits: c.Resources.Limits}}
			if c.StartupProbe != nil {
				kept[i].StartupProbe = &corev1.Probe{}
			}
		}
		return kept
	}
	out.Spec = corev1.PodSpec{
		InitContainers: containers(p.Spec.InitContainers), Containers: containers(p.Spec.Containers),
		RestartPolicy: p.Spec.RestartPolicy, NodeName: p.Spec.NodeName, Overhead: p.Spec.Overhead,
		Resources: p.Spec.Resources, SchedulingGates: p.Spec.SchedulingGates, ReadinessGates: p.Spec.ReadinessGates,
	}
	statuses := func(ss []corev1.ContainerStatus) []corev1.ContainerStatus {
		if ss == nil {
			return nil
		}
		kept := make([]corev1.ContainerStatus, len(ss))
		for i, s := range ss {
			kept[i] = corev1.ContainerStatus{Name: s.Name, State: s.State, LastTerminationState: s.LastTerminationState,
				Ready: s.Ready, RestartCount: s.RestartCount, Image: s.Image, ImageID: s.ImageID,
				ContainerID: s.ContainerID, Started: s.Started}
		}
		return kept
	}
	st := &p.Status
	out.Status = corev1.PodStatus{
		Phase: st.Phase, Conditions: st.Conditions, Message: st.Message, Reason: st.Reason,
		NominatedNodeName: st.NominatedNodeName, HostIP: st.HostIP, PodIP: st.PodIP, PodIPs: st.PodIPs,
		StartTime: st.StartTime, InitContainerStatuses: statuses(st.InitContainerStatuses),
		ContainerStatuses: statuses(st.ContainerStatuses),
	}
	return out
}

package model

import (
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func ago(d time.Duration) metav1.Time { return metav1.NewTime(testNow.Add(-d)) }

func seedEvents() []*corev1.Event {
	pod := corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "k8s-init-containers-64f984c8d7-tdjrg", UID: "6f1c2b9e-6a43-4a55-9d43-0c3f6a1e2b01"}
	withPath := func(fp string) corev1.ObjectReference { r := pod; r.FieldPath = fp; return r }
	return []*corev1.Event{
		{ // events.k8s.io style, as the scheduler writes it.
			ObjectMeta:          metav1.ObjectMeta{Name: "e1", Namespace: "default"},
			InvolvedObject:      pod,
			Type:                "Normal",
			Reason:              "Scheduled",
			Message:             "Successfully assigned default/k8s-init-containers-64f984c8d7-tdjrg to kind-worker",
			EventTime:           metav1.NewMicroTime(testNow.Add(-252 * time.Second)),
			ReportingController: "default-scheduler",
		},
		{ // core/v1 style with a count, as the kubelet writes it.
			ObjectMeta:     metav1.ObjectMeta{Name: "e2", Namespace: "default"},
			InvolvedObject: withPath("spec.initContainers{init-check-services}"),
			Type:           "Warning",
			Reason:         "BackOff",
			Message:        "Back-off restarting failed container init-check-services in pod k8s-init-containers-64f984c8d7-tdjrg_default(6f1c2b9e-6a43-4a55-9d43-0c3f6a1e2b01)\n",
			Source:         corev1.EventSource{Component: "kubelet", Host: "kind-worker"},
			Count:          3,
			FirstTimestamp: ago(5 * time.Minute),
			LastTimestamp:  ago(2 * time.Minute),
		},
		{ // events.k8s.io series.
			ObjectMeta:          metav1.ObjectMeta{Name: "e3", Namespace: "default"},
			InvolvedObject:      withPath("spec.initContainers{init-check-services}"),
			Type:                "Normal",
			Reason:              "Pulled",
			Message:             `Container image "loftsh/app-init:FLiBwNW" already present on machine`,
			ReportingController: "kubelet",
			EventTime:           metav1.NewMicroTime(testNow.Add(-10 * time.Minute)),
			Series:              &corev1.EventSeries{Count: 5, LastObservedTime: metav1.NewMicroTime(testNow.Add(-30 * time.Second))},
		},
		{ // no time at all.
			ObjectMeta:     metav1.ObjectMeta{Name: "e4", Namespace: "default"},
			InvolvedObject: pod,
			Type:           "Normal",
			Reason:         "Mystery",
		},
		{ // an earlier pod with the same name.
			ObjectMeta:     metav1.ObjectMeta{Name: "e5", Namespace: "default"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: "k8s-init-containers-64f984c8d7-tdjrg", UID: "older"},
			Reason:         "Killing",
			LastTimestamp:  ago(time.Hour),
		},
		{ // same name, other kind.
			ObjectMeta:     metav1.ObjectMeta{Name: "e6", Namespace: "default"},
			InvolvedObject: corev1.ObjectReference{Kind: "ReplicaSet", Namespace: "default", Name: "k8s-init-containers-64f984c8d7-tdjrg"},
			Reason:         "SuccessfulCreate",
		},
		{ // same name, other namespace.
			ObjectMeta:     metav1.ObjectMeta{Name: "e7", Namespace: "other"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "other", Name: "k8s-init-containers-64f984c8d7-tdjrg"},
			Reason:         "Scheduled",
		},
		nil,
	}
}

func TestEventsFor(t *testing.T) {
	pod := loadPod(t, "seed-04-init-crashloopbackoff")
	var names []string
	for _, e := range EventsFor(pod, seedEvents()) {
		names = append(names, e.Name)
	}
	if want := []string{"e1", "e2", "e3", "e4"}; !slices.Equal(names, want) {
		t.Errorf("EventsFor = %v, want %v", names, want)
	}
	noUID := pod.DeepCopy()
	noUID.UID = ""
	if got := len(EventsFor(noUID, seedEvents())); got != 5 {
		t.Errorf("without a pod UID, %d events match, want 5 (name and namespace only)", got)
	}
}

func TestPodEvents(t *testing.T) {
	pod := loadPod(t, "seed-04-init-crashloopbackoff")
	rows := PodEvents(EventsFor(pod, seedEvents()), testNow)
	type row struct{ typ, reason, age, from, msg, container string }
	var got []row
	for _, r := range rows {
		got = append(got, row{r.Type, r.Reason, r.Age, r.From, r.Message, r.Container})
	}
	want := []row{
		{"Normal", "Pulled", "30s (x5 over 10m)", "kubelet",
			`spec.initContainers{init-check-services}: Container image "loftsh/app-init:FLiBwNW" already present on machine`, "init-check-services"},
		{"Warning", "BackOff", "2m (x3 over 5m)", "kubelet",
			"spec.initContainers{init-check-services}: Back-off restarting failed container init-check-services in pod k8s-init-containers-64f984c8d7-tdjrg_default(6f1c2b9e-6a43-4a55-9d43-0c3f6a1e2b01)", "init-check-services"},
		{"Normal", "Scheduled", "4m12s", "default-scheduler",
			"Successfully assigned default/k8s-init-containers-64f984c8d7-tdjrg to kind-worker", ""},
		{"Normal", "Mystery", "<unknown>", "", "", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n got  %q\n want %q", got, want)
	}
	if rows[0].Count != 5 || rows[1].Count != 3 || rows[2].Count != 1 {
		t.Errorf("counts = %d %d %d, want 5 3 1", rows[0].Count, rows[1].Count, rows[2].Count)
	}
	if rows[1].FirstSeen == nil || !rows[1].FirstSeen.Equal(testNow.Add(-5*time.Minute)) ||
		rows[1].LastSeen == nil || !rows[1].LastSeen.Equal(testNow.Add(-2*time.Minute)) {
		t.Errorf("BackOff seen %v .. %v", rows[1].FirstSeen, rows[1].LastSeen)
	}
}

func TestPodEventsHostile(t *testing.T) {
	ev := &corev1.Event{
		Reason:  "Evil\x1b[2J",
		Message: "\u202eflipped\x1b]8;;http://x\x07link\x1b]8;;\x07",
		Count:   1, LastTimestamp: ago(time.Second), FirstTimestamp: ago(time.Second),
	}
	r := PodEvents([]*corev1.Event{ev}, testNow)[0]
	if r.Reason != "Evil" || r.Message != "flippedlink" || r.Age != "1s" {
		t.Errorf("row = %+v", r)
	}
}

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/e2e/podgen"
	"github.com/initwatch/initwatch/kube"
)

// TestSourceSurvivesAPIServerRestart kills the apiserver under a running
// informer source (a crash: connections drop at once; a graceful stop would
// only add the apiserver's 60 s drain of open watches), starts it again on
// the same etcd and port, then changes
// pods: the consumer's map must end equal to the apiserver's list — no pod
// lost while the server was away, none left over or doubled, every change
// made after the restart delivered.
func TestSourceSurvivesAPIServerRestart(t *testing.T) {
	cp := controlplane.StartForTest(t) // private: stopping the shared one would break other tests
	ctx := context.Background()
	cs, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	gen := restartGenerator(t)
	if err := podgen.EnsureNamespaces(ctx, cs, gen.Namespaces); err != nil {
		t.Fatal(err)
	}
	var before []podgen.Case
	for i := range 20 {
		before = append(before, gen.Step(i%5))
	}
	if err := podgen.Apply(ctx, cs, before, 4); err != nil {
		t.Fatal(err)
	}

	src := record(t, cs, kube.Options{})
	src.waitFor(t, "the initial list", func(s recorderState) bool {
		return s.synced && sameAsServer(ctx, cs, s.pods) == ""
	})

	if err := cp.KillAPIServer(); err != nil {
		t.Fatalf("kill apiserver: %v", err)
	}
	src.waitFor(t, "the source to notice the apiserver is gone", func(s recorderState) bool {
		return slices.Contains(s.phases, kube.ConnReconnecting)
	})
	if pods := src.state().pods; len(pods) != len(before) {
		t.Fatalf("while the apiserver is down the source holds %d pods, want the %d it had", len(pods), len(before))
	}
	if err := cp.StartAPIServer(ctx); err != nil {
		t.Fatalf("restart apiserver: %v", err)
	}

	// After the restart: new pods, status changes, deletions.
	var after []podgen.Case
	for i := range 10 {
		after = append(after, gen.Step(i%5))
	}
	if err := podgen.Apply(ctx, cs, after, 4); err != nil {
		t.Fatal(err)
	}
	for _, c := range before[:4] { // at steps 0..3: finish their initialization
		advanceInit(ctx, t, cs, c.Pod, gen, 4)
	}
	for _, c := range before[5:10] {
		if err := cs.CoreV1().Pods(c.Pod.Namespace).Delete(ctx, c.Pod.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete %s: %v", c.Pod.Name, err)
		}
	}
	src.waitFor(t, "the source to match the apiserver after the restart", func(s recorderState) bool {
		return sameAsServer(ctx, cs, s.pods) == ""
	})
	st := src.state()
	pods, phases := st.pods, st.phases
	if diff := sameAsServer(ctx, cs, pods); diff != "" {
		t.Fatal(diff)
	}
	if want := len(before) + len(after) - 5; len(pods) != want {
		t.Fatalf("source holds %d pods, want %d", len(pods), want)
	}
	src.waitFor(t, "the connection to be live again", func(s recorderState) bool {
		return len(s.phases) > 0 && s.phases[len(s.phases)-1] == kube.ConnLive
	})
	t.Logf("connection phases seen: %v", phases)
}

func restartGenerator(t *testing.T) *podgen.Generator {
	t.Helper()
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	templates, err := podgen.LoadTemplates(filepath.Join(root, "testdata", "e2e", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	return &podgen.Generator{
		Templates:  templates,
		Namespaces: []string{"restart-a", "restart-b"},
		Base:       time.Now().Truncate(time.Second),
	}
}

// advanceInit rewrites pod's status with its first done init containers,
// as the kubelet reports progress.
func advanceInit(ctx context.Context, t *testing.T, cs kubernetes.Interface, pod *corev1.Pod, gen *podgen.Generator, done int) {
	t.Helper()
	cur, err := cs.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s: %v", pod.Name, err)
	}
	cur.Status = podgen.BuildStatus(cur, podgen.StepPlan(cur, done), gen.Base)
	if _, err := cs.CoreV1().Pods(cur.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update status of %s: %v", pod.Name, err)
	}
}

// sameAsServer compares the consumer's pods with a fresh LIST: same keys,
// UIDs and resource versions. It returns "" when they agree.
func sameAsServer(ctx context.Context, cs kubernetes.Interface, pods map[kube.PodKey]*corev1.Pod) string {
	list, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return "list pods: " + err.Error()
	}
	if len(list.Items) != len(pods) {
		return fmt.Sprintf("the apiserver has %d pods, the source %d", len(list.Items), len(pods))
	}
	for i := range list.Items {
		want := &list.Items[i]
		got, ok := pods[kube.PodKey{Namespace: want.Namespace, Name: want.Name}]
		switch {
		case !ok:
			return fmt.Sprintf("the source lost %s/%s", want.Namespace, want.Name)
		case got.UID != want.UID:
			return fmt.Sprintf("%s/%s: the source holds uid %s, the apiserver %s", want.Namespace, want.Name, got.UID, want.UID)
		case got.ResourceVersion != want.ResourceVersion:
			return fmt.Sprintf("%s/%s: the source holds resourceVersion %s, the apiserver %s", want.Namespace, want.Name, got.ResourceVersion, want.ResourceVersion)
		}
	}
	return ""
}

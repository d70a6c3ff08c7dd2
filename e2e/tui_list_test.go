package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// startListTerm runs `initwatch args...` against kubeconfig kc in a
// detached 120×30 tmux session. NO_COLOR picks the mono theme, whose
// progress bar glyphs differ per step phase, so the bar can be read from
// capture-pane.
func startListTerm(t *testing.T, kc string, args ...string) *term {
	t.Helper()
	return startListTermSized(t, 120, 30, kc, args...)
}

// startListTermSized is startListTerm in a w×h terminal.
func startListTermSized(t *testing.T, w, h int, kc string, args ...string) *term {
	t.Helper()
	bin := initwatchBinary(t)
	dir := t.TempDir()
	env := []string{"KUBECONFIG=" + kc, "NO_COLOR=1",
		"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"TERM=xterm-256color"}
	return startTerm(t, termOptions{w: w, h: h, env: env, inheritEnv: true, statusBar: true,
		bound: 60 * time.Second, rawScreen: true}, append([]string{bin}, args...)...)
}

// stepsPod is a pod with three init containers on a node no kubelet runs:
// its status is what the test writes, as a kubelet would.
func stepsPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": "tui-list"}},
		Spec: corev1.PodSpec{
			NodeName: "node-1",
			InitContainers: []corev1.Container{
				{Name: "migrate-db", Image: "busybox"},
				{Name: "wait-for-kafka", Image: "busybox"},
				{Name: "warm-cache", Image: "busybox"},
			},
			Containers: []corev1.Container{{Name: "api", Image: "busybox"}},
		},
	}
}

// writeSteps sets the pod's status: the first done steps completed, then
// step `done` in state cur (nil: all done and the app running and ready).
func writeSteps(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, name string, done int, cur *corev1.ContainerState) {
	t.Helper()
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get %s/%s: %v", ns, name, err)
	}
	start := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	pod.Status.Phase = corev1.PodPending
	pod.Status.Conditions = nil
	pod.Status.InitContainerStatuses = nil
	for i, c := range pod.Spec.InitContainers {
		st := corev1.ContainerStatus{Name: c.Name, Image: c.Image}
		switch {
		case i < done || cur == nil:
			st.Ready = true
			st.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: start, FinishedAt: start}
		case i == done:
			st.State = *cur
		default:
			st.State.Waiting = &corev1.ContainerStateWaiting{Reason: "PodInitializing"}
		}
		pod.Status.InitContainerStatuses = append(pod.Status.InitContainerStatuses, st)
	}
	app := corev1.ContainerStatus{Name: "api", Image: "busybox"}
	if cur == nil {
		pod.Status.Phase = corev1.PodRunning
		pod.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue},
			{Type: corev1.PodReady, Status: corev1.ConditionTrue},
		}
		app.Ready, app.Started = true, new(true)
		app.State.Running = &corev1.ContainerStateRunning{StartedAt: start}
	} else {
		app.State.Waiting = &corev1.ContainerStateWaiting{Reason: "PodInitializing"}
	}
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{app}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("update status of %s/%s: %v", ns, name, err)
	}
}

// kubectlStatuses is the STATUS column of `kubectl get pods -n ns`.
func kubectlStatuses(t *testing.T, kc, ns string) map[string]string {
	t.Helper()
	res := run(t, []string{"KUBECONFIG=" + kc}, kubectlBinary(t), "get", "pods", "-n", ns, "--no-headers")
	if res.code != 0 {
		t.Fatalf("kubectl get pods: exit %d: %s", res.code, res.stderr)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		if f := strings.Fields(line); len(f) >= 3 {
			out[f[0]] = f[2]
		}
	}
	return out
}

// TestTUIListInTmux runs the real binary against the real apiserver: the
// list shows each pod's STATUS as kubectl prints it and its init progress
// bar, the header counts them, the filter narrows the list, a status written
// in the apiserver shows up on screen, and the detail view of the failing
// pod shows its init container's exit code and reason.
func TestTUIListInTmux(t *testing.T) {
	cp := shared.Get(t)
	cs, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	kc := adminKubeconfig(t, cp)
	ctx := context.Background()
	ns := unique("tui-list")
	ensureNamespace(ctx, t, cs, ns)
	for _, name := range []string{"checkout-0", "checkout-1", "ledger-0"} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, stepsPod(ns, name), metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s: %v", name, err)
		}
	}
	started := metav1.NewTime(time.Now().Add(-30 * time.Second).Truncate(time.Second))
	finished := metav1.NewTime(time.Now().Add(-20 * time.Second).Truncate(time.Second))
	writeSteps(ctx, t, cs, ns, "checkout-0", 1, &corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}})
	writeSteps(ctx, t, cs, ns, "checkout-1", 0, &corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 3, Reason: "Error", StartedAt: started, FinishedAt: finished,
	}})
	writeSteps(ctx, t, cs, ns, "ledger-0", 0, nil)

	oracle := kubectlStatuses(t, kc, ns)
	want := map[string]string{"checkout-0": "Init:1/3", "checkout-1": "Init:Error", "ledger-0": "Running"}
	for name, st := range want {
		if oracle[name] != st {
			t.Fatalf("kubectl says %s is %q, the test wrote %q", name, oracle[name], st)
		}
	}

	lt := startListTerm(t, kc, "-n", ns)
	// Mono glyphs: █ done, ▶ running, ✗ failed, · waiting.
	lt.waitForAll("the three pods with kubectl's STATUS and their progress bars", []string{
		`ns ` + regexp.QuoteMeta(ns), `● live`,
		`1 initializing  1 failing  1 ready  3 total`,
		`checkout-1\s+0/1\s+` + regexp.QuoteMeta(oracle["checkout-1"]) + `\s+0\s+\S+\s+✗··\s+0/3\s+migrate-db`,
		`checkout-0\s+0/1\s+` + regexp.QuoteMeta(oracle["checkout-0"]) + `\s+0\s+\S+\s+█▶·\s+1/3\s+wait-for-kafka`,
		`ledger-0\s+1/1\s+` + regexp.QuoteMeta(oracle["ledger-0"]) + `\s+0\s+\S+\s+███\s+3/3`,
	})
	// NO_COLOR: no colour at all, yet the cursor row stands out (reverse
	// video), and the status is bold where it matters.
	styled := lt.screenWithEscapes()
	if regexp.MustCompile(`\x1b\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|38;|48;)[0-9;]*m`).MatchString(styled) {
		t.Fatalf("colours on screen under NO_COLOR:\n%q", styled)
	}
	if !regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m[^\n]*checkout-1`).MatchString(styled) {
		t.Fatalf("the cursor row is not in reverse video under NO_COLOR:\n%q", styled)
	}
	// Triage order: the failing pod first.
	screen := lt.screen()
	if strings.Index(screen, "checkout-1") > strings.Index(screen, "checkout-0") ||
		strings.Index(screen, "checkout-0") > strings.Index(screen, "ledger-0") {
		t.Fatalf("not in triage order (failing, initializing, ready):\n%s", screen)
	}

	// The fuzzy filter narrows the list as the query is typed.
	lt.keys("/")
	lt.text("ledg")
	lt.waitForAll("the filter keeping ledger-0 only", []string{`ledger-0\s+1/1\s+Running`, `/ledg`}, `checkout-`)
	lt.keys("Escape")
	lt.waitForAll("the cleared filter", []string{`checkout-0`, `checkout-1`, `ledger-0`})

	// A status change made in the apiserver reaches the screen.
	writeSteps(ctx, t, cs, ns, "checkout-0", 2, &corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: finished}})
	if got := kubectlStatuses(t, kc, ns)["checkout-0"]; got != "Init:2/3" {
		t.Fatalf("kubectl says checkout-0 is %q after the update", got)
	}
	lt.waitForAll("checkout-0 on its third step", []string{
		`checkout-0\s+0/1\s+Init:2/3\s+0\s+\S+\s+██▶\s+2/3\s+warm-cache`,
	}, `Init:1/3`)

	// Drill into the failing pod: its init container's exit code and reason.
	lt.keys("/")
	lt.text("checkout-1")
	lt.keys("Enter", "Enter")
	lt.waitForAll("the failing step in the detail view", []string{
		ns + `/checkout-1`, `migrate-db`, `Reason:\s+Error`, `Exit Code:\s+3\b`,
	})
	lt.keys("Escape")
	lt.waitForAll("back on the list", []string{`NAME\s+READY\s+STATUS`, `checkout-1\s+0/1\s+Init:Error`})

	lt.keys("q")
	if code := lt.exitStatus(); code != 0 {
		t.Fatalf("initwatch exited with status %d; screen:\n%s", code, lt.screen())
	}
}

package e2e

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/kube"
)

const pluginNamespace = "plugin-e2e"

// TestKubectlPlugin installs the real binary as kubectl-initwatch on PATH,
// as krew does, and drives it through kubectl: `kubectl initwatch get -A`
// against the real apiserver must list the pods with the READY and STATUS
// kubectl itself prints, its help must say `kubectl initwatch`, and
// kubectl's plugin completion (through kubectl_complete-initwatch) must
// offer flags and the cluster's namespaces.
func TestKubectlPlugin(t *testing.T) {
	cp := shared.Get(t)
	kubectl := kubectlBinary(t)
	bin := initwatchBinary(t)
	kc := adminKubeconfig(t, cp)
	cs, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	createPluginPods(t, cs)

	// The plugin is a copy named kubectl-initwatch; the completion helper
	// is a symlink to it, the way a user installs one.
	dir := t.TempDir()
	plugin := filepath.Join(dir, "kubectl-initwatch")
	copyExecutable(t, bin, plugin)
	if err := os.Symlink(plugin, filepath.Join(dir, "kubectl_complete-initwatch")); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"KUBECONFIG=" + kc,
		// Keep the tests' HOME config out of the way.
		"XDG_CONFIG_HOME=" + t.TempDir(),
	}

	t.Run("kubectl finds the plugin", func(t *testing.T) {
		res := run(t, env, kubectl, "plugin", "list")
		if res.code != 0 || !strings.Contains(res.stdout, plugin) {
			t.Fatalf("kubectl plugin list (exit %d) does not list %s:\n%s%s", res.code, plugin, res.stdout, res.stderr)
		}
	})

	t.Run("get -A agrees with kubectl get pods -A", func(t *testing.T) {
		res := run(t, env, kubectl, "initwatch", "get", "-A")
		if res.code != 0 {
			t.Fatalf("kubectl initwatch get -A: exit %d\n%s", res.code, res.stderr)
		}
		lines := strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
		if header := cellGap.Split(lines[0], -1); strings.Join(header, " ") != strings.Join(initwatchColumns, " ") {
			t.Fatalf("header = %q, want %q", header, initwatchColumns)
		}
		ours := parseTable(t, "kubectl initwatch get", strings.Join(lines[1:], "\n"), len(initwatchColumns))

		oracle := run(t, env, kubectl, "get", "pods", "-A", "--no-headers")
		if oracle.code != 0 {
			t.Fatalf("kubectl get pods -A: exit %d\n%s", oracle.code, oracle.stderr)
		}
		theirs := parseTable(t, "kubectl get pods", oracle.stdout, len(kubectlColumns))

		seen := 0
		for key, want := range theirs {
			if key.Namespace != pluginNamespace {
				continue
			}
			seen++
			got, ok := ours[key]
			if !ok {
				t.Errorf("kubectl initwatch get -A lacks %s/%s", key.Namespace, key.Name)
				continue
			}
			for _, col := range []int{colReady, colStatus, colRestarts} {
				if got[col] != want[col] {
					t.Errorf("%s/%s %s = %q, kubectl says %q", key.Namespace, key.Name, kubectlColumns[col], got[col], want[col])
				}
			}
		}
		if seen != len(pluginPods) {
			t.Fatalf("kubectl get pods -A shows %d pods in %s, want %d:\n%s", seen, pluginNamespace, len(pluginPods), oracle.stdout)
		}
		for _, p := range pluginPods {
			row := ours[kube.PodKey{Namespace: pluginNamespace, Name: p.name}]
			if row == nil || row[colStatus] != p.status || row[colInit] != p.init || row[colActive] != p.active {
				t.Errorf("%s row = %q, want STATUS %s INIT %s ACTIVE %s", p.name, row, p.status, p.init, p.active)
			}
		}
	})

	t.Run("help and usage say kubectl initwatch", func(t *testing.T) {
		for _, args := range [][]string{{"initwatch", "--help"}, {"initwatch", "get", "--help"}} {
			res := run(t, env, kubectl, args...)
			if res.code != 0 {
				t.Fatalf("kubectl %v: exit %d\n%s", args, res.code, res.stderr)
			}
			if !regexp.MustCompile(`(?m)^  kubectl initwatch( get)? \[flags\]`).MatchString(res.stdout) {
				t.Errorf("kubectl %v usage does not say `kubectl initwatch`:\n%s", args, res.stdout)
			}
			if regexp.MustCompile(`(?m)^  initwatch `).MatchString(res.stdout) {
				t.Errorf("kubectl %v usage still shows a bare `initwatch` command line:\n%s", args, res.stdout)
			}
		}
		res := run(t, env, kubectl, "initwatch", "bogus")
		if res.code != 2 || !strings.Contains(res.stderr, "See 'kubectl initwatch --help'.") {
			t.Errorf("kubectl initwatch bogus: exit %d, stderr %q; want exit 2 and a kubectl initwatch hint", res.code, res.stderr)
		}
	})

	t.Run("version", func(t *testing.T) {
		res := run(t, env, kubectl, "initwatch", "version")
		if res.code != 0 {
			t.Fatalf("kubectl initwatch version: exit %d\n%s", res.code, res.stderr)
		}
		want := "client-go: " + goModVersion(t, "k8s.io/client-go")
		if !strings.Contains(res.stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, res.stdout)
		}
	})

	t.Run("kubectl completes the plugin's flags and namespaces", func(t *testing.T) {
		res := run(t, env, kubectl, "__complete", "initwatch", "get", "--namesp")
		if res.code != 0 || !strings.Contains(res.stdout, "--namespace") {
			t.Errorf("kubectl __complete initwatch get --namesp: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		// Namespaces come from the real apiserver.
		res = run(t, env, kubectl, "__complete", "initwatch", "get", "-n", "plugin-")
		if res.code != 0 || !regexp.MustCompile(`(?m)^`+pluginNamespace+`$`).MatchString(res.stdout) {
			t.Errorf("kubectl __complete initwatch get -n plugin-: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
	})
}

type pluginPod struct {
	name                 string
	status, init, active string
	initStates           []corev1.ContainerState
}

// pluginPods: one pod part-way through its init containers, one whose
// second init container failed.
var pluginPods = []pluginPod{
	{name: "shop-running-init", status: "Init:1/2", init: "1/2", active: "init-check-database",
		initStates: []corev1.ContainerState{
			{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}},
			{Running: &corev1.ContainerStateRunning{}},
		}},
	{name: "shop-failed-init", status: "Init:Error", init: "1/2", active: "init-check-database",
		initStates: []corev1.ContainerState{
			{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}},
			{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}},
		}},
}

func createPluginPods(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: pluginNamespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	started := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	for _, p := range pluginPods {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: p.name, Namespace: pluginNamespace},
			Spec: corev1.PodSpec{
				NodeName: "node-1",
				InitContainers: []corev1.Container{
					{Name: "init-fetch-files", Image: "busybox"},
					{Name: "init-check-database", Image: "busybox"},
				},
				Containers: []corev1.Container{{Name: "app", Image: "nginx"}},
			},
		}
		created, err := cs.CoreV1().Pods(pluginNamespace).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create pod %s: %v", p.name, err)
		}
		t.Cleanup(func() {
			_ = cs.CoreV1().Pods(pluginNamespace).Delete(context.Background(), p.name, *metav1.NewDeleteOptions(0))
		})
		created.Status = corev1.PodStatus{
			Phase:     corev1.PodPending,
			StartTime: &started,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: started},
				{Type: corev1.PodInitialized, Status: corev1.ConditionFalse, Reason: "ContainersNotInitialized", LastTransitionTime: started},
			},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "app", Image: "nginx",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}},
			}},
		}
		for i, st := range p.initStates {
			c := created.Spec.InitContainers[i]
			if st.Terminated != nil {
				st.Terminated.StartedAt, st.Terminated.FinishedAt = started, started
			}
			if st.Running != nil {
				st.Running.StartedAt = started
			}
			created.Status.InitContainerStatuses = append(created.Status.InitContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, State: st, Ready: st.Terminated != nil && st.Terminated.ExitCode == 0,
			})
		}
		if _, err := cs.CoreV1().Pods(pluginNamespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("update status of %s: %v", p.name, err)
		}
	}
}

func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// goModVersion is the version go.mod requires of module path: what the
// binary must report it was built with.
func goModVersion(t *testing.T, path string) string {
	t.Helper()
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(path) + `\s+(v\S+)`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatalf("go.mod does not require %s", path)
	}
	return m[1]
}

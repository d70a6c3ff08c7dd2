package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/logs"
)

// logsBound keeps a test that waits for a screen or a stream from hanging
// the suite; it is a guard, not an assertion on speed.
const logsBound = 60 * time.Second

// logsEnv is a kwok that serves the logs of one node's pods from files the
// test writes, a node it manages, and a namespace with the pod of
// testdata/kwok/pod-init-logs.yaml bound to that node. The test acts as
// the kubelet for the pod's status.
type logsEnv struct {
	cp   *controlplane.ControlPlane
	cs   kubernetes.Interface
	kwok *controlplane.Kwok
	dir  string // the log files kwok serves
	ns   string
	pod  *corev1.Pod
}

func newLogsEnv(t *testing.T) *logsEnv {
	t.Helper()
	cp := shared.Get(t)
	cs, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := filepath.Join(root, "testdata", "kwok")
	e := &logsEnv{cp: cp, cs: cs, dir: t.TempDir(), ns: unique("logs")}
	files, err := filepath.Glob(filepath.Join(fixtures, "logs", "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("log fixtures: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e.write(t, filepath.Base(f), string(data))
	}
	tmpl, err := os.ReadFile(filepath.Join(fixtures, "clusterlogs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	clusterLogs := filepath.Join(e.dir, "clusterlogs.yaml")
	if err := os.WriteFile(clusterLogs, []byte(strings.ReplaceAll(string(tmpl), "@DIR@", e.dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	e.kwok = controlplane.StartKwokForTest(t, cp, controlplane.KwokOptions{
		Configs: []string{filepath.Join(fixtures, "stage-node-ready.yaml"), clusterLogs},
	})

	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:        unique("kwok-logs"),
		Annotations: map[string]string{controlplane.KwokNodeAnnotation: e.kwok.NodeSelector},
	}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create node: %v", err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{}) })
	eventually(t, "kwok to make the node its own", func() string {
		n, err := cs.CoreV1().Nodes().Get(ctx, node.Name, metav1.GetOptions{})
		if err != nil {
			return err.Error()
		}
		if port := n.Status.DaemonEndpoints.KubeletEndpoint.Port; port != int32(e.kwok.Port) {
			return fmt.Sprintf("kubelet port %d, want %d", port, e.kwok.Port)
		}
		return ""
	})

	ensureNamespace(ctx, t, cs, e.ns)
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), e.ns, metav1.DeleteOptions{}) })
	data, err := os.ReadFile(filepath.Join(fixtures, "pod-init-logs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(data, &pod); err != nil {
		t.Fatal(err)
	}
	pod.Namespace, pod.UID, pod.CreationTimestamp = e.ns, "", metav1.Time{}
	pod.Spec.NodeName = node.Name
	if e.pod, err = cs.CoreV1().Pods(e.ns).Create(ctx, &pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod: %v", err)
	}
	return e
}

// write replaces a log file atomically (kwok reopens a file that was
// replaced, like the kubelet after a rotation).
func (e *logsEnv) write(t *testing.T, name, content string) {
	t.Helper()
	tmp := filepath.Join(e.dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(e.dir, name)); err != nil {
		t.Fatal(err)
	}
}

func (e *logsEnv) read(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// appendLine writes one CRI line at the end of a log file, as the container
// runtime does while a container runs.
func (e *logsEnv) appendLine(t *testing.T, name string, at time.Time, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(e.dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s stdout F %s\n", at.UTC().Format(time.RFC3339Nano), text); err != nil {
		t.Fatal(err)
	}
}

// Statuses the test writes as the kubelet, step by step.

func logsWaiting(name string) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Image: "busybox:1.36",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}
}

func logsRunning(name string, restarts int32, lastExit *int32) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: name, Image: "busybox:1.36", RestartCount: restarts,
		ContainerID: fmt.Sprintf("containerd://%s-%d", name, restarts),
		State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}
	if lastExit != nil {
		cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
			ExitCode: *lastExit, Reason: "Error", ContainerID: fmt.Sprintf("containerd://%s-%d", name, restarts-1),
			StartedAt: metav1.Now(), FinishedAt: metav1.Now(),
		}
	}
	return cs
}

func logsCompleted(name string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, Image: "busybox:1.36", RestartCount: restarts,
		ContainerID: fmt.Sprintf("containerd://%s-%d", name, restarts),
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 0, Reason: "Completed", ContainerID: fmt.Sprintf("containerd://%s-%d", name, restarts),
			StartedAt: metav1.Now(), FinishedAt: metav1.Now(),
		}}}
}

// setStatus writes the init containers' statuses (app waiting) and returns
// the pod as the apiserver stored it.
func (e *logsEnv) setStatus(t *testing.T, checkServices, migrateDB corev1.ContainerStatus) *corev1.Pod {
	t.Helper()
	ctx := context.Background()
	pod, err := e.cs.CoreV1().Pods(e.ns).Get(ctx, e.pod.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.Phase = corev1.PodPending
	pod.Status.InitContainerStatuses = []corev1.ContainerStatus{checkServices, migrateDB}
	pod.Status.ContainerStatuses = []corev1.ContainerStatus{logsWaiting("app")}
	pod.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodInitialized, Status: corev1.ConditionFalse, Reason: "ContainersNotInitialized", LastTransitionTime: metav1.Now()},
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()},
	}
	pod, err = e.cs.CoreV1().Pods(e.ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("update status: %v", err)
	}
	return pod
}

// followsServed counts the log follows kwok is serving: each holds an
// inotify instance on the log folder until the apiserver hangs up, which
// it does when the client (initwatch) does.
func (e *logsEnv) followsServed(t *testing.T) int {
	t.Helper()
	fdDir := fmt.Sprintf("/proc/%d/fd", e.kwok.Pid())
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		t.Fatalf("list kwok's files: %v", err)
	}
	n := 0
	for _, ent := range entries {
		if target, err := os.Readlink(filepath.Join(fdDir, ent.Name())); err == nil && target == "anon_inode:inotify" {
			n++
		}
	}
	return n
}

// kubectlLogs is the oracle: what `kubectl logs` prints for the container.
func (e *logsEnv) kubectlLogs(t *testing.T, container string, previous bool) []string {
	t.Helper()
	args := []string{"--kubeconfig", adminKubeconfig(t, e.cp), "-n", e.ns, "logs", e.pod.Name, "-c", container}
	if previous {
		args = append(args, "-p")
	}
	res := run(t, nil, kubectlBinary(t), args...)
	if res.code != 0 {
		t.Fatalf("kubectl %v: exit %d: %s", args, res.code, res.stderr)
	}
	return strings.Split(strings.TrimRight(res.stdout, "\n"), "\n")
}

// logsPane runs a logs.Model in the test, the way Bubble Tea would:
// every command in its own goroutine, every message back through Update.
type logsPane struct {
	t    *testing.T
	m    logs.Model
	msgs chan tea.Msg
}

func newLogsPane(t *testing.T, cs kubernetes.Interface, w, h int) *logsPane {
	src := kube.NewLogSource(cs, kube.LogStreamOptions{})
	m := logs.New(src, themes.Mono(), keymap.Default(), logs.Options{}).SetSize(w, h)
	return &logsPane{t: t, m: m, msgs: make(chan tea.Msg, 1000)}
}

func (p *logsPane) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			p.msgs <- msg
		}
	}()
}

func (p *logsPane) setPod(pod *corev1.Pod) {
	var cmd tea.Cmd
	p.m, cmd = p.m.SetPod(pod)
	p.run(cmd)
}

func (p *logsPane) key(k string) {
	var cmd tea.Cmd
	p.m, cmd = p.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	p.run(cmd)
}

func (p *logsPane) view() string { return ansi.Strip(p.m.View()) }

// waitFor feeds the pane its stream's messages until its screen shows
// every pattern.
func (p *logsPane) waitFor(what string, patterns ...string) string {
	p.t.Helper()
	guard := time.After(logsBound)
	for {
		v := p.view()
		if logsContainsAll(v, patterns) {
			return v
		}
		select {
		case msg := <-p.msgs:
			var cmd tea.Cmd
			p.m, cmd = p.m.Update(msg)
			p.run(cmd)
		case <-guard:
			p.t.Fatalf("gave up waiting for %s (%q); screen:\n%s", what, patterns, v)
		}
	}
}

func logsContainsAll(s string, patterns []string) bool {
	for _, p := range patterns {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// logsBody returns the text lines of a logs pane screen: rows between the
// header and the status line, blank ones and markers left out.
func logsBody(view string) []string {
	rows := strings.Split(view, "\n")
	var out []string
	for _, r := range rows[1 : len(rows)-1] {
		if r = strings.TrimRight(r, " "); r != "" && !strings.HasPrefix(r, "──") {
			out = append(out, r)
		}
	}
	return out
}

func logsEqual(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n%s\nkubectl logs says:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var (
	exit1  = int32(1)
	t0Logs = time.Date(2026, 1, 1, 0, 1, 10, 0, time.UTC) // after the fixtures' lines
)

// TestLogsPaneKwok follows a crash-looping init container through the real
// apiserver and kwok: initwatch's kube.LogSource and logs pane, with
// kubectl logs as the oracle.
func TestLogsPaneKwok(t *testing.T) {
	e := newLogsEnv(t)
	base := e.followsServed(t)
	p := newLogsPane(t, e.cs, 120, 30)

	// Nothing has started: a clear line, no error, no request.
	p.setPod(e.setStatus(t, logsWaiting("check-services"), logsWaiting("migrate-db")))
	var cmd tea.Cmd
	p.m, cmd = p.m.Focus()
	p.run(cmd)
	p.waitFor("the waiting line", "waiting: PodInitializing")

	// It starts (and has crashed before): the pane attaches by itself.
	p.setPod(e.setStatus(t, logsRunning("check-services", 4, &exit1), logsWaiting("migrate-db")))
	v := p.waitFor("the current run", "run 4: still waiting for app-redis", "check-services init 1/2")
	logsEqual(t, "current run", logsBody(v), e.kubectlLogs(t, "check-services", false))
	if n := e.followsServed(t); n != base+1 {
		t.Errorf("kwok serves %d follows, want %d", n-base, 1)
	}

	// p: the previous run, which says why it failed.
	p.key("p")
	v = p.waitFor("the previous run", "not available yet, exit 1", "end of the previous run")
	logsEqual(t, "previous run", logsBody(v), e.kubectlLogs(t, "check-services", true))
	p.key("p")
	p.waitFor("the current run again", "run 4: still waiting for app-redis", "following")

	// Lines the container writes appear.
	e.appendLine(t, "check-services.log", t0Logs, "run 4: appended while watching")
	p.waitFor("the appended line", "run 4: appended while watching")

	// A restart: the kubelet rotates the files and bumps the count.
	e.write(t, "check-services-previous.log", e.read(t, "check-services.log"))
	e.write(t, "check-services.log", e.read(t, "check-services-run5.log"))
	p.setPod(e.setStatus(t, logsRunning("check-services", 5, &exit1), logsWaiting("migrate-db")))
	v = p.waitFor("the new run after a marker", "── restart 5", "run 5: all services up")
	body := logsBody(v)
	want := []string{
		"run 4: waiting for app-redis", "run 4: still waiting for app-redis", "run 4: appended while watching",
		"run 5: app-redis answers", "run 5: all services up",
	}
	logsEqual(t, "lines across the restart (each once)", body, want)

	// Initialization moves on: the pane follows the next step.
	p.setPod(e.setStatus(t, logsCompleted("check-services", 5), logsRunning("migrate-db", 0, nil)))
	v = p.waitFor("the next init container", "migrate-db init 2/2", "migrate-db: applying schema v7")
	logsEqual(t, "next step", logsBody(v), e.kubectlLogs(t, "migrate-db", false))

	// Leaving closes the stream, all the way to kwok.
	p.m = p.m.Blur()
	eventually(t, "kwok to see the follow end", func() string {
		if n := e.followsServed(t) - base; n != 0 {
			return fmt.Sprintf("%d follows still served", n)
		}
		return ""
	})
}

// startLogsTerm runs argv with env added to the test's own in a detached
// 140×40 tmux session.
func startLogsTerm(t *testing.T, env []string, argv ...string) *term {
	t.Helper()
	return startTerm(t, termOptions{w: 140, h: 40, env: env, inheritEnv: true, statusBar: true,
		bound: logsBound, rawScreen: true}, argv...)
}

// TestLogsPaneInTmux is the same story on the real binary's screen.
func TestLogsPaneInTmux(t *testing.T) {
	e := newLogsEnv(t)
	bin := initwatchBinary(t)
	base := e.followsServed(t)
	e.setStatus(t, logsRunning("check-services", 4, &exit1), logsWaiting("migrate-db"))

	lt := startLogsTerm(t, []string{"NO_COLOR=1"}, bin, "--kubeconfig", adminKubeconfig(t, e.cp), "-n", e.ns)
	lt.waitText("the pod in the list", e.pod.Name)
	lt.keys("Enter")
	lt.keys("l")
	lt.waitText("the current run", "run 4: still waiting for app-redis")

	lt.keys("p")
	lt.waitText("the previous run", "is not available yet, exit 1")
	lt.keys("p")
	lt.waitText("the current run again", "run 4: still waiting for app-redis")

	e.appendLine(t, "check-services.log", t0Logs, "run 4: appended while watching")
	lt.waitText("the appended line", "run 4: appended while watching")

	e.write(t, "check-services-previous.log", e.read(t, "check-services.log"))
	e.write(t, "check-services.log", e.read(t, "check-services-run5.log"))
	e.setStatus(t, logsRunning("check-services", 5, &exit1), logsWaiting("migrate-db"))
	lt.waitText("the restart marker and the new run", "restart 5", "run 5: all services up")

	e.setStatus(t, logsCompleted("check-services", 5), logsRunning("migrate-db", 0, nil))
	lt.waitText("the next init container", "migrate-db: applying schema v7")

	// Leaving the pod (esc) closes the stream.
	lt.keys("Escape")
	eventually(t, "kwok to see the follow end", func() string {
		if n := e.followsServed(t) - base; n != 0 {
			return fmt.Sprintf("%d follows still served", n)
		}
		return ""
	})
	lt.keys("q")
}

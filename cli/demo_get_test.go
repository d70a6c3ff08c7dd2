package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/demo"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

// cellGap separates the table's columns (at least three spaces: RESTARTS
// may read "3 (5s ago)").
var cellGap = regexp.MustCompile(` {3,}`)

// demoEnv is an environment with no kubeconfig anywhere: the demo must not
// need one, and must not ask for a cluster source.
func demoEnv(t *testing.T, stdout *syncBuffer, stderr *bytes.Buffer) *Env {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("KUBECONFIG", filepath.Join(dir, "no-such-kubeconfig"))
	return &Env{
		Stdout: stdout, Stderr: stderr,
		// A clock far from the simulation's: ages must come from the
		// simulated clock, not this one.
		Now: func() time.Time { return fixedNow },
		NewSource: func(*kube.ConfigFlags, kube.Options) (kube.PodSource, error) {
			t.Error("the demo asked for a cluster source")
			return nil, context.Canceled
		},
		LookupEnv: mapEnv{"HOME": dir}.lookup,
	}
}

// syncBuffer is stdout shared between the command and the test reading it
// while it runs; changed is signalled on every write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// demoPodsAt are the pods of a simulation of seed after d, as a real
// apiserver would list them, and the simulated clock they are dated by.
func demoPodsAt(t *testing.T, seed uint64, d time.Duration) ([]*corev1.Pod, time.Time) {
	t.Helper()
	c := demo.New(demo.Options{Seed: seed})
	if err := c.Step(d); err != nil {
		t.Fatal(err)
	}
	list, err := c.Client().CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) == 0 {
		t.Fatal("the demo starts with no pods")
	}
	pods := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		pods[i] = &list.Items[i]
	}
	return pods, c.Now()
}

// TestGetDemo: `initwatch get --demo` prints the simulated cluster's pods
// half a minute in, as a table or as JSON, with kubectl's columns and ages
// on the simulated clock, without any kubeconfig.
func TestGetDemo(t *testing.T) {
	want := map[string]model.Printed{}
	pods, now := demoPodsAt(t, 7, demoSnapshotAt)
	statuses := map[string]bool{}
	for _, p := range pods {
		v := model.NewPodView(p, now)
		want[v.Namespace+"/"+v.Name] = v.Printed
		statuses[v.Printed.Status] = true
	}
	// The snapshot is worth showing: init containers at work and failing.
	for _, s := range []string{"Running", "Init:CrashLoopBackOff", "Init:Error"} {
		if !statuses[s] {
			t.Fatalf("no %s pod %s into the demo: %v", s, demoSnapshotAt, statuses)
		}
	}

	t.Run("table", func(t *testing.T) {
		stdout, stderr := newSyncBuffer(), &bytes.Buffer{}
		code := Main(context.Background(), []string{"get", "--demo", "--demo-seed", "7"}, demoEnv(t, stdout, stderr))
		if code != ExitOK || stderr.Len() != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		if got := cellGap.Split(lines[0], -1); strings.Join(got, " ") != "NAMESPACE NAME READY STATUS RESTARTS AGE INIT ACTIVE" {
			t.Fatalf("header %q", lines[0])
		}
		if len(lines)-1 != len(want) {
			t.Fatalf("%d rows, want the %d pods of the simulation:\n%s", len(lines)-1, len(want), stdout)
		}
		for _, line := range lines[1:] {
			f := cellGap.Split(line, -1)
			p, ok := want[f[0]+"/"+f[1]]
			if !ok {
				t.Fatalf("row %q is not a pod of the simulation", line)
			}
			if len(f) != 8 || f[2] != p.Ready || f[3] != p.Status || f[4] != p.Restarts || f[5] != p.Age {
				t.Errorf("row %q, want READY %s STATUS %s RESTARTS %s AGE %s", line, p.Ready, p.Status, p.Restarts, p.Age)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		stdout, stderr := newSyncBuffer(), &bytes.Buffer{}
		code := Main(context.Background(), []string{"get", "-o", "json", "--demo", "--demo-seed=7"}, demoEnv(t, stdout, stderr))
		if code != ExitOK || stderr.Len() != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		var views []model.PodView
		if err := json.Unmarshal([]byte(stdout.String()), &views); err != nil {
			t.Fatalf("decode: %v\n%s", err, stdout)
		}
		if len(views) != len(want) {
			t.Fatalf("%d pods, want %d", len(views), len(want))
		}
		for _, v := range views {
			p, ok := want[v.Namespace+"/"+v.Name]
			if !ok || v.Printed.Ready != p.Ready || v.Printed.Status != p.Status || v.Printed.Restarts != p.Restarts || v.Printed.Age != p.Age {
				t.Errorf("%s/%s: printed %+v, want %+v (known: %v)", v.Namespace, v.Name, v.Printed, p, ok)
			}
		}
	})
}

// TestGetWatchDemo: `initwatch get -w --demo` streams the simulation's
// changes, one line each, in the scope asked for, until interrupted.
func TestGetWatchDemo(t *testing.T) {
	stdout, stderr := newSyncBuffer(), &bytes.Buffer{}
	env := demoEnv(t, stdout, stderr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() {
		exited <- Main(ctx, []string{"get", "-w", "--demo", "--demo-speed", "20x", "-n", "default"}, env)
	}()
	// The seed app's init container fails and backs off within its first
	// half minute of simulated time: a second or two at 20x.
	deadline := time.After(time.Minute)
	for !strings.Contains(stdout.String(), "Init:CrashLoopBackOff") {
		select {
		case <-stdout.changed:
		case code := <-exited:
			t.Fatalf("exited %d before the back-off; stdout:\n%s\nstderr: %s", code, stdout, stderr)
		case <-deadline:
			t.Fatalf("no back-off streamed; stdout:\n%s", stdout)
		}
	}
	cancel() // as Ctrl-C would
	// The seed app is created a second into the simulation: the list
	// may find default empty, which kubectl says on stderr.
	if code, e := <-exited, stderr.String(); code != ExitOK || e != "" && e != "No resources found\n" {
		t.Fatalf("exit %d, stderr %q", code, e)
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "NAMESPACE") {
		t.Fatalf("no header: %q", lines[0])
	}
	statuses := map[string]bool{}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "default" {
			t.Fatalf("line %q is not a pod of -n default", line)
		}
		if strings.HasPrefix(f[1], "k8s-init-containers-") {
			statuses[f[3]] = true
		}
	}
	// Changes within one frame are coalesced: which intermediate states
	// show depends on timing, but the app goes through several.
	if len(statuses) < 3 || !statuses["Init:CrashLoopBackOff"] {
		t.Errorf("the seed app showed %v, want its init steps and the back-off; stdout:\n%s", statuses, stdout)
	}
}

// TestGetDemoFlags: the demo's flags on get are checked like the root's.
func TestGetDemoFlags(t *testing.T) {
	for _, args := range [][]string{
		{"get", "--demo-seed", "2"},
		{"get", "--demo", "--demo-speed", "warp"},
	} {
		code, out, errOut := runMain(t, &Env{}, args...)
		if code != ExitUsage || out != "" || !strings.HasPrefix(errOut, "error: --demo-") || !strings.Contains(errOut, "get --help") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, one error and the get hint", args, code, out, errOut)
		}
	}
}

// TestNoKubeconfigSuggestsTheDemo: with no kubeconfig at all, the one-line
// error also names the demo form of the command that failed; a kubeconfig
// that is there but wrong gets no such hint.
func TestNoKubeconfigSuggestsTheDemo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", dir)
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	tests := []struct {
		name string // how the command is spelled (Env.Name)
		args []string
		hint string // "" for none
	}{
		{"", nil, "initwatch --demo"},
		{"", []string{"-n", "shop"}, "initwatch --demo"},
		{"", []string{"get"}, "initwatch get --demo"},
		{"", []string{"get", "-w", "-o", "json"}, "initwatch get --demo"},
		{"kubectl initwatch", []string{"get"}, "kubectl initwatch get --demo"},
		{"", []string{"rollouts"}, "initwatch rollouts --demo"},
		{"", []string{"rollouts", "-w", "-o", "json"}, "initwatch rollouts --demo"},
		{"", []string{"rollouts", "--kubeconfig", filepath.Join(dir, "absent")}, ""},
		{"", []string{"get", "--kubeconfig", filepath.Join(dir, "absent")}, ""},
		{"", []string{"--context", "nope"}, ""},
	}
	for _, tc := range tests {
		code, out, errOut := runMain(t, &Env{Name: tc.name, LookupEnv: mapEnv{"HOME": dir}.lookup}, tc.args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != ExitError || out != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one error line", tc.args, code, out, errOut)
			continue
		}
		hinted := strings.Contains(errOut, "--demo")
		if tc.hint == "" {
			if hinted {
				t.Errorf("%v: %q suggests the demo for a kubeconfig that exists", tc.args, errOut)
			}
			continue
		}
		want := "error: no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or create ~/.kube/config (or try '" + tc.hint + "': a simulated cluster, no kubeconfig needed)"
		if lines[0] != want {
			t.Errorf("%v:\n got %s\nwant %s", tc.args, lines[0], want)
		}
	}
}

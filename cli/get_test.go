package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the clock of every get test.
var fixedNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// scriptedSource is a PodSource that sends fixed batches, then either
// returns err or waits for its context like a real source.
type scriptedSource struct {
	batches []kube.Batch
	err     error // returned after the batches instead of waiting
	// afterLast, when set, runs once the last batch was taken (the test
	// uses it to end a --watch run, as Ctrl-C would).
	afterLast func()
}

func (s *scriptedSource) Run(ctx context.Context, out chan<- kube.Batch) error {
	for _, b := range s.batches {
		select {
		case out <- b:
		case <-ctx.Done():
			return nil
		}
	}
	if s.err != nil {
		return s.err
	}
	if s.afterLast != nil {
		s.afterLast()
	}
	<-ctx.Done()
	return nil
}

func loadPods(t *testing.T) []*corev1.Pod {
	t.Helper()
	return loadPodsFrom(t, "pods.yaml")
}

// loadPodsFrom reads the pods of a List in testdata.
func loadPodsFrom(t *testing.T, name string) []*corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var list corev1.List
	if err := yaml.UnmarshalStrict(data, &list); err != nil {
		t.Fatal(err)
	}
	var pods []*corev1.Pod
	for _, item := range list.Items {
		var p corev1.Pod
		if err := yaml.Unmarshal(item.Raw, &p); err != nil {
			t.Fatal(err)
		}
		pods = append(pods, &p)
	}
	return pods
}

// writeKubeconfig writes a kubeconfig the flags resolve without any
// network (the tests replace the source).
func writeKubeconfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	const kc = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: ctx
  context: {cluster: c, user: u, namespace: shop}
current-context: ctx
`
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runCLI runs Main with src as the pod source and a clean environment.
func runCLI(t *testing.T, src kube.PodSource, args ...string) (stdout, stderr string, code int, opts kube.Options) {
	t.Helper()
	return runCLIAt(t, fixedNow, src, args...)
}

// runCLIAt is runCLI with the clock at now.
func runCLIAt(t *testing.T, now time.Time, src kube.PodSource, args ...string) (stdout, stderr string, code int, opts kube.Options) {
	t.Helper()
	var out, errOut bytes.Buffer
	home := t.TempDir()
	env := &Env{
		Stdout: &out,
		Stderr: &errOut,
		Now:    func() time.Time { return now },
		NewSource: func(_ *kube.ConfigFlags, o kube.Options) (kube.PodSource, error) {
			opts = o
			return src, nil
		},
		LookupEnv: func(key string) (string, bool) {
			if key == "HOME" {
				return home, true
			}
			return "", false
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if s, ok := src.(*scriptedSource); ok && s.afterLast == nil && s.err == nil {
		s.afterLast = cancel
	}
	code = Main(ctx, args, env)
	return out.String(), errOut.String(), code, opts
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestGetTable(t *testing.T) {
	pods := loadPods(t)
	kc := writeKubeconfig(t)
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"table", []string{"get", "--kubeconfig", kc}, "get.golden"},
		{"no headers", []string{"get", "--kubeconfig", kc, "--no-headers"}, "get-no-headers.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The initial list arrives in two batches; only the synced
			// one may print.
			src := &scriptedSource{batches: []kube.Batch{
				{Upserted: pods[:2]},
				{Upserted: pods[2:], Synced: true},
			}}
			stdout, stderr, code, _ := runCLI(t, src, tc.args...)
			if code != ExitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			golden(t, tc.golden, stdout)
			if strings.ContainsRune(stdout, '\x1b') || strings.ContainsRune(stdout, '\a') {
				t.Errorf("a control character reached the output: %q", stdout)
			}
		})
	}
}

func TestGetJSON(t *testing.T) {
	pods := loadPods(t)
	src := &scriptedSource{batches: []kube.Batch{{Upserted: pods, Synced: true}}}
	stdout, stderr, code, _ := runCLI(t, src, "get", "--kubeconfig", writeKubeconfig(t), "-o", "json")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var views []model.PodView
	if err := json.Unmarshal([]byte(stdout), &views); err != nil {
		t.Fatalf("not a PodView list: %v\n%s", err, stdout)
	}
	var got []string
	for _, v := range views {
		got = append(got, v.Namespace+"/"+v.Name+" "+v.Printed.Status+" "+v.Progress.ActiveName)
	}
	want := []string{
		"backend/api-0 Running ",
		"backend/evil\x1b]0;pwned\a-0 Pending ",
		"shop/web-1 Init:1/4 init-check-services",
		"shop/web-2 Init:CrashLoopBackOff init-check-database",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("views:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// JSON escapes control characters, so the raw output is safe too.
	if strings.ContainsRune(stdout, '\x1b') {
		t.Errorf("raw escape in JSON output")
	}
}

func TestGetWatchPrintsOneLinePerChange(t *testing.T) {
	pods := loadPods(t)
	web1 := pods[1].DeepCopy()
	// The kubelet reports init-check-services done, init-check-database
	// running.
	web1.Status.InitContainerStatuses[1].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 0, Reason: "Completed", StartedAt: pods[1].Status.InitContainerStatuses[1].State.Running.StartedAt,
		FinishedAt: pods[1].CreationTimestamp,
	}}
	web1.Status.InitContainerStatuses[2].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	src := &scriptedSource{batches: []kube.Batch{
		{Upserted: []*corev1.Pod{pods[1], pods[2]}, Synced: true},
		{Upserted: []*corev1.Pod{web1}},
		{Removed: []kube.PodKey{{Namespace: "backend", Name: "api-0"}}},
		{Removed: []kube.PodKey{{Namespace: "backend", Name: "never-seen"}}}, // nothing to print
	}}
	stdout, stderr, code, _ := runCLI(t, src, "get", "--kubeconfig", writeKubeconfig(t), "-w")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	golden(t, "get-watch.golden", stdout)
}

// TestGetWatchFromNoPods: a watch that starts on an empty scope says "No
// resources found" on stderr, then prints the header above its first line,
// as kubectl get -w does.
func TestGetWatchFromNoPods(t *testing.T) {
	pods := loadPods(t)
	for _, tc := range []struct {
		args   []string
		header bool
	}{
		{[]string{"get", "--kubeconfig", writeKubeconfig(t), "-w"}, true},
		{[]string{"get", "--kubeconfig", writeKubeconfig(t), "-w", "--no-headers"}, false},
	} {
		src := &scriptedSource{batches: []kube.Batch{
			{Synced: true},
			{Upserted: pods[1:2]},
			{Upserted: pods[2:3]},
		}}
		stdout, stderr, code, _ := runCLI(t, src, tc.args...)
		if code != ExitOK || stderr != "No resources found\n" {
			t.Fatalf("%v: exit %d, stderr %q", tc.args, code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		want := 2
		if tc.header {
			want++
			if !strings.HasPrefix(lines[0], "NAMESPACE ") || strings.Count(stdout, "NAMESPACE") != 1 {
				t.Errorf("%v: want one header, first:\n%s", tc.args, stdout)
			}
		}
		if len(lines) != want {
			t.Errorf("%v: %d lines, want %d:\n%s", tc.args, len(lines), want, stdout)
		}
	}
}

func TestGetScope(t *testing.T) {
	kc := writeKubeconfig(t)
	tests := []struct {
		name       string
		args       []string
		namespaces []string
		label      string
	}{
		{"default is all namespaces", []string{"get", "--kubeconfig", kc}, nil, ""},
		{"-n narrows", []string{"get", "--kubeconfig", kc, "-n", "shop,backend"}, []string{"shop", "backend"}, ""},
		{"-A wins over -n", []string{"get", "--kubeconfig", kc, "-n", "shop", "-A"}, nil, ""},
		{"selector passed on", []string{"get", "--kubeconfig", kc, "-l", "app=web"}, nil, "app=web"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &scriptedSource{batches: []kube.Batch{{Synced: true}}}
			_, stderr, code, opts := runCLI(t, src, tc.args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.Join(opts.Namespaces, ",") != strings.Join(tc.namespaces, ",") || opts.LabelSelector != tc.label {
				t.Errorf("options %+v, want namespaces %v label %q", opts, tc.namespaces, tc.label)
			}
			if stderr != "No resources found\n" {
				t.Errorf("stderr %q, want kubectl's note for an empty list", stderr)
			}
		})
	}
}

func TestGetErrors(t *testing.T) {
	kc := writeKubeconfig(t)
	tests := []struct {
		name   string
		src    kube.PodSource
		args   []string
		code   int
		stderr string
	}{
		{
			name: "source fails before the list",
			src:  &scriptedSource{err: errors.New("list pods in all namespaces: boom")},
			args: []string{"get", "--kubeconfig", kc},
			code: ExitError, stderr: "error: list pods in all namespaces: boom\n",
		},
		{
			name: "connection lost before the first table",
			src: &scriptedSource{batches: []kube.Batch{
				{Conn: &kube.ConnState{Phase: kube.ConnReconnecting, Err: "cannot reach the API server at https://x: connection refused"}},
			}},
			args: []string{"get", "--kubeconfig", kc},
			code: ExitError, stderr: "error: cannot reach the API server at https://x: connection refused\n",
		},
		{
			name: "bad selector",
			src:  &scriptedSource{},
			args: []string{"get", "--kubeconfig", kc, "-l", "a in (b"},
			code: ExitError,
		},
		{
			name: "unknown flag",
			src:  &scriptedSource{},
			args: []string{"get", "--nope"},
			code: ExitUsage, stderr: "error: unknown flag: --nope\nSee 'initwatch get --help'.\n",
		},
		{
			name: "bad output format",
			src:  &scriptedSource{},
			args: []string{"get", "-o", "yaml"},
			code: ExitUsage, stderr: "error: unknown output format \"yaml\": use -o json, or no -o for a table\nSee 'initwatch get --help'.\n",
		},
		{
			name: "escape sequence in a flag value",
			src:  &scriptedSource{},
			args: []string{"get", "-o", "\x1b[2J"},
			code: ExitUsage,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code, _ := runCLI(t, tc.src, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if tc.stderr != "" && stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", stderr, tc.stderr)
			}
			if !strings.HasPrefix(stderr, "error: ") || strings.ContainsRune(stderr, '\x1b') {
				t.Errorf("stderr %q: want one clean \"error: \" line", stderr)
			}
		})
	}
}

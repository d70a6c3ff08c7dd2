package e2e

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/e2e/podgen"
)

// TestGetWatch runs `initwatch get --watch` against the apiserver: it must
// print the table, then one line per change — a status the kubelet writes,
// a new pod, a deleted pod — in columns aligned under the header, with the
// STATUS kubectl prints for the same pod; Ctrl-C ends it with exit code 0.
func TestGetWatch(t *testing.T) {
	cp := shared.Get(t)
	bin := initwatchBinary(t)
	kubectl := kubectlBinary(t)
	kc := adminKubeconfig(t, cp)
	ctx := context.Background()
	cs, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	gen := restartGenerator(t)
	ns := unique("watch")
	gen.Namespaces = []string{ns}
	if err := podgen.EnsureNamespaces(ctx, cs, gen.Namespaces); err != nil {
		t.Fatal(err)
	}
	initial := []podgen.Case{gen.Step(0), gen.Step(1), gen.Step(4)}
	if err := podgen.Apply(ctx, cs, initial, 3); err != nil {
		t.Fatal(err)
	}

	cmdCtx, cancel := context.WithTimeout(ctx, commandBound)
	defer cancel()
	cmd := exec.CommandContext(cmdCtx, bin, "get", "--watch", "-n", ns, "--kubeconfig", kc)
	var stderr strings.Builder
	lines := startLines(t, cmd, &stderr)
	next := func(what string) string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("initwatch get --watch ended while waiting for %s; stderr: %s", what, stderr.String())
			}
			return l
		case <-time.After(waitBound):
			t.Fatalf("no line from initwatch get --watch for %s", what)
		}
		return ""
	}
	// nextFor skips lines about other pods (none are expected, but a
	// status write may be seen as more than one change).
	nextFor := func(name, what string) []string {
		t.Helper()
		for {
			cells := cellGap.Split(next(what), -1)
			if len(cells) == len(initwatchColumns) && cells[colName] == name {
				return cells
			}
		}
	}

	header := next("the header")
	if got := cellGap.Split(header, -1); strings.Join(got, ",") != strings.Join(initwatchColumns, ",") {
		t.Fatalf("header %q", header)
	}
	offsets := columnOffsets(header)
	seen := map[string][]string{}
	for range initial {
		line := next("the initial rows")
		checkAligned(t, line, offsets)
		cells := cellGap.Split(line, -1)
		seen[cells[colName]] = cells
	}
	for _, c := range initial {
		if _, ok := seen[c.Pod.Name]; !ok {
			t.Fatalf("initial table lacks %s: %v", c.Pod.Name, seen)
		}
	}
	if got := seen[initial[0].Pod.Name][colStatus]; got != "Init:0/4" {
		t.Fatalf("%s STATUS %q, want Init:0/4", initial[0].Pod.Name, got)
	}

	// The kubelet reports progress on the first pod.
	advanceInit(ctx, t, cs, initial[0].Pod, gen, 2)
	cells := nextFor(initial[0].Pod.Name, "the status change")
	want := kubectlStatus(t, kubectl, kc, ns, initial[0].Pod.Name)
	if cells[colStatus] != want || cells[colInit] != "2/4" || cells[colActive] != "init-check-database" {
		t.Errorf("after the change: STATUS %q INIT %q ACTIVE %q; want %q 2/4 init-check-database", cells[colStatus], cells[colInit], cells[colActive], want)
	}

	// A new pod, then a deletion.
	added := gen.Step(3)
	if err := podgen.Apply(ctx, cs, []podgen.Case{added}, 1); err != nil {
		t.Fatal(err)
	}
	// Created, then its status written: a line for each, Pending first.
	cells = nextFor(added.Pod.Name, "the new pod")
	if cells[colStatus] == "Pending" {
		cells = nextFor(added.Pod.Name, "the new pod's status")
	}
	if cells[colStatus] != "Init:3/4" {
		t.Errorf("new pod STATUS %q, want Init:3/4", cells[colStatus])
	}
	if err := cs.CoreV1().Pods(ns).Delete(ctx, initial[1].Pod.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	nextFor(initial[1].Pod.Name, "the deleted pod")

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines { // drain until initwatch closes stdout
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("initwatch get --watch after Ctrl-C: %v; stderr: %s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
}

// columnOffsets returns where each header cell starts.
// startLines starts cmd, its stderr into stderr, and delivers its stdout
// line by line; the channel closes when the command closes its stdout.
func startLines(t *testing.T, cmd *exec.Cmd, stderr *strings.Builder) <-chan string {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

func columnOffsets(header string) []int {
	var offs []int
	for _, loc := range cellGap.FindAllStringIndex(header, -1) {
		offs = append(offs, loc[1])
	}
	return append([]int{0}, offs...)
}

// checkAligned requires line's cells to start under the header's.
func checkAligned(t *testing.T, line string, offsets []int) {
	t.Helper()
	got := columnOffsets(line)
	if len(got) != len(offsets) {
		t.Fatalf("line %q has %d cells, the header %d", line, len(got), len(offsets))
	}
	for i := range got {
		if got[i] != offsets[i] {
			t.Errorf("line %q: column %d starts at %d, header at %d", line, i, got[i], offsets[i])
		}
	}
}

func kubectlStatus(t *testing.T, kubectl, kc, ns, name string) string {
	t.Helper()
	res := run(t, nil, kubectl, "--kubeconfig", kc, "get", "pod", "-n", ns, name, "--no-headers")
	if res.code != 0 {
		t.Fatalf("kubectl get pod %s: %s", name, res.stderr)
	}
	cells := cellGap.Split(strings.TrimSpace(res.stdout), -1)
	if len(cells) < 3 {
		t.Fatalf("kubectl printed %q", res.stdout)
	}
	return cells[2] // NAME READY STATUS ...
}

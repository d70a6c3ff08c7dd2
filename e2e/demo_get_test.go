package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/initwatch/initwatch/model"
)

// noKubeconfigEnv is an environment with no kubeconfig anywhere and no
// in-cluster service: what a laptop without a cluster looks like.
func noKubeconfigEnv(t *testing.T) []string {
	dir := t.TempDir()
	return []string{"KUBECONFIG=", "HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"KUBERNETES_SERVICE_HOST=", "KUBERNETES_SERVICE_PORT="}
}

// TestGetDemo runs the real binary's `get --demo` (table and JSON) with no
// kubeconfig: the simulated cluster's pods, in kubectl's aligned columns,
// the same pods in both formats, the same table for the same seed.
func TestGetDemo(t *testing.T) {
	bin := initwatchBinary(t)
	env := noKubeconfigEnv(t)

	table := run(t, env, bin, "get", "--demo", "--demo-seed", "3")
	if table.code != 0 || table.stderr != "" {
		t.Fatalf("get --demo: exit %d, stderr %q", table.code, table.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(table.stdout, "\n"), "\n")
	if got := cellGap.Split(lines[0], -1); !slices.Equal(got, initwatchColumns) {
		t.Fatalf("header %q", lines[0])
	}
	offsets := columnOffsets(lines[0])
	var names []string
	for _, line := range lines[1:] {
		checkAligned(t, line, offsets)
		cells := cellGap.Split(line, -1)
		if len(cells) != len(initwatchColumns) {
			t.Fatalf("row %q: %d cells", line, len(cells))
		}
		names = append(names, cells[colNamespace]+"/"+cells[colName])
	}
	// A one-shot get shows the demo 40 s in: the release rolling over
	// pods that have run for days, the seed app in back-off and
	// report-export failed for good.
	for _, want := range []string{`(?m)^default\s+k8s-init-containers-\S+\s+0/1\s+Init:CrashLoopBackOff\s+\d+ \(\d+s ago\)`,
		`(?m)^default\s+report-export\s+0/1\s+Init:Error\s`, `(?m)^shop\s+storefront-\S+\s+1/1\s+Running\s+0\s+\d+d`} {
		if !regexp.MustCompile(want).MatchString(table.stdout) {
			t.Errorf("get --demo lacks %s:\n%s", want, table.stdout)
		}
	}

	again := run(t, env, bin, "get", "--demo", "--demo-seed", "3", "--no-headers")
	if again.code != 0 || strings.Join(strings.Fields(again.stdout), " ") != strings.Join(strings.Fields(strings.Join(lines[1:], "\n")), " ") {
		t.Errorf("the same seed printed another table:\n%s\nthen:\n%s", table.stdout, again.stdout)
	}

	js := run(t, env, bin, "get", "-o", "json", "--demo", "--demo-seed", "3")
	if js.code != 0 || js.stderr != "" {
		t.Fatalf("get -o json --demo: exit %d, stderr %q", js.code, js.stderr)
	}
	var views []model.PodView
	if err := json.Unmarshal([]byte(js.stdout), &views); err != nil {
		t.Fatalf("decode: %v\n%s", err, js.stdout)
	}
	var jsonNames []string
	for _, v := range views {
		jsonNames = append(jsonNames, v.Namespace+"/"+v.Name)
	}
	if !slices.Equal(jsonNames, names) {
		t.Errorf("JSON pods %v, table pods %v", jsonNames, names)
	}

	// Without --demo the same environment has no cluster to read.
	if res := run(t, env, bin, "get"); res.code != 1 {
		t.Errorf("get without a kubeconfig: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestGetWatchDemo runs `get -w --demo`: the table, then one line per
// change of the simulation, scoped by -n; the seed app goes through its
// init steps and back-off to Running; Ctrl-C ends it with exit code 0.
func TestGetWatchDemo(t *testing.T) {
	bin := initwatchBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), commandBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "get", "-w", "--demo", "--demo-speed", "20x", "-n", "default")
	cmd.Env = append(cmd.Environ(), noKubeconfigEnv(t)...)
	var stderr strings.Builder
	lines := startLines(t, cmd, &stderr)

	var header string
	statuses := []string{}
	deadline := time.After(waitBound)
	for !slices.Contains(statuses, "Running") {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("get -w --demo ended; stderr: %s", stderr.String())
			}
			if header == "" {
				header = line
				if got := cellGap.Split(line, -1); !slices.Equal(got, initwatchColumns) {
					t.Fatalf("header %q", line)
				}
				continue
			}
			// Columns only widen as wider cells come (kubectl's
			// remembered widths), so lines need not sit under the header.
			cells := cellGap.Split(line, -1)
			if len(cells) != len(initwatchColumns) || cells[colNamespace] != "default" {
				t.Fatalf("line %q is outside -n default", line)
			}
			if strings.HasPrefix(cells[colName], "k8s-init-containers-") {
				statuses = append(statuses, cells[colStatus])
			}
		case <-deadline:
			t.Fatalf("the seed app did not reach Running; its statuses: %v", statuses)
		}
	}
	if i := slices.Index(statuses, "Init:CrashLoopBackOff"); i < 0 || !strings.HasPrefix(statuses[0], "Init:0/") && statuses[0] != "Pending" {
		t.Errorf("the seed app's statuses %v: want it to start at its first step and back off before Running", statuses)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines { // drain until initwatch closes stdout
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("get -w --demo after Ctrl-C: %v; stderr: %s", err, stderr.String())
	}
	// The seed app is created a second into the simulation: the list
	// may find default empty, which kubectl says on stderr.
	if e := stderr.String(); e != "" && e != "No resources found\n" {
		t.Errorf("stderr: %q", e)
	}
}

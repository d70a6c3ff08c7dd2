// Command getbench measures `initwatch get -A` on a large cluster: it starts
// a local etcd + kube-apiserver (the e2e harness), loads pods with four init
// containers each in a spread of init states, and prints, in the same run,
// the median wall time of `initwatch get -A`, of a bare client-go LIST and
// of `kubectl get pods -A`, then the Go heap held per pod after an informer
// sync (initwatch's source next to a plain client-go informer).
//
// Run it through bench/get.sh (make bench-get), which builds the binaries.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/e2e/podgen"
)

type options struct {
	pods, namespaces, runs, parallel int
	initwatch, listpods, heapsize    string
	kubectl                          string
}

func main() {
	var o options
	flag.IntVar(&o.pods, "pods", 10000, "pods to create")
	flag.IntVar(&o.namespaces, "namespaces", 20, "namespaces to spread them over")
	flag.IntVar(&o.runs, "runs", 5, "runs of each command (the median is printed)")
	flag.IntVar(&o.parallel, "parallel", 32, "concurrent writes while loading")
	flag.StringVar(&o.initwatch, "initwatch", "bin/initwatch", "initwatch binary")
	flag.StringVar(&o.listpods, "listpods", "bin/bench/listpods", "bare LIST binary")
	flag.StringVar(&o.heapsize, "heapsize", "bin/bench/heapsize", "heap measuring binary")
	flag.StringVar(&o.kubectl, "kubectl", "", "kubectl binary (default: as the e2e tests find it)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.runs < 3 {
		return fmt.Errorf("-runs %d: at least 3 runs make a median", o.runs)
	}
	if o.kubectl == "" {
		k, err := controlplane.FindKubectl()
		if err != nil {
			return err
		}
		o.kubectl = k
	}
	bins, err := controlplane.FindBinaries()
	if err != nil {
		return err
	}
	ctx := context.Background()
	cp, err := controlplane.Start(ctx, bins, controlplane.Options{})
	if err != nil {
		return err
	}
	defer cp.Stop()
	kc, err := cp.AdminKubeconfig()
	if err != nil {
		return err
	}

	loadStart := time.Now()
	if err := load(ctx, cp, o); err != nil {
		return err
	}
	fmt.Printf("loaded %d pods (4 init containers each) into %d namespaces in %s\n",
		o.pods, o.namespaces, time.Since(loadStart).Round(time.Second))
	// Figures from a busy machine are not comparable across runs, only
	// within one: say how busy it was.
	fmt.Printf("machine: %d cores, load average %s\n\n", runtime.NumCPU(), loadAverage())

	commands := []struct {
		label string
		argv  []string
		rows  func(out string) int // pods the command reported
	}{
		{"initwatch get -A", []string{o.initwatch, "get", "-A", "--no-headers", "--kubeconfig", kc}, countLines},
		{"client-go LIST (bare)", []string{o.listpods, "-kubeconfig", kc}, atoi},
		{"kubectl get pods -A", []string{o.kubectl, "get", "pods", "-A", "--no-headers", "--kubeconfig", kc}, countLines},
	}
	times := make([][]time.Duration, len(commands))
	// Warm the apiserver's caches and the page cache once, unmeasured.
	for _, c := range commands {
		if _, _, err := timed(c.argv); err != nil {
			return err
		}
	}
	for r := range o.runs {
		// Rotate the order so no command always runs first or last.
		for k := range commands {
			i := (k + r) % len(commands)
			d, out, err := timed(commands[i].argv)
			if err != nil {
				return err
			}
			if n := commands[i].rows(out); n != o.pods {
				return fmt.Errorf("%s reported %d pods, want %d", commands[i].label, n, o.pods)
			}
			times[i] = append(times[i], d)
		}
	}
	fmt.Printf("wall time over %d runs (median, min, max), same apiserver, same run:\n", o.runs)
	for i, c := range commands {
		med, lo, hi := stats(times[i])
		fmt.Printf("  %-24s %8s   (min %s, max %s)\n", c.label, round(med), round(lo), round(hi))
	}

	fmt.Println("\nGo heap held per pod after the informer sync (GC'd, live heap):")
	for _, mode := range []struct{ label, arg string }{
		{"initwatch kube source", "initwatch"},
		{"plain client-go informer", "informer"},
	} {
		var perPod []int
		for range 3 {
			_, out, err := timed([]string{o.heapsize, "-kubeconfig", kc, "-mode", mode.arg, "-pods", strconv.Itoa(o.pods)})
			if err != nil {
				return err
			}
			f := strings.Fields(out)
			if len(f) != 2 {
				return fmt.Errorf("heapsize printed %q", out)
			}
			b, err := strconv.Atoi(f[0])
			if err != nil {
				return fmt.Errorf("heapsize printed %q", out)
			}
			perPod = append(perPod, b)
		}
		slices.Sort(perPod)
		fmt.Printf("  %-26s %6.1f KiB/pod (median of 3: %v bytes)\n", mode.label, float64(perPod[1])/1024, perPod)
	}
	return nil
}

// load creates the pods with statuses, spread over the namespaces.
func load(ctx context.Context, cp *controlplane.ControlPlane, o options) error {
	root, err := controlplane.RepoRoot()
	if err != nil {
		return err
	}
	templates, err := podgen.LoadTemplates(filepath.Join(root, "testdata", "e2e", "templates"))
	if err != nil {
		return err
	}
	cfg := cp.AdminConfig()
	cfg.QPS, cfg.Burst = 5000, 10000
	cs, err := kubernetesFor(cfg)
	if err != nil {
		return err
	}
	var namespaces []string
	for i := range o.namespaces {
		namespaces = append(namespaces, fmt.Sprintf("bench-%02d", i))
	}
	if err := podgen.EnsureNamespaces(ctx, cs, namespaces); err != nil {
		return err
	}
	gen := &podgen.Generator{Templates: templates, Namespaces: namespaces, Base: time.Now().Truncate(time.Second)}
	cases := make([]podgen.Case, o.pods)
	for i := range cases {
		cases[i] = gen.Spread(i)
	}
	return podgen.Apply(ctx, cs, cases, o.parallel)
}

// timed runs argv, returning its wall time and stdout.
func timed(argv []string) (time.Duration, string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", fmt.Errorf("start %s: %w", argv[0], err)
	}
	out, readErr := io.ReadAll(bufio.NewReader(stdout))
	err = cmd.Wait()
	d := time.Since(start)
	if readErr != nil {
		return 0, "", readErr
	}
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, stderr.String())
	}
	return d, string(out), nil
}

func countLines(out string) int { return strings.Count(out, "\n") }

func atoi(out string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(out))
	return n
}

func stats(ds []time.Duration) (med, lo, hi time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[0], s[len(s)-1]
}

// loadAverage is the 1, 5 and 15 minute load average from /proc/loadavg.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

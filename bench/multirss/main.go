// Command multirss measures the whole initwatch process watching several
// real clusters: it starts N local etcd + kube-apiserver pairs (the e2e
// harness), loads P pods into each (e2e/podgen: four init containers, a
// spread of init states), and in the same run:
//
//   - runs `initwatch get -w -A` on one context and on all N (--context
//     c1,c2,...), alternating, and reads the process's resident set from
//     /proc once the initial table is printed and again after it has
//     settled: steady RSS, peak RSS (VmHWM) and their ratio N / 1;
//   - runs kube.MultiSource over the N clusters plus one that accepts and
//     never answers, and prints when each cluster's first pods and its
//     complete list arrived, next to the same cluster listed alone: each
//     cluster's pods come with its own list, not after the slowest, and the
//     silent one delays nothing.
//
// Run it through bench/multicluster.sh (make bench-multicluster).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/e2e/podgen"
	"github.com/initwatch/initwatch/kube"
)

type options struct {
	clusters, pods, namespaces, runs, parallel int
	settle                                     time.Duration
	initwatch                                  string
}

func main() {
	var o options
	flag.IntVar(&o.clusters, "clusters", 3, "clusters (etcd + kube-apiserver pairs)")
	flag.IntVar(&o.pods, "pods", 10000, "pods per cluster")
	flag.IntVar(&o.namespaces, "namespaces", 20, "namespaces per cluster")
	flag.IntVar(&o.runs, "runs", 3, "runs of each measurement (the median is printed)")
	flag.IntVar(&o.parallel, "parallel", 32, "concurrent writes while loading")
	flag.DurationVar(&o.settle, "settle", 10*time.Second, "how long after the table the steady RSS is read")
	flag.StringVar(&o.initwatch, "initwatch", "bin/initwatch", "initwatch binary")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.clusters < 2 || o.runs < 1 {
		return errors.New("want -clusters 2 or more and -runs 1 or more")
	}
	bins, err := controlplane.FindBinaries()
	if err != nil {
		return err
	}
	ctx := context.Background()
	var names []string
	cps := map[string]*controlplane.ControlPlane{}
	defer func() {
		for _, cp := range cps {
			_ = cp.Stop()
		}
	}()
	for i := range o.clusters {
		name := "c" + strconv.Itoa(i+1)
		start := time.Now()
		cp, err := controlplane.Start(ctx, bins, controlplane.Options{})
		if err != nil {
			return fmt.Errorf("start %s: %w", name, err)
		}
		cps[name] = cp
		names = append(names, name)
		if err := load(ctx, cp, o); err != nil {
			return fmt.Errorf("load %s: %w", name, err)
		}
		fmt.Printf("%s: apiserver started and %d pods loaded in %s\n", name, o.pods, time.Since(start).Round(time.Second))
	}
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer silent.Close()
	go acceptSilently(silent)
	kc, err := writeKubeconfig(names, cps, silent.Addr().String())
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(kc))
	fmt.Printf("machine: %d cores, load average %s\n\n", runtime.NumCPU(), loadAverage())

	if err := measureRSS(o, kc, names); err != nil {
		return err
	}
	fmt.Println()
	return measureArrival(o, kc, names)
}

// load fills a control plane as bench/getbench does.
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
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("build client: %w", err)
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

// writeKubeconfig names each control plane by its context, and "silent"
// an address that accepts connections and never answers.
func writeKubeconfig(names []string, cps map[string]*controlplane.ControlPlane, silentAddr string) (string, error) {
	merged := clientcmdapi.NewConfig()
	for _, name := range names {
		path, err := cps[name].AdminKubeconfig()
		if err != nil {
			return "", err
		}
		cfg, err := clientcmd.LoadFromFile(path)
		if err != nil {
			return "", err
		}
		c := cfg.Contexts[cfg.CurrentContext]
		merged.Clusters[name] = cfg.Clusters[c.Cluster]
		merged.AuthInfos[name] = cfg.AuthInfos[c.AuthInfo]
		merged.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	merged.Clusters["silent"] = &clientcmdapi.Cluster{Server: "https://" + silentAddr, InsecureSkipTLSVerify: true}
	merged.AuthInfos["silent"] = &clientcmdapi.AuthInfo{Token: "none"}
	merged.Contexts["silent"] = &clientcmdapi.Context{Cluster: "silent", AuthInfo: "silent"}
	merged.CurrentContext = names[0]
	dir, err := os.MkdirTemp("", "multirss")
	if err != nil {
		return "", err
	}
	kc := filepath.Join(dir, "kubeconfig")
	return kc, clientcmd.WriteToFile(*merged, kc)
}

// acceptSilently holds every connection open without a byte, as a cluster
// that never answers does (a black-holed VPN, a hung load balancer).
func acceptSilently(l net.Listener) {
	var held []net.Conn
	for {
		c, err := l.Accept()
		if err != nil {
			for _, c := range held {
				c.Close()
			}
			return
		}
		held = append(held, c)
	}
}

// sample is one `initwatch get -w` run's figures.
type sample struct {
	table        time.Duration // start → the whole initial table read
	steady, peak int64         // VmRSS after settling, VmHWM
}

func measureRSS(o options, kc string, names []string) error {
	all := strings.Join(names, ",")
	variants := []struct {
		label, contexts string
		pods            int
	}{
		{"1 cluster (" + names[0] + ")", names[0], o.pods},
		{fmt.Sprintf("%d clusters (%s)", len(names), all), all, o.pods * len(names)},
	}
	samples := make([][]sample, len(variants))
	for r := range o.runs {
		for k := range variants {
			i := (k + r) % len(variants) // alternate which goes first
			s, err := getWatch(o, kc, variants[i].contexts, variants[i].pods)
			if err != nil {
				return fmt.Errorf("%s: %w", variants[i].label, err)
			}
			samples[i] = append(samples[i], s)
		}
	}
	fmt.Printf("`initwatch get -w -A`, whole process, %d runs each, medians (steady: %s after the table):\n", o.runs, o.settle)
	fmt.Printf("%-28s %-8s %-12s %-12s %-12s\n", "watching", "pods", "table in", "steady RSS", "peak RSS")
	med := make([]sample, len(variants))
	for i, v := range variants {
		med[i] = median(samples[i])
		fmt.Printf("%-28s %-8d %-12s %-12s %-12s\n", v.label, v.pods, med[i].table.Round(time.Millisecond),
			mib(med[i].steady), mib(med[i].peak))
	}
	fmt.Printf("ratio %d clusters / 1 cluster: steady RSS %.2fx, peak RSS %.2fx (bound: %dx)\n", len(names),
		float64(med[1].steady)/float64(med[0].steady), float64(med[1].peak)/float64(med[0].peak), len(names))
	fmt.Printf("load average after: %s\n", loadAverage())
	return nil
}

// getWatch runs `initwatch get -w -A` on contexts until its table of pods
// rows is printed and o.settle has passed, reading its memory, then
// interrupts it.
func getWatch(o options, kc, contexts string, pods int) (sample, error) {
	cmd := exec.Command(o.initwatch, "get", "-w", "-A", "--no-headers", "--kubeconfig", kc, "--context", contexts)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return sample{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	rows := make(chan int)
	go func() {
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			n++
			if n == pods {
				rows <- n
			}
		}
		close(rows)
		_, _ = io.Copy(io.Discard, out)
	}()
	var s sample
	select {
	case n, ok := <-rows:
		if !ok || n != pods {
			return s, fmt.Errorf("the table ended before %d rows: %s", pods, stderr.String())
		}
		s.table = time.Since(start)
	case <-time.After(5 * time.Minute):
		return s, fmt.Errorf("no table of %d rows after 5 minutes: %s", pods, stderr.String())
	}
	time.Sleep(o.settle)
	m, err := readMemory(cmd.Process.Pid)
	if err != nil {
		return s, err
	}
	s.steady, s.peak = m.rss, m.peak
	_ = cmd.Process.Signal(syscall.SIGINT)
	return s, nil
}

func median(ss []sample) sample {
	pick := func(f func(sample) int64) int64 {
		v := make([]int64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return sample{
		table:  time.Duration(pick(func(s sample) int64 { return int64(s.table) })),
		steady: pick(func(s sample) int64 { return s.steady }),
		peak:   pick(func(s sample) int64 { return s.peak }),
	}
}

// measureArrival lists each cluster alone, then all of them and the silent
// one through kube.MultiSource: when each cluster's first pods and its
// whole list came.
func measureArrival(o options, kc string, names []string) error {
	alone := map[string]time.Duration{}
	for _, name := range names {
		t, err := arrivals(kc, []string{name}, o.pods)
		if err != nil {
			return err
		}
		alone[name] = t[name].synced
	}
	merged, err := arrivals(kc, append([]string{"silent"}, names...), o.pods)
	if err != nil {
		return err
	}
	fmt.Printf("kube.MultiSource over %s and \"silent\" (accepts, never answers), against each listed alone, same run:\n", strings.Join(names, ", "))
	fmt.Printf("%-8s %-14s %-14s %-14s\n", "cluster", "alone: listed", "merged: first", "merged: listed")
	var slowest time.Duration
	for _, name := range names {
		a := merged[name]
		slowest = max(slowest, a.synced)
		fmt.Printf("%-8s %-14s %-14s %-14s\n", name, alone[name].Round(time.Millisecond), a.first.Round(time.Millisecond), a.synced.Round(time.Millisecond))
	}
	fmt.Printf("silent: %s after %s; every answering cluster was listed by then\n", merged["silent"].state, slowest.Round(time.Millisecond))
	return nil
}

type arrival struct {
	first, synced time.Duration
	state         kube.ConnPhase
}

// arrivals runs one source over contexts until every cluster but "silent"
// has listed its pods.
func arrivals(kc string, contexts []string, pods int) (map[string]arrival, error) {
	base := kube.NewConfigFlags("multirss")
	base.Kubeconfig = kc
	var clusters []kube.Cluster
	for _, name := range contexts {
		f := base.ForContext(name)
		clusters = append(clusters, kube.Cluster{Context: name, New: func() (kube.PodSource, error) {
			cs, err := f.Clientset()
			if err != nil {
				return nil, err
			}
			return kube.NewInformerSource(cs, kube.Options{Context: name}), nil
		}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := make(chan kube.Batch)
	errc := make(chan error, 1)
	start := time.Now()
	go func() { errc <- kube.NewMultiSource(clusters).Run(ctx, out) }()
	got := map[string]arrival{}
	counts := map[string]int{}
	listed := 0
	want := len(contexts)
	if slices.Contains(contexts, "silent") {
		want--
	}
	for listed < want {
		select {
		case b := <-out:
			a := got[b.Context]
			if len(b.Upserted)+len(b.Packed) > 0 && counts[b.Context] == 0 {
				a.first = time.Since(start)
			}
			counts[b.Context] += len(b.Upserted) + len(b.Packed)
			if b.Conn != nil {
				a.state = b.Conn.Phase
			}
			if b.Synced && a.synced == 0 {
				a.synced = time.Since(start)
				if counts[b.Context] != pods {
					return nil, fmt.Errorf("%s listed %d pods, want %d", b.Context, counts[b.Context], pods)
				}
				listed++
			}
			got[b.Context] = a
		case err := <-errc:
			return nil, fmt.Errorf("source stopped: %v", err)
		case <-ctx.Done():
			return nil, fmt.Errorf("clusters not listed after 5 minutes: %v", counts)
		}
	}
	if a, ok := got["silent"]; ok || slices.Contains(contexts, "silent") {
		if a.state == "" {
			a.state = "no word"
		}
		got["silent"] = a
	}
	cancel()
	for {
		select {
		case <-out:
		case <-errc:
			return got, nil
		}
	}
}

// memory is what /proc/PID/status says about the resident set.
type memory struct{ rss, peak int64 }

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, fmt.Errorf("read memory: %w", err)
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = kb << 10
		case "VmHWM:":
			m.peak = kb << 10
		}
	}
	return m, nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

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

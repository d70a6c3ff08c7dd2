package controlplane

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Cluster is a whole cluster: etcd and kube-apiserver (the embedded
// ControlPlane), kube-controller-manager, kube-scheduler, and a kwok that
// plays the kubelet of a few Nodes with the Stages of testdata/kwok/kubelet.
// A Deployment applied to it gets its ReplicaSets and pods from the real
// controllers, the scheduler binds the pods, and kwok walks them through
// their init containers as the kubelet would.
type Cluster struct {
	*ControlPlane
	// Kwok plays the kubelet of Nodes and serves their pods' logs.
	Kwok *Kwok
	// Nodes are the nodes kwok manages, as started (see ClusterOptions).
	Nodes []NodeSpec

	mu        sync.Mutex
	cm, sched *process
}

// ClusterOptions tune StartCluster.
type ClusterOptions struct {
	// Dir is the working folder; empty means a temporary one removed by Stop.
	Dir string
	// Nodes to create; nil means DefaultNodes().
	Nodes []NodeSpec
	// KwokConfigs are extra kwok --config files (Stages, Logs), after the
	// kubelet Stages and the seed app's ClusterLogs.
	KwokConfigs []string
	// ControllerManagerArgs and SchedulerArgs are appended to the flags.
	ControllerManagerArgs []string
	SchedulerArgs         []string
}

// clusterComponents are the binaries a whole cluster needs besides etcd and
// kube-apiserver (make controlplane builds them all into one folder).
var clusterComponents = []string{"kube-controller-manager", "kube-scheduler", "kwok"}

// FindClusterBinaries checks that the whole cluster's extra binaries are in
// bins.Dir.
func FindClusterBinaries(bins Binaries) error {
	var missing []string
	for _, name := range clusterComponents {
		p := filepath.Join(bins.Dir, name)
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("control-plane binaries missing: %s", strings.Join(missing, ", "))
	}
	return nil
}

// StartCluster starts a whole cluster and returns once the controllers
// act (the default ServiceAccount exists), the scheduler answers and every
// node kwok manages is Ready. On error nothing is left running.
func StartCluster(ctx context.Context, bins Binaries, opts ClusterOptions) (_ *Cluster, err error) {
	if err := FindClusterBinaries(bins); err != nil {
		return nil, err
	}
	cp, err := Start(ctx, bins, Options{Dir: opts.Dir, ExtraAPIServerArgs: []string{
		// The plugin taints every new Node not-ready until the node
		// lifecycle controller sees it Ready; that controller is off here
		// (see startControllerManager), so the taint would never go and
		// nothing would be scheduled.
		"--disable-admission-plugins=TaintNodesByCondition",
	}})
	if err != nil {
		return nil, err
	}
	c := &Cluster{ControlPlane: cp, Nodes: opts.Nodes}
	if c.Nodes == nil {
		c.Nodes = DefaultNodes()
	}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()
	configs, err := KubeletConfigs(cp.Dir())
	if err != nil {
		return nil, err
	}
	kc, err := cp.AdminKubeconfig()
	if err != nil {
		return nil, err
	}
	// The controllers and the scheduler come up in parallel with kwok; each
	// is waited for below.
	if err := c.startControllerManager(kc, opts.ControllerManagerArgs); err != nil {
		return nil, err
	}
	if err := c.startScheduler(kc, opts.SchedulerArgs); err != nil {
		return nil, err
	}
	if c.Kwok, err = cp.StartKwok(ctx, KwokOptions{Configs: append(configs, opts.KwokConfigs...)}); err != nil {
		return nil, err
	}
	cs, err := cp.AdminClient()
	if err != nil {
		return nil, err
	}
	if err := c.createNodes(ctx, cs); err != nil {
		return nil, err
	}
	if err := c.waitComponents(ctx, cs); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Cluster) startControllerManager(kc string, extra []string) error {
	args := []string{
		// The service-account controller creates each namespace's default
		// ServiceAccount, the root-CA publisher its kube-root-ca.crt: give
		// them the keys the apiserver uses.
		"--service-account-private-key-file=" + filepath.Join(c.dir, "sa.key"),
		"--root-ca-file=" + filepath.Join(c.dir, "ca.crt"),
		"--use-service-account-credentials=false",
		// Off: the token controller (legacy token Secrets nobody reads) and
		// the node lifecycle controller, which would taint kwok's nodes
		// NotReady once their heartbeat is older than the grace period and
		// then evict every pod: kwok's nodes never send one.
		"--controllers=*,-serviceaccount-token-controller,-node-lifecycle-controller",
		// Controllers write fast enough for a rollout of a dozen pods
		// without waiting on client-side throttling.
		"--kube-api-qps=100",
		"--kube-api-burst=200",
	}
	p, err := c.startComponent("kube-controller-manager", kc, append(args, extra...))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.cm = p
	c.mu.Unlock()
	return nil
}

func (c *Cluster) startScheduler(kc string, extra []string) error {
	p, err := c.startComponent("kube-scheduler", kc, extra)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.sched = p
	c.mu.Unlock()
	return nil
}

// startComponent starts the controller-manager or the scheduler with the
// flags both take (the admin kubeconfig for everything, no leader election,
// a free secure port of its own: the defaults 10257 and 10259 may be taken)
// and waits for its /healthz.
func (c *Cluster) startComponent(name, kc string, args []string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	common := []string{
		"--kubeconfig=" + kc,
		"--authentication-kubeconfig=" + kc,
		"--authorization-kubeconfig=" + kc,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(c.dir, name+"-certs"),
		"--profiling=false",
		"--v=1",
	}
	p, err := startProcess(name, filepath.Join(c.bins.Dir, name), append(common, args...), filepath.Join(c.dir, name+".log"))
	if err != nil {
		return nil, err
	}
	if err := c.waitHealthz(p, port); err != nil {
		// Stop stops only what it knows of: this one is not recorded yet.
		_ = p.stop(syscall.SIGKILL)
		return nil, err
	}
	return p, nil
}

// waitHealthz waits for a component's /healthz on its secure port (served
// with a self-signed certificate; the probe only asks whether it is up).
func (c *Cluster) waitHealthz(p *process, port int) error {
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true},
	}
	return c.waitReady(context.Background(), p, "https://127.0.0.1:"+strconv.Itoa(port)+"/healthz", client, p.name+".log")
}

// waitComponents waits, by watching, until the controllers have acted (the
// service-account controller created default/default) and every node is
// Ready.
func (c *Cluster) waitComponents(ctx context.Context, cs kubernetes.Interface) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	_, err := WaitFor(ctx, cs.CoreV1().ServiceAccounts("default"), metav1.ListOptions{FieldSelector: "metadata.name=default"},
		func(items []*corev1.ServiceAccount) (bool, error) { return len(items) == 1, nil })
	if err != nil {
		return fmt.Errorf("wait for the controller-manager (default ServiceAccount): %w:\n%s", err, c.logTail("kube-controller-manager.log"))
	}
	if err := WaitNodesReady(ctx, cs, len(c.Nodes)); err != nil {
		return fmt.Errorf("wait for kwok's nodes: %w", err)
	}
	return nil
}

// Stop stops kwok, the scheduler, the controller-manager, then the control
// plane. Safe to call more than once.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	cm, sched := c.cm, c.sched
	c.cm, c.sched = nil, nil
	c.mu.Unlock()
	var errs []error
	errs = append(errs, c.Kwok.Stop())
	for _, p := range []*process{sched, cm} {
		if p != nil {
			errs = append(errs, p.stop(syscall.SIGTERM))
		}
	}
	errs = append(errs, c.ControlPlane.Stop())
	return errors.Join(errs...)
}

// KubeletConfigs are the kwok --config files of a whole cluster: every
// Stage of testdata/kwok/kubelet and the seed app's ClusterLogs, written
// into dir with @LOGS@ replaced by the absolute folder of its log files
// (kwok wants absolute paths).
func KubeletConfigs(dir string) ([]string, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	stages, err := filepath.Glob(filepath.Join(root, "testdata", "kwok", "kubelet", "*.yaml"))
	if err != nil || len(stages) == 0 {
		return nil, fmt.Errorf("kwok kubelet stages in testdata/kwok/kubelet: %v (%d files)", err, len(stages))
	}
	data, err := os.ReadFile(filepath.Join(root, "testdata", "kwok", "seed-logs.yaml"))
	if err != nil {
		return nil, fmt.Errorf("seed logs config: %w", err)
	}
	logs := filepath.Join(dir, "seed-logs.yaml")
	out := strings.ReplaceAll(string(data), "@LOGS@", filepath.Join(root, "testdata", "kwok", "seed-logs"))
	if err := os.WriteFile(logs, []byte(out), 0o600); err != nil {
		return nil, fmt.Errorf("seed logs config: %w", err)
	}
	return append(stages, logs), nil
}

// StartClusterForTest starts a private whole cluster stopped by t.Cleanup;
// it skips (or fails under INITWATCH_E2E) when binaries are missing.
func StartClusterForTest(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	bins := RequireBinaries(t)
	if err := FindClusterBinaries(bins); err != nil {
		skipOrFail(t, err)
	}
	c, err := StartCluster(context.Background(), bins, opts)
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
	})
	return c
}

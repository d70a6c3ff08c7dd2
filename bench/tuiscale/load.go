package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/e2e/podgen"
)

// Latency targets: a few pods carry a label no other pod has, so the
// filter `zzbench=latency` puts exactly them on screen while status writes
// hit the others.
const (
	targetLabel = "zzbench"
	targetValue = "latency"
	targetQuery = targetLabel + "=" + targetValue
	targetCount = 16
)

// loadedPod is one pod of the load and the init container statuses last
// written for it (a status write replaces that list).
type loadedPod struct {
	ns, name string
	init     []corev1.ContainerStatus
	target   bool
}

// cluster is the control plane with its pods.
type cluster struct {
	cp         *controlplane.ControlPlane
	kubeconfig string
	cs         kubernetes.Interface // unthrottled, for loading and the write load
	// probe has a connection of its own, so latency probes and their watch
	// do not queue behind the write load's requests.
	probe kubernetes.Interface
	// watcher speaks protobuf, as initwatch does, for the bare watch of
	// every pod the latency is compared with; a connection of its own too.
	watcher    kubernetes.Interface
	gen        *podgen.Generator
	pods       []loadedPod
	targets    []int // indexes into pods
	namespaces []string
	// withEvents makes the load write podgen.EventsPerPod events per pod,
	// as a cluster keeps them for an hour of rollouts; events counts them.
	withEvents bool
	events     int
}

func startCluster(ctx context.Context, namespaces int) (*cluster, error) {
	bins, err := controlplane.FindBinaries()
	if err != nil {
		return nil, err
	}
	cp, err := controlplane.Start(ctx, bins, controlplane.Options{})
	if err != nil {
		return nil, err
	}
	c := &cluster{cp: cp}
	if err := c.init(ctx, namespaces); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	return c, nil
}

func (c *cluster) init(ctx context.Context, namespaces int) error {
	kc, err := c.cp.AdminKubeconfig()
	if err != nil {
		return err
	}
	c.kubeconfig = kc
	cfg := c.cp.AdminConfig()
	// No client-side throttling: the writer sets its own rate.
	cfg.QPS, cfg.Burst = -1, 0
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("build client: %w", err)
	}
	c.cs = cs
	// A custom dialer keeps client-go from sharing the cached transport.
	pcfg := c.cp.AdminConfig()
	pcfg.QPS, pcfg.Burst = -1, 0
	pcfg.Dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	if c.probe, err = kubernetes.NewForConfig(pcfg); err != nil {
		return fmt.Errorf("build client: %w", err)
	}
	wcfg := rest.CopyConfig(pcfg)
	wcfg.Dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	wcfg.ContentType = runtime.ContentTypeProtobuf
	wcfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if c.watcher, err = kubernetes.NewForConfig(wcfg); err != nil {
		return fmt.Errorf("build client: %w", err)
	}
	root, err := controlplane.RepoRoot()
	if err != nil {
		return err
	}
	templates, err := podgen.LoadTemplates(filepath.Join(root, "testdata", "e2e", "templates"))
	if err != nil {
		return err
	}
	for i := range namespaces {
		c.namespaces = append(c.namespaces, fmt.Sprintf("bench-%02d", i))
	}
	if err := podgen.EnsureNamespaces(ctx, cs, c.namespaces); err != nil {
		return err
	}
	c.gen = &podgen.Generator{Templates: templates, Namespaces: c.namespaces, Base: time.Now().Truncate(time.Second)}
	return nil
}

func (c *cluster) stop() { _ = c.cp.Stop() }

// grow loads pods until there are n: the e2e generator's spread of init
// states (every step, crash loops, failed steps, initialized pods), created
// in parallel, each status then written through the status subresource.
func (c *cluster) grow(ctx context.Context, n, parallel int) error {
	from := len(c.pods)
	if n <= from {
		return nil
	}
	cases := make([]podgen.Case, 0, n-from)
	for i := from; i < n; i++ {
		cs := c.gen.Spread(i)
		p := loadedPod{ns: cs.Pod.Namespace, name: cs.Pod.Name}
		if cs.Status != nil {
			p.init = cs.Status.InitContainerStatuses
		}
		// Targets are pods at init step 1 (no restarts anywhere), so the
		// RESTARTS column shows exactly the count the probe writes.
		if i%8 == 1 && len(c.targets) < targetCount {
			cs.Pod.Labels[targetLabel] = targetValue
			p.target = true
			c.targets = append(c.targets, len(c.pods))
		}
		c.pods = append(c.pods, p)
		cases = append(cases, cs)
	}
	if err := podgen.Apply(ctx, c.cs, cases, parallel); err != nil {
		return fmt.Errorf("load pods: %w", err)
	}
	if !c.withEvents {
		return nil
	}
	var events []*corev1.Event
	for _, cs := range cases {
		events = append(events, podgen.KubeletEvents(cs.Pod, c.gen.Base)...)
	}
	if err := podgen.CreateEvents(ctx, c.cs, events, parallel); err != nil {
		return fmt.Errorf("load events: %w", err)
	}
	c.events += len(events)
	return nil
}

// setRestarts writes pod i's status as a kubelet would after its first init
// container restarted: the same init container statuses with that one's
// restart count set. A merge patch of the status subresource replaces the
// list and needs no resourceVersion, so concurrent writers never conflict.
func (c *cluster) setRestarts(ctx context.Context, cs kubernetes.Interface, i int, restarts int32) error {
	p := &c.pods[i]
	init := make([]corev1.ContainerStatus, len(p.init))
	copy(init, p.init)
	if len(init) > 0 {
		init[0].RestartCount = restarts
	}
	body, err := json.Marshal(map[string]any{"status": map[string]any{"initContainerStatuses": init}})
	if err != nil {
		return fmt.Errorf("encode status of %s/%s: %w", p.ns, p.name, err)
	}
	_, err = cs.CoreV1().Pods(p.ns).Patch(ctx, p.name, types.MergePatchType, body, metav1.PatchOptions{}, "status")
	if err != nil {
		return fmt.Errorf("write status of %s/%s: %w", p.ns, p.name, err)
	}
	return nil
}

// matching counts the pods whose "namespace/name" contains every character
// of q in order, ignoring case: what initwatch's fuzzy filter keeps (q is
// ASCII and holds no "=").
func (c *cluster) matching(q string) int {
	n := 0
	for _, p := range c.pods {
		if subsequence(q, p.ns+"/"+p.name) {
			n++
		}
	}
	return n
}

func subsequence(q, s string) bool {
	i := 0
	for k := 0; k < len(s) && i < len(q); k++ {
		if lowerASCII(s[k]) == lowerASCII(q[i]) {
			i++
		}
	}
	return i == len(q)
}

func lowerASCII(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// explainStop says why a load was refused when a ResourceQuota refused it.
// The benchmark's control plane is new for every run and the benchmark
// creates no quota, so a quota can only have been added from outside while
// the run loaded (by hand, to end a run early): the report names it as
// such instead of passing the refusal off as a failure of the load.
func (c *cluster) explainStop(ctx context.Context, err error) string {
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota") {
		return oneLine(err.Error())
	}
	qs, lerr := c.cs.CoreV1().ResourceQuotas("").List(ctx, metav1.ListOptions{})
	if lerr != nil || len(qs.Items) == 0 {
		return oneLine(err.Error())
	}
	var names []string
	for _, q := range qs.Items {
		names = append(names, q.Namespace+"/"+q.Name)
	}
	return fmt.Sprintf("stopped by ResourceQuota %s, which the benchmark does not create (its control plane is new each run): it was added from outside while this run loaded, to end the run before this count",
		strings.Join(names, ", "))
}

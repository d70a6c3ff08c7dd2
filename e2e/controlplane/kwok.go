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
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// KwokNodeAnnotation is the annotation a Node carries to be managed by a
// Kwok started here; its value is Kwok.NodeSelector.
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

// Kwok is a running kwok: it plays the kubelet of the nodes annotated for
// it (through the Stages of its configuration) and serves their pods' logs,
// exec and port-forward from its ClusterLogs (etc.) configuration. The
// apiserver reaches it at the node's InternalIP and kubelet port, over TLS
// it does not verify.
type Kwok struct {
	proc *process
	// Port is where kwok serves (the node's kubelet port).
	Port int
	// NodeSelector is the value of KwokNodeAnnotation on the nodes it
	// manages; each Kwok has its own, so tests never share nodes.
	NodeSelector string
}

// KwokOptions tune StartKwok.
type KwokOptions struct {
	// Configs are kwok --config files: Stage, ClusterLogs, Logs, ...
	// kwok has no built-in stages; without a node Stage the test must
	// write the node's status (addresses, kubelet port) itself.
	Configs []string
}

var kwokCount atomic.Int64

// FindKwok returns the kwok binary next to the other control-plane
// binaries (make controlplane builds it).
func FindKwok(bins Binaries) (string, error) {
	p := filepath.Join(bins.Dir, "kwok")
	if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return p, fmt.Errorf("control-plane binary missing: %s", p)
	}
	return p, nil
}

// StartKwok starts kwok against the control plane's apiserver, as admin,
// and waits until its server answers /healthz.
func (cp *ControlPlane) StartKwok(ctx context.Context, opts KwokOptions) (*Kwok, error) {
	bin, err := FindKwok(cp.bins)
	if err != nil {
		return nil, err
	}
	kc, err := cp.AdminKubeconfig()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	n := kwokCount.Add(1)
	k := &Kwok{Port: port, NodeSelector: fmt.Sprintf("initwatch-%d-%d", os.Getpid(), n)}
	args := []string{
		"--kubeconfig=" + kc,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + KwokNodeAnnotation + "=" + k.NodeSelector,
		"--node-ip=127.0.0.1",
		"--node-port=" + strconv.Itoa(port),
		"--server-address=127.0.0.1:" + strconv.Itoa(port),
	}
	// An empty --config would make kwok read ~/.kwok/kwok.yaml: always name
	// the files, and at least one.
	if len(opts.Configs) == 0 {
		return nil, errors.New("start kwok: no --config file given")
	}
	for _, c := range opts.Configs {
		args = append(args, "--config="+c)
	}
	logName := fmt.Sprintf("kwok-%d.log", n)
	p, err := startProcess("kwok", bin, args, filepath.Join(cp.dir, logName))
	if err != nil {
		return nil, err
	}
	k.proc = p
	client := &http.Client{
		Timeout: 5 * time.Second,
		// kwok serves a self-signed certificate; the probe only asks
		// whether it is up.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true},
	}
	if err := cp.waitReady(ctx, p, "http://127.0.0.1:"+strconv.Itoa(port)+"/healthz", client, logName); err != nil {
		_ = k.Stop()
		return nil, err
	}
	return k, nil
}

// Pid is kwok's process id, for tests that look at what it holds open
// (each log follow it serves holds an inotify instance).
func (k *Kwok) Pid() int {
	if k == nil || k.proc == nil {
		return 0
	}
	return k.proc.cmd.Process.Pid
}

// Stop stops kwok. Safe to call more than once.
func (k *Kwok) Stop() error {
	if k == nil || k.proc == nil {
		return nil
	}
	p := k.proc
	k.proc = nil
	return p.stop(syscall.SIGTERM)
}

// StartKwokForTest starts kwok for one test, stopped by t.Cleanup. It skips
// (or fails under INITWATCH_E2E) when the kwok binary is missing.
func StartKwokForTest(t testing.TB, cp *ControlPlane, opts KwokOptions) *Kwok {
	t.Helper()
	if _, err := FindKwok(cp.bins); err != nil {
		skipOrFail(t, err)
	}
	k, err := cp.StartKwok(context.Background(), opts)
	if err != nil {
		t.Fatalf("start kwok: %v", err)
	}
	t.Cleanup(func() {
		if err := k.Stop(); err != nil {
			t.Errorf("stop kwok: %v", err)
		}
	})
	return k
}

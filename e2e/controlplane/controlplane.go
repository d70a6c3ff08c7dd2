package controlplane

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// readyTimeout bounds how long a component may take to come up on a loaded
// two-core machine before Start gives up with its log.
const readyTimeout = 2 * time.Minute

// ContextName is the kubeconfig context every generated kubeconfig uses.
const ContextName = "initwatch-e2e"

// ControlPlane is a running etcd + kube-apiserver pair.
type ControlPlane struct {
	bins Binaries
	dir  string

	ca         *authority
	admin      keyPair
	etcdURL    string
	port       int
	apiArgs    []string
	keepDir    bool
	adminKC    string
	adminREST  *rest.Config
	httpClient *http.Client

	mu        sync.Mutex
	etcd      *process
	apiserver *process
}

// Options tune Start.
type Options struct {
	// Dir is the working folder (certificates, etcd data, logs, kubeconfigs);
	// empty means a new temporary folder, removed by Stop.
	Dir string
	// ExtraAPIServerArgs are appended to the apiserver's flags.
	ExtraAPIServerArgs []string
}

// Start launches etcd and kube-apiserver and waits until the apiserver's
// /readyz answers ok. On error nothing is left running.
func Start(ctx context.Context, bins Binaries, opts Options) (_ *ControlPlane, err error) {
	cp := &ControlPlane{bins: bins, dir: opts.Dir, keepDir: opts.Dir != ""}
	if cp.dir == "" {
		if cp.dir, err = os.MkdirTemp("", "initwatch-cp-"); err != nil {
			return nil, fmt.Errorf("control plane temp dir: %w", err)
		}
	}
	defer func() {
		if err != nil {
			_ = cp.Stop()
		}
	}()
	if err := cp.writeCredentials(); err != nil {
		return nil, err
	}
	if err := cp.startEtcd(ctx); err != nil {
		return nil, err
	}
	if cp.port, err = freePort(); err != nil {
		return nil, err
	}
	cp.apiArgs = cp.apiServerArgs(opts.ExtraAPIServerArgs)
	if err := cp.StartAPIServer(ctx); err != nil {
		return nil, err
	}
	return cp, nil
}

func (cp *ControlPlane) writeCredentials() error {
	var err error
	if cp.ca, err = newAuthority(); err != nil {
		return err
	}
	serving, err := cp.ca.serving()
	if err != nil {
		return err
	}
	if cp.admin, err = cp.ca.client("initwatch-admin", "system:masters"); err != nil {
		return err
	}
	files := map[string][]byte{
		"ca.crt":      cp.ca.certPEM,
		"serving.crt": serving.certPEM,
		"serving.key": serving.keyPEM,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(cp.dir, name), data, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := writeServiceAccountKey(filepath.Join(cp.dir, "sa.key")); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cp.ca.cert)
	cert, err := tls.X509KeyPair(cp.admin.certPEM, cp.admin.keyPEM)
	if err != nil {
		return fmt.Errorf("load admin key pair: %w", err)
	}
	cp.httpClient = &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
			DisableKeepAlives: true,
		},
	}
	return nil
}

func (cp *ControlPlane) startEtcd(ctx context.Context) error {
	clientPort, err := freePort()
	if err != nil {
		return err
	}
	peerPort, err := freePort()
	if err != nil {
		return err
	}
	cp.etcdURL = "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	args := []string{
		"--name=default",
		"--data-dir=" + filepath.Join(cp.dir, "etcd"),
		"--listen-client-urls=" + cp.etcdURL,
		"--advertise-client-urls=" + cp.etcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=default=" + peerURL,
		// Test data is thrown away: skipping fsync makes writes (and the
		// 10,000-pod benchmark load) much faster on a shared disk.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}
	p, err := startProcess("etcd", cp.bins.Etcd, args, filepath.Join(cp.dir, "etcd.log"))
	if err != nil {
		return err
	}
	cp.mu.Lock()
	cp.etcd = p
	cp.mu.Unlock()
	return cp.waitReady(ctx, p, cp.etcdURL+"/health", &http.Client{Timeout: 5 * time.Second}, "etcd.log")
}

func (cp *ControlPlane) apiServerArgs(extra []string) []string {
	args := []string{
		"--etcd-servers=" + cp.etcdURL,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(cp.port),
		"--cert-dir=" + filepath.Join(cp.dir, "apiserver-certs"),
		"--tls-cert-file=" + filepath.Join(cp.dir, "serving.crt"),
		"--tls-private-key-file=" + filepath.Join(cp.dir, "serving.key"),
		"--client-ca-file=" + filepath.Join(cp.dir, "ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + filepath.Join(cp.dir, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(cp.dir, "sa.key"),
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		// No controller-manager creates default service accounts, so the
		// ServiceAccount admission plugin would reject every pod.
		"--disable-admission-plugins=ServiceAccount",
		// The endpoint reconciler refuses loopback addresses, and nothing in
		// the tests reaches the apiserver through the kubernetes Service.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	}
	return append(args, extra...)
}

// StartAPIServer starts the apiserver (again) on the same port and etcd, and
// waits until it is ready.
func (cp *ControlPlane) StartAPIServer(ctx context.Context) error {
	cp.mu.Lock()
	if cp.apiserver != nil {
		cp.mu.Unlock()
		return errors.New("start kube-apiserver: already running")
	}
	p, err := startProcess("kube-apiserver", cp.bins.APIServer, cp.apiArgs, filepath.Join(cp.dir, "kube-apiserver.log"))
	if err != nil {
		cp.mu.Unlock()
		return err
	}
	cp.apiserver = p
	cp.mu.Unlock()
	return cp.waitReady(ctx, p, cp.URL()+"/readyz", cp.httpClient, "kube-apiserver.log")
}

// StopAPIServer shuts the apiserver down gracefully (SIGTERM) and leaves
// etcd running. With watches open, a graceful shutdown waits for them up to
// the apiserver's request timeout (60 s); KillAPIServer does not wait.
func (cp *ControlPlane) StopAPIServer() error {
	return cp.endAPIServer(syscall.SIGTERM)
}

// KillAPIServer kills the apiserver (SIGKILL), as a crash or a lost node
// would, and leaves etcd running. Clients see their connections drop at once.
func (cp *ControlPlane) KillAPIServer() error {
	return cp.endAPIServer(syscall.SIGKILL)
}

func (cp *ControlPlane) endAPIServer(sig syscall.Signal) error {
	cp.mu.Lock()
	p := cp.apiserver
	cp.apiserver = nil
	cp.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.stop(sig)
}

// Stop stops every component and removes the working folder (unless the
// caller chose it). It is safe to call more than once.
func (cp *ControlPlane) Stop() error {
	cp.mu.Lock()
	api, etcd := cp.apiserver, cp.etcd
	cp.apiserver, cp.etcd = nil, nil
	cp.mu.Unlock()
	var errs []error
	if api != nil {
		errs = append(errs, api.stop(syscall.SIGTERM))
	}
	if etcd != nil {
		errs = append(errs, etcd.stop(syscall.SIGTERM))
	}
	if !cp.keepDir && cp.dir != "" {
		errs = append(errs, os.RemoveAll(cp.dir))
		cp.dir = ""
	}
	return errors.Join(errs...)
}

// waitReady polls url until it answers 200, the process exits, or the
// deadline passes; failures carry the tail of the component's log.
func (cp *ControlPlane) waitReady(ctx context.Context, p *process, url string, client *http.Client, logName string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		if ok, err := p.exited(); ok {
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, err, cp.logTail(logName))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("probe %s: %w", p.name, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s (last probe: %s):\n%s", p.name, readyTimeout, last, cp.logTail(logName))
		case <-tick.C:
		}
	}
}

// logTail returns the last lines of a component's log, for error messages.
func (cp *ControlPlane) logTail(name string) string {
	data, err := os.ReadFile(filepath.Join(cp.dir, name))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// URL is the apiserver's https address.
func (cp *ControlPlane) URL() string { return "https://127.0.0.1:" + strconv.Itoa(cp.port) }

// Dir is the working folder.
func (cp *ControlPlane) Dir() string { return cp.dir }

// AdminKubeconfig is the path of a kubeconfig for a cluster admin
// (O=system:masters), written on first use.
func (cp *ControlPlane) AdminKubeconfig() (string, error) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.adminKC != "" {
		return cp.adminKC, nil
	}
	path := filepath.Join(cp.dir, "admin.kubeconfig")
	if err := cp.writeKubeconfig(path, "initwatch-admin", cp.admin); err != nil {
		return "", err
	}
	cp.adminKC = path
	return path, nil
}

// AdminConfig is a rest.Config for a cluster admin. Each call returns a copy
// the caller may change (QPS, timeouts).
func (cp *ControlPlane) AdminConfig() *rest.Config {
	return cp.restConfig(cp.admin)
}

// AdminClient is a clientset for a cluster admin, with rate limits raised
// so tests that create hundreds of objects are not throttled client-side.
func (cp *ControlPlane) AdminClient() (kubernetes.Interface, error) {
	cfg := cp.AdminConfig()
	cfg.QPS, cfg.Burst = 500, 1000
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("admin clientset: %w", err)
	}
	return cs, nil
}

// User is an extra identity, authenticated by a client certificate.
type User struct {
	Name       string
	Groups     []string
	Kubeconfig string
	Config     *rest.Config
}

// AddUser creates a client certificate for name (CN) and groups (O) and a
// kubeconfig for it. The user has no rights until a test binds a Role.
func (cp *ControlPlane) AddUser(name string, groups ...string) (User, error) {
	pair, err := cp.ca.client(name, groups...)
	if err != nil {
		return User{}, err
	}
	path := filepath.Join(cp.dir, "user-"+sanitizeFileName(name)+".kubeconfig")
	if err := cp.writeKubeconfig(path, name, pair); err != nil {
		return User{}, err
	}
	return User{Name: name, Groups: groups, Kubeconfig: path, Config: cp.restConfig(pair)}, nil
}

func (cp *ControlPlane) restConfig(pair keyPair) *rest.Config {
	return &rest.Config{
		Host: cp.URL(),
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   cp.ca.certPEM,
			CertData: pair.certPEM,
			KeyData:  pair.keyPEM,
		},
	}
}

func (cp *ControlPlane) writeKubeconfig(path, user string, pair keyPair) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["initwatch-e2e"] = &clientcmdapi.Cluster{
		Server:                   cp.URL(),
		CertificateAuthorityData: cp.ca.certPEM,
	}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{
		ClientCertificateData: pair.certPEM,
		ClientKeyData:         pair.keyPEM,
	}
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: "initwatch-e2e", AuthInfo: user}
	cfg.CurrentContext = ContextName
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}

// freePort asks the kernel for an unused loopback port. Another process
// could take it before the component binds it; on this machine that is rare
// enough, and Start then fails with the component's log rather than hanging.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func sanitizeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

package e2e

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestGetErrors runs the real binary on bad input and unreachable or
// refusing servers: each must end with one line on stderr, nothing on
// stdout, and exit 1 (2, plus a usage hint, for bad flags) — never a stack
// trace, and never a hang (run bounds every command).
func TestGetErrors(t *testing.T) {
	cp := shared.Get(t)
	bin := initwatchBinary(t)
	kc := adminKubeconfig(t, cp)
	dir := t.TempDir()

	refusedPort := closedPort(t)
	refusedKC := writeServerKubeconfig(t, dir, "refused", "https://127.0.0.1:"+refusedPort)
	silentKC := writeServerKubeconfig(t, dir, "silent", "https://"+silentServer(t))
	nobody, err := cp.AddUser("nobody")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		env  []string
		code int
		want string // regexp for the first stderr line
	}{
		{
			name: "unknown context",
			args: []string{"get", "--kubeconfig", kc, "--context", "nope"},
			code: 1, want: `^error: context "nope" not found in kubeconfig`,
		},
		{
			name: "missing kubeconfig file",
			args: []string{"get", "--kubeconfig", filepath.Join(dir, "absent.kubeconfig")},
			code: 1, want: `^error: .*absent\.kubeconfig.*(does not exist|no such file)`,
		},
		{
			name: "no kubeconfig anywhere",
			args: []string{"get"},
			env:  []string{"KUBECONFIG=", "HOME=" + dir, "KUBERNETES_SERVICE_HOST=", "KUBERNETES_SERVICE_PORT="},
			code: 1, want: `^error: no kubeconfig found: .* \(or try 'initwatch get --demo': a simulated cluster, no kubeconfig needed\)$`,
		},
		{
			name: "connection refused",
			args: []string{"get", "--kubeconfig", refusedKC},
			code: 1, want: `^error: cannot reach the API server at https://127\.0\.0\.1:` + refusedPort + `: connection refused`,
		},
		{
			name: "server accepts but never answers",
			args: []string{"get", "--kubeconfig", silentKC},
			code: 1, want: `^error: cannot reach the API server at https://127\.0\.0\.1:\d+: timed out`,
		},
		{
			name: "bad label selector",
			args: []string{"get", "--kubeconfig", kc, "-l", "app in (web"},
			code: 1, want: `^error: invalid label selector "app in \(web"`,
		},
		{
			name: "bad field selector",
			args: []string{"get", "--kubeconfig", kc, "--field-selector", "spec.nodeName"},
			code: 1, want: `^error: invalid field selector "spec.nodeName"`,
		},
		{
			name: "user without any rights",
			args: []string{"get", "--kubeconfig", nobody.Kubeconfig},
			code: 1, want: `^error: forbidden`,
		},
		{
			name: "unknown flag",
			args: []string{"get", "--colour"},
			code: 2, want: `^error: unknown flag: --colour$`,
		},
		{
			name: "unknown output format",
			args: []string{"get", "-o", "yaml"},
			code: 2, want: `^error: unknown output format "yaml"`,
		},
		{
			name: "positional argument",
			args: []string{"get", "my-pod"},
			code: 2, want: `^error: initwatch get takes no arguments, got "my-pod"`,
		},
		{
			name: "unknown command",
			args: []string{"describe"},
			code: 2, want: `^error: unknown command "describe" for initwatch$`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.env, bin, tc.args...)
			if res.code != tc.code {
				t.Fatalf("exit code %d, want %d; stderr: %q", res.code, tc.code, res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("stdout should be empty, got %q", res.stdout)
			}
			lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
			wantLines := 1
			if tc.code == 2 {
				wantLines = 2 // the error, then "See '... --help'."
			}
			if len(lines) != wantLines {
				t.Fatalf("stderr has %d lines, want %d: %q", len(lines), wantLines, res.stderr)
			}
			if !regexp.MustCompile(tc.want).MatchString(lines[0]) {
				t.Errorf("stderr %q does not match %q", lines[0], tc.want)
			}
			if tc.code == 2 && !regexp.MustCompile(`^See 'initwatch( get)? --help'\.$`).MatchString(lines[1]) {
				t.Errorf("usage hint %q", lines[1])
			}
			if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic") {
				t.Errorf("stderr shows a crash: %q", res.stderr)
			}
		})
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// silentServer accepts TCP connections and never says a word, like a
// firewall that swallows packets after the handshake; it returns its address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// writeServerKubeconfig writes a kubeconfig that points at server with a
// token, for the cases where the server never gets to check it.
func writeServerKubeconfig(t *testing.T, dir, name, server string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, InsecureSkipTLSVerify: true}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: "e2e"}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	cfg.CurrentContext = name
	path := filepath.Join(dir, name+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

package kube

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// isolate keeps a test from seeing the machine's kubeconfig or an
// in-cluster service account.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	return home
}

func writeKubeconfig(t *testing.T, path string, cfg *clientcmdapi.Config) string {
	t.Helper()
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// twoFiles writes the KUBECONFIG pair the resolution tests use: dev (the
// current context, namespace team-a) in the first file, prod in the second.
func twoFiles(t *testing.T) (first, second string) {
	dir := t.TempDir()
	first = writeKubeconfig(t, filepath.Join(dir, "dev.yaml"), &clientcmdapi.Config{
		CurrentContext: "dev",
		Clusters:       map[string]*clientcmdapi.Cluster{"dev-cluster": {Server: "https://dev.example:6443"}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"dev-user": {Token: "dev-token"}},
		Contexts: map[string]*clientcmdapi.Context{
			"dev": {Cluster: "dev-cluster", AuthInfo: "dev-user", Namespace: "team-a"},
		},
	})
	second = writeKubeconfig(t, filepath.Join(dir, "prod.yaml"), &clientcmdapi.Config{
		CurrentContext: "prod",
		Clusters:       map[string]*clientcmdapi.Cluster{"prod-cluster": {Server: "https://prod.example:6443"}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"prod-user": {Token: "prod-token"}},
		Contexts: map[string]*clientcmdapi.Context{
			"prod": {Cluster: "prod-cluster", AuthInfo: "prod-user"},
		},
	})
	return first, second
}

func parseFlags(t *testing.T, args ...string) *ConfigFlags {
	t.Helper()
	f := NewConfigFlags("1.2.3")
	fs := pflag.NewFlagSet("initwatch", pflag.ContinueOnError)
	f.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return f
}

func TestConfigFlagsBinding(t *testing.T) {
	f := parseFlags(t,
		"--kubeconfig", "/tmp/kc", "--context", "ctx", "--cluster", "cl", "--user", "u",
		"-n", "a,b", "--namespace", "c", "-A", "-l", "app=web", "--field-selector", "spec.nodeName=n1",
		"--request-timeout", "5s", "--server", "https://s:6443", "--token", "tok",
		"--insecure-skip-tls-verify", "--as", "bob", "--certificate-authority", "/ca.pem",
	)
	checks := []struct {
		name      string
		got, want any
	}{
		{"kubeconfig", f.Kubeconfig, "/tmp/kc"},
		{"context", f.Overrides.CurrentContext, "ctx"},
		{"cluster", f.Overrides.Context.Cluster, "cl"},
		{"user", f.Overrides.Context.AuthInfo, "u"},
		{"namespaces", strings.Join(f.Namespaces, ","), "a,b,c"},
		{"all", f.AllNamespaces, true},
		{"selector", f.LabelSelector, "app=web"},
		{"field selector", f.FieldSelector, "spec.nodeName=n1"},
		{"request timeout", f.Overrides.Timeout, "5s"},
		{"server", f.Overrides.ClusterInfo.Server, "https://s:6443"},
		{"token", f.Overrides.AuthInfo.Token, "tok"},
		{"insecure", f.Overrides.ClusterInfo.InsecureSkipTLSVerify, true},
		{"as", f.Overrides.AuthInfo.Impersonate, "bob"},
		{"ca", f.Overrides.ClusterInfo.CertificateAuthority, "/ca.pem"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if f.Overrides.Context.Namespace != "" {
		t.Error("-n must not become the context namespace override")
	}
}

func TestScope(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string
		all     bool
		wantErr string
	}{
		{args: nil, all: true},
		{args: []string{"-A"}, all: true},
		{args: []string{"-n", "a"}, want: []string{"a"}},
		{args: []string{"-n", "a,b", "-n", "a"}, want: []string{"a", "b"}},
		{args: []string{"-n", "a", "-A"}, all: true},
		{args: []string{"-n", "a,,b"}, wantErr: "empty namespace name"},
		{args: []string{"-n", "Bad_NS"}, wantErr: `invalid namespace "Bad_NS"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, all, err := parseFlags(t, tc.args...).Scope()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if all != tc.all || !slices.Equal(got, tc.want) {
				t.Errorf("Scope() = %v, %v; want %v, %v", got, all, tc.want, tc.all)
			}
		})
	}
}

func TestSelectors(t *testing.T) {
	tests := []struct {
		label, field         string
		wantLabel, wantField string
		wantErr              string
	}{
		{label: "app=web, tier!=cache", field: "spec.nodeName=n1,status.phase!=Running",
			wantLabel: "app=web,tier!=cache", wantField: "spec.nodeName=n1,status.phase!=Running"},
		{label: "env in (prod,staging),!legacy", wantLabel: "env in (prod,staging),!legacy"},
		{label: "app in (web", wantErr: `invalid label selector "app in (web"`},
		{label: "a=b=c", wantErr: "invalid label selector"},
		{field: "spec.nodeName", wantErr: `invalid field selector "spec.nodeName"`},
	}
	for _, tc := range tests {
		t.Run(tc.label+"|"+tc.field, func(t *testing.T) {
			f := NewConfigFlags("")
			f.LabelSelector, f.FieldSelector = tc.label, tc.field
			l, fl, err := f.Selectors()
			if tc.wantErr != "" {
				var se *SelectorError
				if !errors.As(err, &se) || !strings.Contains(Explain(err), tc.wantErr) {
					t.Fatalf("err %v, want SelectorError %q", err, tc.wantErr)
				}
				if f.Validate() == nil {
					t.Error("Validate accepted a bad selector")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l != tc.wantLabel || fl != tc.wantField {
				t.Errorf("got %q %q, want %q %q", l, fl, tc.wantLabel, tc.wantField)
			}
		})
	}
}

func TestKubeconfigResolution(t *testing.T) {
	first, second := twoFiles(t)
	tests := []struct {
		name                                   string
		env                                    string
		args                                   []string
		context, cluster, server, ns, tokenWas string
	}{
		{name: "KUBECONFIG list, first file's current context",
			env:     first + string(filepath.ListSeparator) + second,
			context: "dev", cluster: "dev-cluster", server: "https://dev.example:6443", ns: "team-a", tokenWas: "dev-token"},
		{name: "--context picks a context from the second file",
			env: first + string(filepath.ListSeparator) + second, args: []string{"--context", "prod"},
			context: "prod", cluster: "prod-cluster", server: "https://prod.example:6443", ns: "default", tokenWas: "prod-token"},
		{name: "--kubeconfig wins over KUBECONFIG",
			env: first, args: []string{"--kubeconfig", second},
			context: "prod", cluster: "prod-cluster", server: "https://prod.example:6443", ns: "default", tokenWas: "prod-token"},
		{name: "--cluster and --server override the context",
			env: first + string(filepath.ListSeparator) + second, args: []string{"--cluster", "prod-cluster", "--server", "https://other:6443"},
			context: "dev", cluster: "prod-cluster", server: "https://other:6443", ns: "team-a", tokenWas: "dev-token"},
		{name: "-n does not change the context namespace",
			env: first, args: []string{"-n", "x,y"},
			context: "dev", cluster: "dev-cluster", server: "https://dev.example:6443", ns: "team-a", tokenWas: "dev-token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("KUBECONFIG", tc.env)
			f := parseFlags(t, tc.args...)
			must := func(s string, err error) string {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			if got := must(f.ContextName()); got != tc.context {
				t.Errorf("context %q, want %q", got, tc.context)
			}
			if got := must(f.ClusterName()); got != tc.cluster {
				t.Errorf("cluster %q, want %q", got, tc.cluster)
			}
			if got := must(f.Server()); got != tc.server {
				t.Errorf("server %q, want %q", got, tc.server)
			}
			if got := must(f.ContextNamespace()); got != tc.ns {
				t.Errorf("context namespace %q, want %q", got, tc.ns)
			}
			cfg, err := f.RESTConfig()
			if err != nil {
				t.Fatal(err)
			}
			if cfg.BearerToken != tc.tokenWas {
				t.Errorf("token %q, want %q", cfg.BearerToken, tc.tokenWas)
			}
			opts, err := f.SourceOptions()
			if err != nil {
				t.Fatal(err)
			}
			if len(opts.FallbackNamespaces) == 0 || opts.FallbackNamespaces[0] != tc.ns {
				t.Errorf("fallback namespaces %q, want %q first", opts.FallbackNamespaces, tc.ns)
			}
		})
	}
}

func TestRESTConfigTuning(t *testing.T) {
	isolate(t)
	first, _ := twoFiles(t)
	f := parseFlags(t, "--kubeconfig", first, "--request-timeout", "7s")
	cfg, err := f.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UserAgent != "initwatch/1.2.3" {
		t.Errorf("user agent %q", cfg.UserAgent)
	}
	if cfg.QPS != DefaultQPS || cfg.Burst != DefaultBurst {
		t.Errorf("QPS/Burst %v/%v", cfg.QPS, cfg.Burst)
	}
	if cfg.Dial == nil {
		t.Error("no bounded dialer")
	}
	if cfg.Timeout != 0 || cfg.WrapTransport == nil {
		t.Errorf("timeout %v left on the client (it would cut watches); want it in a wrapper", cfg.Timeout)
	}

	f = parseFlags(t, "--kubeconfig", first)
	cfg, err = f.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != 0 || cfg.WrapTransport != nil {
		t.Error("no --request-timeout: nothing to wrap")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  func(t *testing.T) string // KUBECONFIG value
		want string
	}{
		{
			name: "unknown context",
			args: []string{"--context", "nope"},
			env:  func(t *testing.T) string { f, _ := twoFiles(t); return f },
			want: `context "nope" not found in kubeconfig`,
		},
		{
			name: "explicit kubeconfig missing",
			args: []string{"--kubeconfig", "/nonexistent/kubeconfig"},
			env:  func(*testing.T) string { return "" },
			want: "cannot load kubeconfig: /nonexistent/kubeconfig does not exist",
		},
		{
			name: "unknown user",
			args: []string{"--user", "ghost"},
			env:  func(t *testing.T) string { f, _ := twoFiles(t); return f },
			want: `user "ghost" not found in kubeconfig`,
		},
		{
			name: "no kubeconfig anywhere",
			env:  func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") },
			want: "no kubeconfig found",
		},
		{
			name: "bad request timeout",
			args: []string{"--request-timeout", "soon"},
			env:  func(t *testing.T) string { f, _ := twoFiles(t); return f },
			want: "Invalid timeout value",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("KUBECONFIG", tc.env(t))
			_, err := parseFlags(t, tc.args...).RESTConfig()
			if err == nil {
				t.Fatal("RESTConfig succeeded")
			}
			// Only a kubeconfig missing altogether (not a wrong one)
			// is reported as none.
			if none := tc.want == "no kubeconfig found"; IsNoKubeconfig(err) != none {
				t.Errorf("IsNoKubeconfig = %v, want %v", !none, none)
			}
			msg := Explain(err)
			if !strings.Contains(msg, tc.want) || strings.ContainsAny(msg, "\n\r") {
				t.Errorf("Explain = %q, want one line with %q", msg, tc.want)
			}
		})
	}
}

func TestDialTimeoutOverride(t *testing.T) {
	isolate(t)
	first, _ := twoFiles(t)
	f := parseFlags(t, "--kubeconfig", first)
	f.DialTimeout = time.Second
	if _, err := f.RESTConfig(); err != nil {
		t.Fatal(err)
	}
}

func TestFallbackNamespaces(t *testing.T) {
	isolate(t)
	path := writeKubeconfig(t, filepath.Join(t.TempDir(), "config"), &clientcmdapi.Config{
		CurrentContext: "alice-a",
		Clusters: map[string]*clientcmdapi.Cluster{
			"c1": {Server: "https://c1:6443"}, "c2": {Server: "https://c2:6443"},
		},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{"alice": {Token: "a"}, "bob": {Token: "b"}},
		Contexts: map[string]*clientcmdapi.Context{
			"alice-a":    {Cluster: "c1", AuthInfo: "alice", Namespace: "a"},
			"alice-b":    {Cluster: "c1", AuthInfo: "alice", Namespace: "b"},
			"alice-none": {Cluster: "c1", AuthInfo: "alice"},
			"alice-dup":  {Cluster: "c1", AuthInfo: "alice", Namespace: "a"},
			"bob-c":      {Cluster: "c1", AuthInfo: "bob", Namespace: "c"},
			"alice-c2":   {Cluster: "c2", AuthInfo: "alice", Namespace: "d"},
		},
	})
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"a", "b"}},
		{[]string{"--context", "alice-none"}, []string{"default", "a", "b"}},
		{[]string{"--user", "bob"}, []string{"a", "c"}},
		{[]string{"--context", "alice-c2"}, []string{"d"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f := parseFlags(t, append([]string{"--kubeconfig", path}, tc.args...)...)
			got, err := f.FallbackNamespaces()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("FallbackNamespaces() = %q, want %q", got, tc.want)
			}
		})
	}
}

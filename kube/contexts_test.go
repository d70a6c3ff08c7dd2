package kube

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// threeContexts writes a kubeconfig with contexts eu-1, us-1 and ap-1 (eu-1
// current) and returns its path.
func threeContexts(t *testing.T) string {
	t.Helper()
	cfg := &clientcmdapi.Config{
		CurrentContext: "eu-1",
		Clusters:       map[string]*clientcmdapi.Cluster{},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{},
		Contexts:       map[string]*clientcmdapi.Context{},
	}
	for _, n := range []string{"eu-1", "us-1", "ap-1"} {
		cfg.Clusters[n] = &clientcmdapi.Cluster{Server: "https://" + n + ".example:6443"}
		cfg.AuthInfos[n] = &clientcmdapi.AuthInfo{Token: n}
		cfg.Contexts[n] = &clientcmdapi.Context{Cluster: n, AuthInfo: n, Namespace: "ns-" + n}
	}
	return writeKubeconfig(t, filepath.Join(t.TempDir(), "config"), cfg)
}

func TestResolveContexts(t *testing.T) {
	isolate(t)
	kc := threeContexts(t)
	sets := map[string][]string{"prod": {"eu-1", "us-1", "ap-1"}, "one": {"us-1"}, "empty": {}, "ghost": {"eu-1", "mars-1"}}
	tests := []struct {
		name    string
		args    []string
		want    []string
		current string // Overrides.CurrentContext after resolution
		err     string
	}{
		{name: "no choice: the kubeconfig's current context", args: nil, want: nil},
		{name: "one context is kubectl's --context", args: []string{"--context", "us-1"}, want: []string{"us-1"}, current: "us-1"},
		{name: "one unknown context fails later, as kubectl", args: []string{"--context", "mars-1"}, want: []string{"mars-1"}, current: "mars-1"},
		{name: "comma list", args: []string{"--context", "eu-1,us-1"}, want: []string{"eu-1", "us-1"}},
		{name: "repeated", args: []string{"--context", "eu-1", "--context", "ap-1"}, want: []string{"eu-1", "ap-1"}},
		{name: "spaces trimmed", args: []string{"--context", "eu-1, us-1"}, want: []string{"eu-1", "us-1"}},
		{name: "all contexts, sorted", args: []string{"--all-contexts"}, want: []string{"ap-1", "eu-1", "us-1"}},
		{name: "a set", args: []string{"--clusters", "prod"}, want: []string{"eu-1", "us-1", "ap-1"}},
		{name: "a set of one is one context", args: []string{"--clusters", "one"}, want: []string{"us-1"}, current: "us-1"},
		{name: "unknown context among several", args: []string{"--context", "eu-1,mars-1"},
			err: `context "mars-1" not found in the kubeconfig (it has: ap-1, eu-1, us-1)`},
		{name: "duplicate context", args: []string{"--context", "eu-1,us-1,eu-1"},
			err: `--context eu-1,us-1,eu-1: context "eu-1" is named twice`},
		{name: "duplicate across repeats", args: []string{"--context", "eu-1", "--context", " eu-1"},
			err: `context "eu-1" is named twice`},
		{name: "empty name", args: []string{"--context", "eu-1,,us-1"}, err: `empty context name`},
		{name: "empty set", args: []string{"--clusters", "empty"}, err: `--clusters "empty": the set is empty`},
		{name: "unknown set", args: []string{"--clusters", "staging"},
			err: `--clusters "staging": no such set in the config file (it defines: empty, ghost, one, prod)`},
		{name: "set naming an unknown context", args: []string{"--clusters", "ghost"}, err: `context "mars-1" not found in the kubeconfig`},
		{name: "two ways at once", args: []string{"--context", "eu-1,us-1", "--all-contexts"}, err: `use one of them`},
		{name: "--server with several", args: []string{"--context", "eu-1,us-1", "--server", "https://x:6443"},
			err: `--server applies to one context; it cannot be used with several (eu-1, us-1)`},
		{name: "--user with several", args: []string{"--all-contexts", "--user", "eu-1"}, err: `--user applies to one context`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseFlags(t, append([]string{"--kubeconfig", kc}, tt.args...)...)
			got, err := f.ResolveContexts(sets)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("contexts = %q, want %q", got, tt.want)
			}
			if f.Overrides.CurrentContext != tt.current {
				t.Errorf("CurrentContext = %q, want %q", f.Overrides.CurrentContext, tt.current)
			}
		})
	}
}

func TestResolveContextsNoSets(t *testing.T) {
	isolate(t)
	f := parseFlags(t, "--kubeconfig", threeContexts(t), "--clusters", "prod")
	_, err := f.ResolveContexts(nil)
	if err == nil || !strings.Contains(err.Error(), "the config file defines no cluster sets") {
		t.Fatalf("err = %v", err)
	}
}

// ForContext resolves each context's own server, user and namespace, as
// kubectl --context NAME does.
func TestForContext(t *testing.T) {
	isolate(t)
	f := parseFlags(t, "--kubeconfig", threeContexts(t), "--context", "eu-1,us-1", "-n", "shop")
	if _, err := f.ResolveContexts(nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"us-1", "ap-1"} {
		cf := f.ForContext(n)
		server, err := cf.Server()
		if err != nil {
			t.Fatal(err)
		}
		if server != "https://"+n+".example:6443" {
			t.Errorf("%s: server %q", n, server)
		}
		cfg, err := cf.RESTConfig()
		if err != nil {
			t.Fatal(err)
		}
		if cfg.BearerToken != n {
			t.Errorf("%s: token %q, want its own user's", n, cfg.BearerToken)
		}
		opts, err := cf.SourceOptions()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(opts.Namespaces, []string{"shop"}) || opts.FallbackNamespaces[0] != "ns-"+n {
			t.Errorf("%s: options %+v", n, opts)
		}
	}
	if len(f.Contexts) != 2 {
		t.Error("ForContext changed the original flags")
	}
}

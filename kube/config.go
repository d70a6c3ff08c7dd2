package kube

import (
	"fmt"
	"net"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Client tuning. An informer-based viewer makes few requests once synced, but
// the start-up probes fan out over namespaces, so the burst is generous.
const (
	DefaultQPS   float32 = 50
	DefaultBurst         = 100
	// DefaultDialTimeout bounds TCP connection setup only, so an unreachable
	// server fails inside the 5 s budget for start-up errors while
	// established watches live as long as the server keeps them.
	DefaultDialTimeout = 4 * time.Second
	// dialKeepAlive lets the kernel notice a dead peer under a quiet watch.
	dialKeepAlive = 30 * time.Second
)

// ConfigFlags are the kubectl-style connection and scope flags. Resolution
// of the kubeconfig (the --kubeconfig file, else the KUBECONFIG list, else
// ~/.kube/config, else in-cluster), contexts, exec credential plugins and the
// override flags is done by client-go's clientcmd, exactly as kubectl does.
//
// Unlike kubectl, the default scope is all namespaces; -n narrows it to one
// or more namespaces (comma-separated or repeated).
type ConfigFlags struct {
	Kubeconfig    string
	Namespaces    []string
	AllNamespaces bool
	LabelSelector string
	FieldSelector string
	// Overrides carries --cluster, --user, --server, --token,
	// --request-timeout and the other clientcmd override flags, and
	// --context when it names one context (CurrentContext).
	Overrides clientcmd.ConfigOverrides
	// Contexts are the --context values (comma-separated or repeated);
	// one context is kubectl's --context, several are watched together.
	Contexts []string
	// AllContexts is --all-contexts: every context of the kubeconfig.
	AllContexts bool
	// ClusterSet is --clusters NAME: a named set of contexts from the
	// config file (config.Settings.Clusters).
	ClusterSet string

	// Version goes into the User-Agent ("initwatch/<version>"); empty means
	// the module version from the build info.
	Version string
	// DialTimeout bounds connection setup; zero means DefaultDialTimeout.
	DialTimeout time.Duration
}

// NewConfigFlags returns flags with kubectl's defaults.
func NewConfigFlags(version string) *ConfigFlags {
	return &ConfigFlags{Version: version}
}

// AddFlags binds the flags to fs. The clientcmd override flags are bound
// through clientcmd's own table, except --namespace, which initwatch
// redefines to accept a list.
func (f *ConfigFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Kubeconfig, clientcmd.RecommendedConfigPathFlag, f.Kubeconfig,
		"Path to the kubeconfig file to use (default: the KUBECONFIG list, then ~/.kube/config)")
	fs.StringSliceVarP(&f.Namespaces, "namespace", "n", f.Namespaces,
		"Namespaces to watch, comma-separated or repeated (default: all namespaces)")
	fs.BoolVarP(&f.AllNamespaces, "all-namespaces", "A", f.AllNamespaces,
		"Watch pods in all namespaces (the default; overrides --namespace as in kubectl)")
	fs.StringVarP(&f.LabelSelector, "selector", "l", f.LabelSelector,
		"Label selector to filter pods on, as in kubectl (e.g. -l 'app=web,tier!=cache')")
	fs.StringVar(&f.FieldSelector, "field-selector", f.FieldSelector,
		"Field selector to filter pods on, as in kubectl (e.g. --field-selector spec.nodeName=node-1)")

	names := clientcmd.RecommendedConfigOverrideFlags("")
	names.ContextOverrideFlags.Namespace = clientcmd.FlagInfo{} // an empty long name is not bound
	names.CurrentContext = clientcmd.FlagInfo{}                 // a list, bound below
	clientcmd.BindOverrideFlags(&f.Overrides, fs, names)
	fs.Var((*contextsValue)(f), clientcmd.FlagContext,
		"The kubeconfig context(s) to use; several (comma-separated or repeated) are watched together")
	fs.BoolVar(&f.AllContexts, "all-contexts", f.AllContexts, "Watch every context of the kubeconfig together")
	fs.StringVar(&f.ClusterSet, "clusters", f.ClusterSet,
		"Watch a named set of contexts from the config file (clusters: {NAME: [ctx, ...]})")
}

// contextsValue is the --context flag: a list, where one value is also
// kubectl's --context (Overrides.CurrentContext), so everything that reads
// the overrides sees it.
type contextsValue ConfigFlags

func (v *contextsValue) String() string { return strings.Join(v.Contexts, ",") }
func (v *contextsValue) Type() string   { return "strings" }

func (v *contextsValue) Set(s string) error {
	return v.Replace(append(v.Contexts, strings.Split(s, ",")...))
}

// The pflag.SliceValue methods let shell completion read the contexts
// already given, and see --context as a list ("a,b").

// Append implements pflag.SliceValue.
func (v *contextsValue) Append(s string) error { return v.Replace(append(v.Contexts, s)) }

// Replace implements pflag.SliceValue.
func (v *contextsValue) Replace(names []string) error {
	v.Contexts = names
	v.Overrides.CurrentContext = ""
	if len(v.Contexts) == 1 {
		v.Overrides.CurrentContext = strings.TrimSpace(v.Contexts[0])
	}
	return nil
}

// GetSlice implements pflag.SliceValue.
func (v *contextsValue) GetSlice() []string { return slices.Clone(v.Contexts) }

var _ pflag.SliceValue = (*contextsValue)(nil)

// ClientConfig returns the clientcmd view of the flags. It reads the
// kubeconfig files (and KUBECONFIG) when asked, not when built.
func (f *ConfigFlags) ClientConfig() clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = f.Kubeconfig
	overrides := f.Overrides
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &overrides)
}

// RESTConfig resolves the client configuration and tunes it for a
// long-running viewer: user agent, QPS/Burst, a bounded dial, and
// --request-timeout applied to every request except watches (client-go
// would otherwise cut each watch after that duration).
func (f *ConfigFlags) RESTConfig() (*rest.Config, error) {
	cfg, err := f.ClientConfig().ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.UserAgent = "initwatch/" + f.version()
	if cfg.QPS == 0 {
		cfg.QPS = DefaultQPS
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.Dial == nil {
		timeout := f.DialTimeout
		if timeout <= 0 {
			timeout = DefaultDialTimeout
		}
		cfg.Dial = dialUntilFirstByte(&net.Dialer{Timeout: timeout, KeepAlive: dialKeepAlive})
	}
	if cfg.Timeout > 0 {
		limit := cfg.Timeout
		cfg.Timeout = 0
		cfg.Wrap(newRequestTimeout(limit))
	}
	return cfg, nil
}

// Clientset builds a typed clientset from RESTConfig that speaks protobuf:
// decoding 10,000 pods from protobuf costs a fraction of JSON. Built-in
// types always support it; JSON stays acceptable for anything else.
func (f *ConfigFlags) Clientset() (kubernetes.Interface, error) {
	cfg, err := f.RESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	// Pods decode without client-go's copies and their managed fields
	// (podwire.go): most of the CPU a change costs.
	cs, err := newClientset(cfg)
	if err != nil {
		return nil, fmt.Errorf("build client for %s: %w", cfg.Host, err)
	}
	return cs, nil
}

// Scope returns the namespaces to watch. all is true, and namespaces nil,
// when no -n was given or -A was (kubectl lets -A win over -n).
func (f *ConfigFlags) Scope() (namespaces []string, all bool, err error) {
	if f.AllNamespaces || len(f.Namespaces) == 0 {
		return nil, true, nil
	}
	seen := make(map[string]bool, len(f.Namespaces))
	for _, raw := range f.Namespaces {
		ns := strings.TrimSpace(raw)
		if ns == "" {
			return nil, false, fmt.Errorf("invalid --namespace %q: empty namespace name", strings.Join(f.Namespaces, ","))
		}
		if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
			return nil, false, fmt.Errorf("invalid namespace %q: %s", ns, msgs[0])
		}
		if !seen[ns] {
			seen[ns] = true
			namespaces = append(namespaces, ns)
		}
	}
	return namespaces, false, nil
}

// Selectors validates -l and --field-selector and returns them in the
// canonical form the API server receives.
func (f *ConfigFlags) Selectors() (label, field string, err error) {
	return parseSelectors(f.LabelSelector, f.FieldSelector)
}

func parseSelectors(label, field string) (string, string, error) {
	var l, fl string
	if strings.TrimSpace(label) != "" {
		sel, err := labels.Parse(label)
		if err != nil {
			return "", "", &SelectorError{Flag: "label selector", Value: label, Err: err}
		}
		l = sel.String()
	}
	if strings.TrimSpace(field) != "" {
		sel, err := fields.ParseSelector(field)
		if err != nil {
			return "", "", &SelectorError{Flag: "field selector", Value: field, Err: err}
		}
		fl = sel.String()
	}
	return l, fl, nil
}

// Validate checks the scope and selector flags without touching the
// kubeconfig or the network, so bad input fails before anything else.
func (f *ConfigFlags) Validate() error {
	if _, _, err := f.Scope(); err != nil {
		return err
	}
	_, _, err := f.Selectors()
	return err
}

// SourceOptions turns the flags into Options for NewInformerSource, with
// the kubeconfig context's namespace as the least-privilege fallback.
func (f *ConfigFlags) SourceOptions() (Options, error) {
	namespaces, _, err := f.Scope()
	if err != nil {
		return Options{}, err
	}
	label, field, err := f.Selectors()
	if err != nil {
		return Options{}, err
	}
	fallback, err := f.FallbackNamespaces()
	if err != nil {
		return Options{}, err
	}
	return Options{
		Namespaces:         namespaces,
		LabelSelector:      label,
		FieldSelector:      field,
		FallbackNamespaces: fallback,
	}, nil
}

// FallbackNamespaces are the namespaces to try when the user may list
// neither pods cluster-wide nor namespaces: the context's namespace, then
// the namespaces of the kubeconfig's other contexts for the same cluster and
// user (a common layout when access is granted per namespace). Nothing else
// reveals them without a write such as a SelfSubjectRulesReview.
func (f *ConfigFlags) FallbackNamespaces() ([]string, error) {
	first, err := f.ContextNamespace()
	if err != nil {
		return nil, err
	}
	namespaces := []string{first}
	raw, err := f.ClientConfig().RawConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	current, err := f.ContextName()
	if err != nil {
		return nil, err
	}
	ctx, ok := raw.Contexts[current]
	if !ok || ctx == nil {
		return namespaces, nil
	}
	cluster, user := ctx.Cluster, ctx.AuthInfo
	if f.Overrides.Context.Cluster != "" {
		cluster = f.Overrides.Context.Cluster
	}
	if f.Overrides.Context.AuthInfo != "" {
		user = f.Overrides.Context.AuthInfo
	}
	names := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := raw.Contexts[name]
		if c == nil || c.Namespace == "" || c.Cluster != cluster || c.AuthInfo != user {
			continue
		}
		if !slices.Contains(namespaces, c.Namespace) {
			namespaces = append(namespaces, c.Namespace)
		}
	}
	return namespaces, nil
}

// ContextNamespace is the namespace the kubeconfig context names ("default"
// when it names none; the service account's namespace in a cluster). -n does
// not change it: it is only the fallback when nothing wider may be listed.
func (f *ConfigFlags) ContextNamespace() (string, error) {
	ns, _, err := f.ClientConfig().Namespace()
	if err != nil {
		return "", fmt.Errorf("load kubeconfig: %w", err)
	}
	return ns, nil
}

// ContextName is the kubeconfig context in use ("" in a cluster without a
// kubeconfig).
func (f *ConfigFlags) ContextName() (string, error) {
	if f.Overrides.CurrentContext != "" {
		return f.Overrides.CurrentContext, nil
	}
	raw, err := f.ClientConfig().RawConfig()
	if err != nil {
		return "", fmt.Errorf("load kubeconfig: %w", err)
	}
	return raw.CurrentContext, nil
}

// ClusterName is the kubeconfig cluster the context points to (or --cluster).
func (f *ConfigFlags) ClusterName() (string, error) {
	if f.Overrides.Context.Cluster != "" {
		return f.Overrides.Context.Cluster, nil
	}
	raw, err := f.ClientConfig().RawConfig()
	if err != nil {
		return "", fmt.Errorf("load kubeconfig: %w", err)
	}
	name, err := f.ContextName()
	if err != nil {
		return "", err
	}
	if c, ok := raw.Contexts[name]; ok && c != nil {
		return c.Cluster, nil
	}
	return "", nil
}

// Server is the API server URL the resolved configuration talks to.
func (f *ConfigFlags) Server() (string, error) {
	cfg, err := f.ClientConfig().ClientConfig()
	if err != nil {
		return "", fmt.Errorf("load kubeconfig: %w", err)
	}
	return cfg.Host, nil
}

func (f *ConfigFlags) version() string {
	if f.Version != "" {
		return f.Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "devel"
}

// MetadataClient builds a metadata-only client from RESTConfig, for the
// owner informers that need no spec or status (Options.Metadata).
func (f *ConfigFlags) MetadataClient() (metadata.Interface, error) {
	cfg, err := f.RESTConfig()
	if err != nil {
		return nil, err
	}
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("build metadata client for %s: %w", cfg.Host, err)
	}
	return mc, nil
}

package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/initwatch/initwatch/completion"
	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
)

// completeCommand is the hidden command the completion scripts call.
const completeCommand = "__complete"

// namespaceListTimeout bounds the one cluster call completion makes: a TAB
// that hangs is worse than one that offers nothing.
const namespaceListTimeout = 2 * time.Second

// runCompletion is `initwatch completion bash|zsh|fish`.
func runCompletion(_ context.Context, env *Env, args []string) error {
	hint := env.name() + " completion --help"
	fs := newFlagSet(env.name() + " completion")
	if err := parseFlags(fs, args, env, completionUsage, hint); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf(hint, "%s completion takes one shell: %s", env.name(), strings.Join(completion.Shells, ", "))
	}
	// The script registers the command as the user types it; as a kubectl
	// plugin that is the kubectl-initwatch file (kubectl itself completes
	// `kubectl initwatch` through kubectl_complete-initwatch).
	script, err := completion.Script(fs.Arg(0), strings.ReplaceAll(env.name(), " ", "-"))
	if err != nil {
		return usageErrorf(hint, "%v", err)
	}
	_, err = io.WriteString(env.Stdout, script)
	return err
}

func completionUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Print a shell completion script. It completes commands, flags, kubeconfig
contexts, clusters and users, themes and, when the cluster answers within
two seconds, namespaces.

Usage:
  %[1]s completion bash|zsh|fish

Load it:
  bash:  source <(%[1]s completion bash)         # or save it to
         ~/.local/share/bash-completion/completions/initwatch
  zsh:   source <(%[1]s completion zsh)          # after compinit; or save it
         as _initwatch in a directory on $fpath
  fish:  %[1]s completion fish | source          # or save it to
         ~/.config/fish/completions/initwatch.fish

As a kubectl plugin, kubectl completes `+"`kubectl initwatch`"+` itself once a
kubectl_complete-initwatch command is on PATH; link it to the plugin:
  ln -s "$(command -v kubectl-initwatch)" "$(dirname "$(command -v kubectl-initwatch)")/kubectl_complete-initwatch"

Flags:
`, name)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

// runComplete answers one completion request: args are the words after
// the program name, the last one being completed.
func runComplete(ctx context.Context, env *Env, args []string) error {
	cands, dir := newCompleter(env).Complete(ctx, args)
	return completion.Write(env.Stdout, cands, dir)
}

// withHelp adds the -h/--help flag parseFlags defines, so completion offers
// it too.
func withHelp(fs *pflag.FlagSet) *pflag.FlagSet {
	fs.BoolP("help", "h", false, "Show this help")
	return fs
}

// newCompleter describes initwatch's commands and flags to the completion
// engine, from the same flag definitions the commands parse.
func newCompleter(env *Env) *completion.Completer {
	home, _ := env.lookupEnv("HOME")
	words := func(list ...string) func(context.Context, completion.Request, []string) ([]completion.Candidate, completion.Directive) {
		return func(_ context.Context, _ completion.Request, positional []string) ([]completion.Candidate, completion.Directive) {
			if len(positional) > 0 {
				return nil, completion.DirectiveNoFileComp
			}
			cands := make([]completion.Candidate, len(list))
			for i, w := range list {
				cands[i] = completion.Candidate{Value: w}
			}
			return cands, completion.DirectiveNoFileComp
		}
	}
	outputFlag := func(name string) func() *pflag.FlagSet {
		return func() *pflag.FlagSet {
			fs := newFlagSet(name)
			fs.StringP("output", "o", "", "Output format: json")
			return withHelp(fs)
		}
	}
	subs := []*completion.Command{
		{Name: "get", Summary: summaryOf("get"),
			Flags: func() *pflag.FlagSet { return withHelp(getFlags(kube.NewConfigFlags(""), &getOptions{})) }},
		{Name: "rollouts", Summary: summaryOf("rollouts"),
			Flags: func() *pflag.FlagSet {
				return withHelp(rolloutsFlags(kube.NewConfigFlags(""), &rolloutsOptions{}))
			}},
		{Name: "wait", Summary: summaryOf("wait"),
			Flags: func() *pflag.FlagSet { return withHelp(waitFlags(kube.NewConfigFlags(""), &waitOptions{})) }},
		{Name: "version", Summary: summaryOf("version"), Flags: outputFlag("version")},
		{Name: "completion", Summary: summaryOf("completion"),
			Flags: func() *pflag.FlagSet { return withHelp(newFlagSet("completion")) }, Args: words(completion.Shells...)},
		{Name: "config", Summary: summaryOf("config"), Flags: outputFlag("config"), Args: words("path", "view")},
		{Name: completeCommand, Hidden: true},
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	subs = append(subs, &completion.Command{Name: "help", Summary: "Show help for a command", Args: words(names...)})
	root := &completion.Command{
		Name:        "initwatch",
		Flags:       func() *pflag.FlagSet { return withHelp(rootFlags(kube.NewConfigFlags(""))) },
		Subcommands: subs,
	}
	return &completion.Completer{
		Root: root,
		Values: map[string]completion.Func{
			"context":   kubeconfigNames(home, contextDescriptions),
			"cluster":   kubeconfigNames(home, clusterDescriptions),
			"user":      kubeconfigNames(home, userDescriptions),
			"namespace": completeNamespaces(home),
			"theme":     completeThemes,
			"clusters":  completeClusterSets(env),
			"output": func(context.Context, completion.Request) ([]completion.Candidate, completion.Directive) {
				return []completion.Candidate{{Value: "json"}}, completion.DirectiveNoFileComp
			},
		},
		FileFlags: []string{"kubeconfig", "certificate-authority", "client-certificate", "client-key"},
	}
}

func summaryOf(name string) string {
	for _, c := range commands {
		if c.name == name {
			return c.summary
		}
	}
	return ""
}

// connectionFlags rebuilds the kubectl connection flags from what the user
// typed before the word being completed, so --kubeconfig, --context and
// the like steer completion the way they will steer the command.
//
// The shells hand over file paths as typed: the shell expands "~/x" only
// when it runs the command, so completion expands a leading "~" against
// home itself, or it would look for a file literally named "~".
func connectionFlags(req completion.Request, home string) *kube.ConfigFlags {
	kf := kube.NewConfigFlags(version())
	fs := pflag.NewFlagSet("completion", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.ParseErrorsAllowlist.UnknownFlagsHandling = pflag.IgnoreUnknownFlag
	kf.AddFlags(fs)
	_ = fs.Parse(req.Args)
	for _, p := range []*string{
		&kf.Kubeconfig,
		&kf.Overrides.ClusterInfo.CertificateAuthority,
		&kf.Overrides.AuthInfo.ClientCertificate,
		&kf.Overrides.AuthInfo.ClientKey,
	} {
		*p = expandHome(*p, home)
	}
	return kf
}

// expandHome replaces a leading "~" or "~/" in path with home. "~user"
// forms and an unknown home are left alone.
func expandHome(path, home string) string {
	if home == "" {
		return path
	}
	if path == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		return filepath.Join(home, rest)
	}
	return path
}

// kubeconfigNames completes names from the merged kubeconfig; it needs no
// cluster.
func kubeconfigNames(home string, pick func(*clientcmdapi.Config) map[string]string) completion.Func {
	return func(_ context.Context, req completion.Request) ([]completion.Candidate, completion.Directive) {
		raw, err := connectionFlags(req, home).ClientConfig().RawConfig()
		if err != nil {
			return nil, completion.DirectiveNoFileComp
		}
		return sortedCandidates(pick(&raw)), completion.DirectiveNoFileComp
	}
}

func contextDescriptions(c *clientcmdapi.Config) map[string]string {
	out := make(map[string]string, len(c.Contexts))
	for name, ctx := range c.Contexts {
		desc := "cluster " + ctx.Cluster
		if ctx.Namespace != "" {
			desc += ", namespace " + ctx.Namespace
		}
		if name == c.CurrentContext {
			desc += " (current)"
		}
		out[name] = desc
	}
	return out
}

func clusterDescriptions(c *clientcmdapi.Config) map[string]string {
	out := make(map[string]string, len(c.Clusters))
	for name, cl := range c.Clusters {
		out[name] = cl.Server
	}
	return out
}

func userDescriptions(c *clientcmdapi.Config) map[string]string {
	out := make(map[string]string, len(c.AuthInfos))
	for name := range c.AuthInfos {
		out[name] = ""
	}
	return out
}

func sortedCandidates(m map[string]string) []completion.Candidate {
	cands := make([]completion.Candidate, 0, len(m))
	for v, d := range m {
		cands = append(cands, completion.Candidate{Value: v, Description: d})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Value < cands[j].Value })
	return cands
}

// completeNamespaces lists the cluster's namespaces, bounded by
// namespaceListTimeout. Any failure (no kubeconfig, unreachable, forbidden)
// completes nothing: a TAB must never print an error into the command line.
func completeNamespaces(home string) completion.Func {
	return func(ctx context.Context, req completion.Request) ([]completion.Candidate, completion.Directive) {
		return listNamespaces(ctx, connectionFlags(req, home))
	}
}

func listNamespaces(ctx context.Context, kf *kube.ConfigFlags) ([]completion.Candidate, completion.Directive) {
	kf.DialTimeout = namespaceListTimeout
	cfg, err := kf.RESTConfig()
	if err != nil {
		return nil, completion.DirectiveNoFileComp
	}
	cfg.Timeout = namespaceListTimeout
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, completion.DirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(ctx, namespaceListTimeout)
	defer cancel()
	list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, completion.DirectiveNoFileComp
	}
	cands := make([]completion.Candidate, 0, len(list.Items))
	for _, ns := range list.Items {
		cands = append(cands, completion.Candidate{Value: ns.Name})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Value < cands[j].Value })
	return cands, completion.DirectiveNoFileComp
}

// completeClusterSets offers the named sets of contexts from the config
// file (`clusters:`), each described by its contexts. A config file that
// does not load offers nothing: completion never prints errors.
func completeClusterSets(env *Env) completion.Func {
	return func(context.Context, completion.Request) ([]completion.Candidate, completion.Directive) {
		s, err := config.Load(env.lookupEnv, config.Flags{})
		if err != nil {
			return nil, completion.DirectiveNoFileComp
		}
		sets := make(map[string]string, len(s.Clusters))
		for name, contexts := range s.Clusters {
			sets[name] = strings.Join(contexts, ", ")
		}
		return sortedCandidates(sets), completion.DirectiveNoFileComp
	}
}

func completeThemes(context.Context, completion.Request) ([]completion.Candidate, completion.Directive) {
	var cands []completion.Candidate
	for _, n := range themes.Names() {
		cands = append(cands, completion.Candidate{Value: n})
	}
	return cands, completion.DirectiveNoFileComp
}

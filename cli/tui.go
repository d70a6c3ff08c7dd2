package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui"
	"github.com/initwatch/initwatch/tui/logs"
)

// runTUI starts the terminal UI on the resolved flags: an informer source
// for the scope, container logs from the same cluster, the theme (mono under
// NO_COLOR) and the key bindings of the settings.
func runTUI(ctx context.Context, env *Env, flags *kube.ConfigFlags, settings config.Settings) error {
	contexts, err := flags.ResolveContexts(settings.Clusters)
	if err != nil {
		return err
	}
	if len(contexts) > 1 {
		return runMultiTUI(ctx, env, flags, settings, contexts)
	}
	opts, err := flags.SourceOptions()
	if err != nil {
		return err
	}
	// The detail view's Events pane: the events of the pod it shows only,
	// watched while it is open (kube/podevents.go).
	opts.FocusedEvents = true
	// The rollouts view resolves pods to their workloads.
	opts.WithOwners = !benchWithoutOwners(env)
	// client-go's own log lines (a reflector's "watch ended with error")
	// would be written over the screen; ConnState tells the user instead.
	kube.RedirectClientLogs(io.Discard)
	ui, err := uiOptions(env, settings)
	if err != nil {
		return err
	}
	contextName, err := flags.ContextName()
	if err != nil {
		return err
	}
	clusterName, err := flags.ClusterName()
	if err != nil {
		return err
	}
	newSource := env.NewSource
	var logs kube.LogSource
	if newSource == nil {
		newSource = newClusterSource
		cs, err := flags.Clientset()
		if err != nil {
			return err
		}
		logs = kube.NewLogSource(cs, kube.LogStreamOptions{})
	}
	src, err := newSource(flags, opts)
	if err != nil {
		return err
	}
	ui.Source, ui.Logs = src, logs
	ui.Context, ui.Cluster = contextName, clusterName
	ui.Scope = strings.Join(opts.Namespaces, ",")
	return tui.Run(ctx, ui)
}

// runMultiTUI is the terminal UI over several contexts at once.
func runMultiTUI(ctx context.Context, env *Env, flags *kube.ConfigFlags, settings config.Settings, contexts []string) error {
	namespaces, _, err := flags.Scope()
	if err != nil {
		return err
	}
	kube.RedirectClientLogs(io.Discard)
	ui, err := uiOptions(env, settings)
	if err != nil {
		return err
	}
	// The events of the open pod only, in its own cluster (the
	// MultiSource passes the focus on), and owners for the rollouts view.
	m := newMultiCluster(env, flags, contexts, func(o *kube.Options) {
		o.FocusedEvents = true
		o.WithOwners = true
	})
	ui.Source, ui.Logs = m.source, m.logs
	ui.Contexts = contexts
	ui.Scope = strings.Join(namespaces, ",")
	return tui.Run(ctx, ui)
}

// uiOptions is what the terminal UI takes from the settings alone, the same
// for a real cluster and the demo: theme (mono under NO_COLOR), key
// bindings with their overrides, and the log tail and buffer sizes.
func uiOptions(env *Env, settings config.Settings) (tui.Options, error) {
	theme, err := themes.Select(settings.Theme, noColor(env))
	if err != nil {
		return tui.Options{}, err
	}
	keys := keymap.Default()
	if err := keys.Override(settings.Keys); err != nil {
		return tui.Options{}, fmt.Errorf("config keys: %w", err)
	}
	return tui.Options{
		Theme: theme,
		Keys:  keys,
		LogOptions: logs.Options{
			TailLines:   int64(settings.LogTail),
			BufferLines: settings.LogBuffer,
		},
	}, nil
}

// noColor reports NO_COLOR (any non-empty value, per no-color.org).
func noColor(env *Env) bool {
	v, _ := env.lookupEnv("NO_COLOR")
	return v != ""
}

// benchNoOwnersEnv, set to 1, starts the terminal UI without its owner
// informers. It is for benchmarks only (bench/memscale measures what the
// owners add to the resident set on a real apiserver, issue 13): the
// rollouts view then knows no workloads. Not documented for users.
const benchNoOwnersEnv = "INITWATCH_BENCH_NO_OWNERS"

func benchWithoutOwners(env *Env) bool {
	v, _ := env.lookupEnv(benchNoOwnersEnv)
	return v == "1"
}

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
)

// runTUI starts the terminal UI on the resolved flags: an informer source
// for the scope, container logs from the same cluster, the theme (mono under
// NO_COLOR) and the key bindings of the settings.
func runTUI(ctx context.Context, env *Env, flags *kube.ConfigFlags, settings config.Settings) error {
	opts, err := flags.SourceOptions()
	if err != nil {
		return err
	}
	opts.WithEvents = true // the detail view's Events pane
	// client-go's own log lines (a reflector's "watch ended with error")
	// would be written over the screen; ConnState tells the user instead.
	kube.RedirectClientLogs(io.Discard)
	theme, err := themes.Select(settings.Theme, noColor(env))
	if err != nil {
		return err
	}
	keys := keymap.Default()
	if err := keys.Override(settings.Keys); err != nil {
		return fmt.Errorf("config keys: %w", err)
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
	return tui.Run(ctx, tui.Options{
		Source:  src,
		Logs:    logs,
		Theme:   theme,
		Keys:    keys,
		Context: contextName,
		Cluster: clusterName,
		Scope:   strings.Join(opts.Namespaces, ","),
		LogOptions: tui.LogsOptions{
			TailLines:   int64(settings.LogTail),
			BufferLines: settings.LogBuffer,
		},
	})
}

package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/demo"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui"
)

// Flags of `initwatch --demo`.
const (
	flagDemo      = "demo"
	flagDemoSeed  = "demo-seed"
	flagDemoSpeed = "demo-speed"
	// maxDemoSpeed keeps the simulation watchable: past this, two minutes
	// of scenarios go by in about a second.
	maxDemoSpeed = 100
)

// addDemoFlags binds --demo, --demo-seed and --demo-speed.
func addDemoFlags(fs *pflag.FlagSet) {
	fs.Bool(flagDemo, false, "Show a built-in simulated cluster instead of a real one: no kubeconfig, no network")
	fs.Uint64(flagDemoSeed, 1, "With --demo: the simulation's seed; the same seed replays the same run")
	fs.String(flagDemoSpeed, "1x", "With --demo: how fast simulated time runs (1x is real time, 5x five times faster)")
}

// demoOptions reads the demo flags: ok is false without --demo. The other
// demo flags without --demo are a usage error, so a typo cannot silently
// open a real cluster.
func demoOptions(fs *pflag.FlagSet, hint string) (opts demo.Options, ok bool, err error) {
	on, _ := fs.GetBool(flagDemo)
	if !on {
		for _, name := range []string{flagDemoSeed, flagDemoSpeed} {
			if fs.Changed(name) {
				return opts, false, usageErrorf(hint, "--%s needs --%s", name, flagDemo)
			}
		}
		return opts, false, nil
	}
	opts.Seed, _ = fs.GetUint64(flagDemoSeed)
	speed, _ := fs.GetString(flagDemoSpeed)
	if opts.Speed, err = parseSpeed(speed); err != nil {
		return opts, false, usageErrorf(hint, "--%s: %v", flagDemoSpeed, err)
	}
	return opts, true, nil
}

// parseSpeed reads a factor written "5x", "5" or "0.5x".
func parseSpeed(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "x"), 64)
	if err != nil || f <= 0 || f > maxDemoSpeed {
		return 0, fmt.Errorf("want a factor above 0 and up to %dx, like 1x or 5x; got %q", maxDemoSpeed, s)
	}
	return f, nil
}

// runDemo is `initwatch --demo`: the terminal UI on a simulated cluster,
// watched through the same informer source as a real one. -n, -A and the
// selectors still apply; the kubeconfig is never read.
func runDemo(ctx context.Context, env *Env, flags *kube.ConfigFlags, settings config.Settings, opts demo.Options) error {
	namespaces, _, err := flags.Scope()
	if err != nil {
		return err
	}
	label, field, err := flags.Selectors()
	if err != nil {
		return err
	}
	ui, err := uiOptions(env, settings)
	if err != nil {
		return err
	}

	cluster := demo.New(opts)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	simulated := make(chan error, 1)
	go func() { simulated <- cluster.Run(ctx) }()
	// Owners too: the rollouts view resolves the release to its Deployments.
	ui.Source = cluster.Source(kube.Options{Namespaces: namespaces, LabelSelector: label, FieldSelector: field, WithOwners: true})
	ui.Logs = cluster.Logs()
	ui.Now = cluster.Now
	ui.Context = "initwatch-demo"
	ui.Cluster = fmt.Sprintf("simulated (seed %d, %gx)", opts.Seed, cluster.Speed())
	ui.Scope = strings.Join(namespaces, ",")
	err = tui.Run(ctx, ui)
	cancel()
	if simErr := <-simulated; simErr != nil && err == nil {
		err = fmt.Errorf("demo simulation: %w", simErr)
	}
	return err
}

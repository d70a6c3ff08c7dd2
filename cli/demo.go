package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// demoRun is a simulated cluster moving with the wall clock, started for
// one command: its owner calls stop once, which ends the simulation and
// returns the error that stopped it early, if any.
type demoRun struct {
	cluster *demo.Cluster
	cancel  context.CancelFunc
	done    chan error
}

func startDemo(ctx context.Context, opts demo.Options) *demoRun {
	ctx, cancel := context.WithCancel(ctx)
	r := &demoRun{cluster: demo.New(opts), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- r.cluster.Run(ctx) }()
	return r
}

func (r *demoRun) stop() error {
	r.cancel()
	if err := <-r.done; err != nil {
		return fmt.Errorf("demo simulation: %w", err)
	}
	return nil
}

// demoSourceOptions is the scope of a demo command: -n, -A and the
// selectors apply as on a real cluster; no kubeconfig is read.
func demoSourceOptions(flags *kube.ConfigFlags) (kube.Options, error) {
	namespaces, _, err := flags.Scope()
	if err != nil {
		return kube.Options{}, err
	}
	label, field, err := flags.Selectors()
	if err != nil {
		return kube.Options{}, err
	}
	return kube.Options{Namespaces: namespaces, LabelSelector: label, FieldSelector: field}, nil
}

// runDemo is `initwatch --demo`: the terminal UI on a simulated cluster,
// watched through the same informer source as a real one.
func runDemo(ctx context.Context, env *Env, flags *kube.ConfigFlags, settings config.Settings, opts demo.Options) error {
	srcOpts, err := demoSourceOptions(flags)
	if err != nil {
		return err
	}
	ui, err := uiOptions(env, settings)
	if err != nil {
		return err
	}

	sim := startDemo(ctx, opts)
	cluster := sim.cluster
	ui.Source = cluster.Source(srcOpts)
	ui.Logs = cluster.Logs()
	ui.Now = cluster.Now
	ui.Context = "initwatch-demo"
	ui.Cluster = fmt.Sprintf("simulated (seed %d, %gx)", opts.Seed, cluster.Speed())
	ui.Scope = strings.Join(srcOpts.Namespaces, ",")
	err = tui.Run(ctx, ui)
	if simErr := sim.stop(); simErr != nil && err == nil {
		err = simErr
	}
	return err
}

// demoSnapshotAt is how far into the simulation a one-shot `get --demo`
// looks: by then the seed app is in its second back-off, report-export has failed for good
// and the release is rolling, where at the start every pod is Running.
const demoSnapshotAt = 40 * time.Second

// runGetDemo is `initwatch get --demo`, its ages on the simulated clock. A
// one-shot table (or JSON) is the simulation demoSnapshotAt in, computed
// at once and the same for a seed every time; --watch streams it live from
// the start, like the terminal UI.
func runGetDemo(ctx context.Context, env *Env, flags *kube.ConfigFlags, o getOptions, opts demo.Options) error {
	srcOpts, err := demoSourceOptions(flags)
	if err != nil {
		return err
	}
	demoEnv := *env
	if !o.watch {
		// Begun demoSnapshotAt ago, so timestamps read as the past.
		opts.Start = time.Now().Truncate(time.Second).Add(-demoSnapshotAt)
		cluster := demo.New(opts)
		if err := cluster.Step(demoSnapshotAt); err != nil {
			return fmt.Errorf("demo simulation: %w", err)
		}
		demoEnv.Now = cluster.Now
		return streamGet(ctx, &demoEnv, cluster.Source(srcOpts), o)
	}
	sim := startDemo(ctx, opts)
	demoEnv.Now = sim.cluster.Now
	err = streamGet(ctx, &demoEnv, sim.cluster.Source(srcOpts), o)
	if simErr := sim.stop(); simErr != nil && err == nil {
		err = simErr
	}
	return err
}

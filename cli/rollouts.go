package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/initwatch/initwatch/demo"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/rollout"
)

// rolloutsOptions are the flags of `initwatch rollouts` besides the
// connection flags.
type rolloutsOptions struct {
	output string
	watch  bool
	// contexts are the clusters summarised together (more than one): the
	// first summary waits until each has listed or failed.
	contexts []string
}

// runRollouts is `initwatch rollouts`: the rollout summary (workloads,
// revisions, the init step funnel, failure signatures) printed once the
// pods and their owners are listed, or with -w reprinted whenever it changes.
func runRollouts(ctx context.Context, env *Env, args []string) error {
	flags := kube.NewConfigFlags(version())
	var o rolloutsOptions
	fs := rolloutsFlags(flags, &o)
	hint := env.name() + " rollouts --help"
	if err := parseFlags(fs, args, env, rolloutsUsage, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "%s rollouts takes no arguments, got %q (filter with -n or -l)", env.name(), fs.Arg(0))
	}
	switch o.output {
	case "", "text", "json":
	default:
		return usageErrorf(hint, "unknown output format %q: use -o text or -o json", o.output)
	}
	demoOpts, isDemo, err := demoOptions(fs, hint)
	if err != nil {
		return err
	}
	if err := flags.Validate(); err != nil {
		return err
	}
	if isDemo {
		return rolloutsDemo(ctx, env, flags, demoOpts, o)
	}
	settings, err := loadSettings(env, fs, flags)
	if err != nil {
		return err
	}
	// Several clusters make one summary; a workload's identity carries its
	// context, so equal names stay apart.
	src, contexts, err := openSource(env, flags, settings, "rollouts", func(o *kube.Options) { o.WithOwners = true })
	if err != nil {
		return err
	}
	o.contexts = contexts
	return streamRollouts(ctx, env, src, env.Now, o)
}

// rolloutsDemo runs the summary on the simulated cluster, its clock the
// simulation's.
func rolloutsDemo(ctx context.Context, env *Env, flags *kube.ConfigFlags, opts demo.Options, o rolloutsOptions) error {
	namespaces, _, err := flags.Scope()
	if err != nil {
		return err
	}
	label, _, err := flags.Selectors()
	if err != nil {
		return err
	}
	cluster := demo.New(opts)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !o.watch {
		// A one-shot summary of a release that has not begun says little:
		// move the simulation to the middle of it first.
		cluster.Step(demo.ReleaseUnderway)
	}
	simulated := make(chan error, 1)
	go func() { simulated <- cluster.Run(ctx) }()
	src := cluster.Source(kube.Options{Namespaces: namespaces, LabelSelector: label, WithOwners: true})
	err = streamRollouts(ctx, env, src, cluster.Now, o)
	cancel()
	if simErr := <-simulated; simErr != nil && err == nil {
		err = fmt.Errorf("demo simulation: %w", simErr)
	}
	return err
}

// rolloutsFlags binds the flags of `initwatch rollouts`; completion reads
// them too.
func rolloutsFlags(flags *kube.ConfigFlags, o *rolloutsOptions) *pflag.FlagSet {
	fs := newFlagSet("initwatch rollouts")
	flags.AddFlags(fs)
	fs.StringVarP(&o.output, "output", "o", "text", "Output format: text, or json (the summary model, one document; with -w one per line)")
	fs.BoolVarP(&o.watch, "watch", "w", false, "Keep watching and print the summary again whenever it changes")
	addDemoFlags(fs)
	return fs
}

// streamRollouts runs src, keeps the summary of its pods and owners, and
// prints it once everything is listed; with -w again on every change.
func streamRollouts(ctx context.Context, env *Env, src kube.PodSource, now func() time.Time, o rolloutsOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan kube.Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out) }()
	stop := func() error {
		cancel()
		return <-done
	}

	owners := rollout.NewOwners()
	sum := rollout.NewSummarizer(owners, rollout.Options{})
	clusters := newGetClusters(o.contexts)
	var lastKey []byte
	printed := false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	synced := false
	for {
		select {
		case err := <-done:
			cancel()
			if err != nil {
				return err
			}
			if !printed {
				return errStoppedEarly
			}
			return nil
		case <-tick.C:
			// Time alone can change the summary: a rollout stalls when
			// nothing moves.
			if !synced || !o.watch {
				continue
			}
		case b := <-out:
			applyRolloutBatch(sum, owners, b)
			if err := clusters.observe(env.Stderr, b, printed); err != nil {
				_ = stop()
				return err
			}
			synced = synced || clusters.settled()
			if !synced {
				continue
			}
		}
		s := sum.Summary(now())
		key, err := changeKey(s)
		if err != nil {
			_ = stop()
			return err
		}
		if printed && bytes.Equal(key, lastKey) {
			continue
		}
		lastKey = key
		if err := printRollouts(env.Stdout, s, now(), o, printed); err != nil {
			_ = stop()
			return fmt.Errorf("write output: %w", err)
		}
		printed = true
		if !o.watch {
			if err := stop(); err != nil {
				return err
			}
			// Several clusters: the others are summarised, and the exit
			// code says which one is missing.
			return clusters.failure()
		}
	}
}

// applyRolloutBatch feeds one batch to the summary.
func applyRolloutBatch(sum *rollout.Summarizer, owners *rollout.Owners, b kube.Batch) {
	for _, obj := range b.Owners {
		owners.Upsert(obj)
	}
	for _, k := range b.OwnersRemoved {
		owners.Remove(k)
	}
	if b.OwnerAccess != nil {
		owners.SetAccess(*b.OwnerAccess)
	}
	for _, p := range b.Pods() {
		sum.Upsert(p)
	}
	for _, k := range b.Removed {
		// The key carries the pod's context: one name in two clusters is
		// two pods.
		sum.Remove(k.Context, k.Namespace, k.Name)
	}
}

// changeKey is what -w compares to decide the summary changed: the model
// without the clock's own progress (how long a rollout has run), so the
// summary is not reprinted every second for its ages alone.
func changeKey(s rollout.Summary) ([]byte, error) {
	s.Workloads = slices.Clone(s.Workloads) // the caller still prints them
	for i := range s.Workloads {
		s.Workloads[i].Running = 0
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, s, false); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// printRollouts writes the summary in the chosen format. With -w, text
// summaries after the first are set apart by a dated rule.
func printRollouts(w io.Writer, s rollout.Summary, now time.Time, o rolloutsOptions, again bool) error {
	if o.output == "json" {
		return encodeJSON(w, s, !o.watch)
	}
	var b strings.Builder
	if again {
		fmt.Fprintf(&b, "\n--- %s ---\n", now.UTC().Format(time.RFC3339))
	}
	b.WriteString(s.Text(now))
	_, err := io.WriteString(w, b.String())
	return err
}

func rolloutsUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Print the rollout summary: pods grouped by workload (Deployment through its
ReplicaSets, StatefulSet, DaemonSet, Job and the CronJob above it, bare
ReplicaSet, pods without owner), each with desired / updated / initialized /
ready, what kubectl rollout status says, how long the rollout has run and
whether it moves or stalls; its revisions, new and old; the init steps of the
newest revision as a funnel (done, in it, failed, not reached; p50, p95 and
max duration; the bottleneck and the slowest step); and the failure
signatures: the failing pods grouped by step, reason, exit code, signal and
message, with their nodes.

Owners are read with get, list and watch only. Where RBAC forbids a kind,
the summary resolves it from the pods (ownerReferences, pod-template-hash)
and says so in a "note:" line (in JSON: access and fallback).

Usage:
  %[1]s rollouts [flags]

Examples:
  %[1]s rollouts                    # every namespace
  %[1]s rollouts -n shop -l app=web # one namespace, pods by label
  %[1]s rollouts -w                 # print again whenever it changes
  %[1]s rollouts -o json            # the summary model, for scripts
  %[1]s rollouts --demo             # on the built-in simulated release

Flags:
`, name)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

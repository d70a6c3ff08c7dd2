package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/demo"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/wait"
)

// waitOptions are the flags of `initwatch wait` besides the connection
// flags.
type waitOptions struct {
	forFlag  string
	timeout  time.Duration
	rules    wait.Rules
	quiet    bool
	output   string
	logLines int
}

// exitCodeError ends a command with a given exit code; printed says the
// command already explained itself on stdout.
type exitCodeError struct {
	code    int
	err     error
	printed bool
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// errInterrupted ends a wait cut short by Ctrl-C or SIGTERM.
var errInterrupted = errors.New("interrupted")

// ExitInterrupted is the exit code of a wait cut short by a signal.
const ExitInterrupted = 130

func waitFlags(flags *kube.ConfigFlags, o *waitOptions) *pflag.FlagSet {
	fs := newFlagSet("initwatch wait")
	flags.AddFlags(fs)
	d := wait.DefaultRules
	fs.StringVar(&o.forFlag, "for", "", "What done means: initialized, ready or rollout (default: rollout for deployments, statefulsets, daemonsets and jobs; ready for pods, replicasets and -l)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "Give up after this long (exit code 3); 0 waits for ever")
	fs.IntVar(&o.rules.MaxRestarts, "max-restarts", d.MaxRestarts, "Stop when a container (init containers included) restarted more than this many times; -1 never stops for restarts")
	fs.BoolVar(&o.rules.FailFast, "fail-fast", d.FailFast, "Stop as soon as a container is in CrashLoopBackOff (Init:CrashLoopBackOff)")
	fs.DurationVar(&o.rules.PullGrace, "pull-grace", d.PullGrace, "Stop when an image could not be pulled for this long (ErrImagePull, ImagePullBackOff); 0 never stops for pulls")
	fs.DurationVar(&o.rules.ScheduleGrace, "schedule-grace", d.ScheduleGrace, "Stop when a pod was unschedulable for this long; 0 never stops for scheduling")
	fs.BoolVar(&o.rules.StopOnFailedPod, "stop-on-failed-pod", d.StopOnFailedPod, "Stop when a pod failed for good (an init container failed under restartPolicy: Never, Init:Error)")
	fs.BoolVar(&o.rules.StopOnProgressDeadline, "stop-on-progress-deadline", d.StopOnProgressDeadline, "Stop when a Deployment reports ProgressDeadlineExceeded")
	fs.IntVar(&o.logLines, "log-lines", 20, "Lines of the failed run's log shown per failure; 0 shows none")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "Print no progress, only the outcome and the diagnosis")
	fs.StringVarP(&o.output, "output", "o", "", "Output format: json (the outcome and diagnosis as one JSON document); default is text")
	addDemoFlags(fs)
	return fs
}

// waitRun is one resolved `initwatch wait`: where to watch and what.
type waitRun struct {
	env      *Env
	o        waitOptions
	ns       string // -n; "" with -A and -l, or when each context's own namespace applies
	allNS    bool
	targets  []wait.Target
	fors     []wait.For
	clusters []*waitCluster // one, named "", or one per context
	source   kube.PodSource // every cluster's pods, each batch naming its cluster
	logs     kube.LogSource // routed by LogRequest.Context when several
	clock    func() time.Time
	terminal bool
	github   bool
	// termWidth is the terminal's width, read at each summary.
	termWidth func() int
}

// waitCluster is one cluster a wait judges: where its workloads are read
// and how far its pods have been listed.
type waitCluster struct {
	name   string // the kubeconfig context; "" when the wait watches one cluster
	ns     string // the namespace watched; "" with -A
	client kubernetes.Interface

	objsSynced func() bool
	synced     bool            // its pods were listed
	conn       *kube.ConnState // the last connection state reported
	// failed says why its pods could not be listed yet, "" once they
	// were (several clusters only: one cluster fails the command).
	failed string
}

// multi reports a wait over several clusters.
func (r *waitRun) multi() bool { return len(r.clusters) > 1 }

func (r *waitRun) cluster(name string) *waitCluster {
	for _, c := range r.clusters {
		if c.name == name {
			return c
		}
	}
	return nil
}

func runWait(ctx context.Context, env *Env, args []string) error {
	flags := kube.NewConfigFlags(version())
	var o waitOptions
	fs := waitFlags(flags, &o)
	hint := env.name() + " wait --help"
	if err := parseFlags(fs, args, env, waitUsage, hint); err != nil {
		return err
	}
	r := &waitRun{env: env, o: o}
	if err := r.resolve(fs, flags, hint); err != nil {
		return err
	}
	demoOpts, demoOn, err := demoOptions(fs, hint)
	if err != nil {
		return err
	}
	kube.RedirectClientLogs(io.Discard)
	if demoOn {
		n, _ := fs.GetInt(flagDemoClusters)
		stop := r.openDemo(ctx, flags, demoOpts, n)
		defer stop()
		return r.run(ctx)
	}
	settings, err := loadSettings(env, fs, flags)
	if err != nil {
		return err
	}
	contexts, err := flags.ResolveContexts(settings.Clusters)
	if err != nil {
		return err
	}
	if len(contexts) > 1 {
		if err := r.openClusters(flags, contexts); err != nil {
			return err
		}
		return r.run(ctx)
	}
	c := &waitCluster{ns: r.ns}
	if c.ns == "" && !r.allNS {
		ns, err := flags.ContextNamespace()
		if err != nil {
			return &exitCodeError{code: wait.ExitUnreachable, err: err}
		}
		c.ns = ns
	}
	cs, err := flags.Clientset()
	if err != nil {
		return &exitCodeError{code: wait.ExitUnreachable, err: err}
	}
	fallback, err := flags.FallbackNamespaces()
	if err != nil {
		return &exitCodeError{code: wait.ExitUnreachable, err: err}
	}
	c.client = cs
	r.clusters = []*waitCluster{c}
	r.logs, r.clock = kube.NewLogSource(cs, kube.LogStreamOptions{}), env.Now
	newSource := env.NewSource
	if newSource == nil {
		newSource = newClusterSource
	}
	opts := kube.Options{FallbackNamespaces: fallback}
	r.scope(&opts, c.ns, flags)
	src, err := newSource(flags, opts)
	if err != nil {
		return &exitCodeError{code: wait.ExitUnreachable, err: err}
	}
	r.source = src
	return r.run(ctx)
}

// openClusters prepares a wait over several contexts: each one's namespace
// (-n, or the context's own, as kubectl --context NAME would use) and
// client, and one source merging their pods. A context whose kubeconfig
// entry cannot make a client fails the command at once: no retry fixes it.
func (r *waitRun) openClusters(flags *kube.ConfigFlags, contexts []string) error {
	for _, name := range contexts {
		cf := flags.ForContext(name)
		c := &waitCluster{name: name, ns: r.ns}
		if c.ns == "" && !r.allNS {
			ns, err := cf.ContextNamespace()
			if err != nil {
				return &exitCodeError{code: wait.ExitUnreachable, err: fmt.Errorf("context %q: %w", name, err)}
			}
			c.ns = ns
		}
		cs, err := cf.Clientset()
		if err != nil {
			return &exitCodeError{code: wait.ExitUnreachable, err: fmt.Errorf("context %q: %w", name, err)}
		}
		c.client = cs
		r.clusters = append(r.clusters, c)
	}
	m := newMultiCluster(r.env, flags, contexts, func(o *kube.Options) {
		r.scope(o, r.cluster(o.Context).ns, flags)
	})
	r.source, r.clock = m.source, r.env.Now
	r.logs = m.logs
	if r.logs == nil { // sources replaced (tests): logs through the clients
		logs := kube.ContextLogs{}
		for _, c := range r.clusters {
			logs[c.name] = kube.NewLogSource(c.client, kube.LogStreamOptions{})
		}
		r.logs = logs
	}
	return nil
}

// openDemo watches n simulated clusters (one unnamed when n is 1), as if
// the pipeline had just applied the release: the simulations start in the
// middle of it, where waiting has something to say (a rollout that has not
// begun is done). With several, the release fails in the second, as in
// `initwatch --demo --demo-clusters N`. stop ends the simulations.
func (r *waitRun) openDemo(ctx context.Context, flags *kube.ConfigFlags, opts demo.Options, n int) (stop func()) {
	if opts.Start.IsZero() {
		opts.Start = time.Now().Truncate(time.Second) // one clock for all
	}
	ctx, cancel := context.WithCancel(ctx)
	simulated := make(chan error, n)
	ns := r.ns
	if ns == "" && !r.allNS {
		ns = "default" // the demo's context namespace
	}
	var clusters []kube.Cluster
	logs := kube.ContextLogs{}
	for i := range n {
		o := opts
		o.Seed = opts.Seed + uint64(i)
		o.FailRelease = n > 1 && i == 1
		sim := demo.New(o)
		_ = sim.Step(demo.ReleaseUnderway)
		go func() { simulated <- sim.Run(ctx) }()
		c := &waitCluster{ns: ns, client: sim.Client()}
		if n > 1 {
			c.name = demoContexts[i]
		}
		r.clusters = append(r.clusters, c)
		srcOpts := kube.Options{Context: c.name}
		r.scope(&srcOpts, ns, flags)
		if n == 1 {
			r.source, r.logs = sim.Source(srcOpts), sim.Logs()
		} else {
			clusters = append(clusters, kube.Cluster{Context: c.name, New: func() (kube.PodSource, error) { return sim.Source(srcOpts), nil }})
			logs[c.name] = sim.Logs()
		}
		if i == 0 {
			r.clock = sim.Now
		}
	}
	if n > 1 {
		r.source, r.logs = kube.NewMultiSource(clusters), logs
	}
	return func() {
		cancel()
		for range n {
			<-simulated
		}
	}
}

// resolve checks the arguments and flags: nothing is attempted on bad
// input.
func (r *waitRun) resolve(fs *pflag.FlagSet, flags *kube.ConfigFlags, hint string) error {
	if err := flags.Validate(); err != nil {
		return &usageError{msg: err.Error(), hint: hint}
	}
	label, _, _ := flags.Selectors()
	args := fs.Args()
	if len(args) == 1 && label != "" {
		if k, ok := wait.ParseKind(args[0]); ok && k == wait.KindPod {
			args = nil // `wait pods -l app=web`
		}
	}
	switch {
	case len(args) == 0 && label == "":
		return usageErrorf(hint, "name what to wait for: TYPE/NAME (deploy/web, pod/web-0, job/migrate, ...) or -l SELECTOR for pods")
	case len(args) > 0 && label != "":
		return usageErrorf(hint, "-l selects pods to wait for; it cannot be combined with TYPE/NAME arguments")
	case len(args) == 0:
		r.targets = []wait.Target{{Kind: wait.KindSelector, Selector: label}}
	}
	for _, a := range args {
		t, err := wait.ParseTarget(a)
		if err != nil {
			return usageErrorf(hint, "%s", err)
		}
		r.targets = append(r.targets, t)
	}
	namespaces, _, _ := flags.Scope()
	switch {
	case len(namespaces) > 1:
		return usageErrorf(hint, "wait watches one namespace, got -n %s", strings.Join(namespaces, ","))
	case flags.AllNamespaces && r.targets[0].Kind != wait.KindSelector:
		return usageErrorf(hint, "-A needs -l: TYPE/NAME names an object in one namespace (-n)")
	case flags.AllNamespaces:
		r.allNS = true
	case len(namespaces) == 1:
		r.ns = namespaces[0]
	}
	var forced wait.For
	if fs.Changed("for") {
		f, err := wait.ParseFor(r.o.forFlag)
		if err != nil {
			return usageErrorf(hint, "%s", err)
		}
		forced = f
	}
	for _, t := range r.targets {
		f := wait.DefaultFor(t.Kind)
		if forced != "" {
			f = forced
		}
		if !wait.Supports(t.Kind, f) {
			return usageErrorf(hint, "--for rollout applies to deployments, statefulsets, daemonsets and jobs, not %s", t)
		}
		r.fors = append(r.fors, f)
	}
	switch r.o.output {
	case "", "json":
	default:
		return usageErrorf(hint, "unknown output format %q: use -o json, or no -o for text", r.o.output)
	}
	if r.o.timeout < 0 {
		return usageErrorf(hint, "--timeout must not be negative")
	}
	if r.o.rules.MaxRestarts < -1 {
		return usageErrorf(hint, "--max-restarts: want -1 (off) or more, got %d", r.o.rules.MaxRestarts)
	}
	if r.o.rules.PullGrace < 0 || r.o.rules.ScheduleGrace < 0 {
		return usageErrorf(hint, "--pull-grace and --schedule-grace must not be negative (0 turns the rule off)")
	}
	if r.o.logLines < 0 {
		return usageErrorf(hint, "--log-lines must not be negative")
	}
	r.github = lookup(r.env, "GITHUB_ACTIONS") == "true"
	if f, ok := r.env.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.terminal = true
		r.termWidth = func() int {
			w, _, err := term.GetSize(int(f.Fd()))
			if err != nil || w <= 0 {
				return 80
			}
			return w
		}
	}
	return nil
}

func lookup(env *Env, key string) string {
	v, _ := env.lookupEnv(key)
	return v
}

// scope sets what a cluster's source watches: the pods and events of the
// namespace ns (all its pods: a workload's are found by owner; every
// namespace with -A), or the pods of -l.
func (r *waitRun) scope(opts *kube.Options, ns string, flags *kube.ConfigFlags) {
	opts.WithEvents = true
	opts.Namespaces = nil
	if !r.allNS {
		opts.Namespaces = []string{ns}
	}
	opts.LabelSelector, opts.FieldSelector = "", ""
	if r.targets[0].Kind == wait.KindSelector {
		opts.LabelSelector, opts.FieldSelector, _ = flags.Selectors()
	}
}

func waitUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Wait until pods, or a workload's new revision, are done, and print why not
when they cannot be: the failed init container, its exit code, the end of
its log and the pod's Warning events, grouped by failure signature.

Usage:
  %[1]s wait TYPE/NAME ... [flags]
  %[1]s wait -l SELECTOR [flags]

TYPE is pod (po), deployment (deploy), statefulset (sts), daemonset (ds),
job or replicaset (rs). --for rollout (the default for deployments,
statefulsets and daemonsets) means what kubectl rollout status means, by
kubectl's own code; for a job, its Complete condition. --for ready (the
default for pods, replicasets and -l) and --for initialized judge every pod;
for a workload, the pods of its new revision, as many as it wants. A pod that
ran to completion counts as done.

It stops early, with exit code 1 and the diagnosis, when waiting cannot
succeed (judged on the new revision's pods only):
  failed-pod         a pod failed for good: an init container failed under
                     restartPolicy: Never (Init:Error)    --stop-on-failed-pod=false
  max-restarts       a container restarted more than --max-restarts times
                     (init containers included)           --max-restarts=-1
  crash-loop         a container is in CrashLoopBackOff   only with --fail-fast
  image-pull         an image could not be pulled for --pull-grace; an invalid
                     name (InvalidImageName, ErrImageNeverPull) at once
                                                          --pull-grace=0
  unschedulable      a pod was unschedulable for --schedule-grace
                                                          --schedule-grace=0
  progress-deadline  the Deployment reports ProgressDeadlineExceeded
                                                          --stop-on-progress-deadline=false
  job-failed         the Job's Failed condition is True   (always)

Output: one line per change of a pod or a rollout, for CI logs (no escape
sequences unless stdout is a terminal, where a live one-line summary is kept
at the bottom); --quiet prints only the outcome; -o json prints the outcome
and diagnosis as one JSON document (progress goes to stderr). With
GITHUB_ACTIONS=true it adds ::error annotations and folds logs in ::group::.
It only gets, lists and watches; it never writes to the cluster.

Several clusters (--context a,b, --all-contexts, --clusters SET): the
targets are waited for in every context, each in -n or the context's own
namespace; a workload with the same name in two clusters is two targets.
Done only when every cluster is; a stop rule in any cluster fails the wait
at once. Progress lines, targets and the diagnosis name each cluster
(us-1:payments/checkout-7d9f-2xk4p). A cluster that cannot be reached is
retried until --timeout (it may come back; the others go on), then the wait
exits 4 naming it; one that refuses to let its pods be listed exits 4 at
once, since permissions do not come back by waiting.

Exit codes:
  0    done
  1    failed: a stop rule fired (diagnosis printed), or the object is missing
  2    usage: bad flags or arguments, nothing was attempted
  3    timed out: what was still pending, diagnosed
  4    cannot reach the cluster, or not allowed to read what is needed
  130  interrupted (Ctrl-C, SIGTERM)

Examples:
  %[1]s wait deploy/checkout -n payments            # kubectl rollout status, with a diagnosis
  %[1]s wait job/migrate --timeout 5m
  %[1]s wait -l app=web --for initialized
  %[1]s wait deploy/checkout -n payments --context eu-1,us-1
  %[1]s wait --demo -n payments deploy/checkout     # on the built-in simulated cluster
  %[1]s wait --demo --demo-clusters 2 -n payments deploy/checkout

Flags:
`, name)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

// run watches until done, failed, timed out or interrupted, then prints
// the outcome.
func (r *waitRun) run(ctx context.Context) error {
	if err := r.checkTargets(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	names := make([]string, len(r.clusters))
	for i, c := range r.clusters {
		names[i] = c.name
	}
	judge := wait.NewClusters(names, r.o.rules, r.targets, r.fors)

	batches := make(chan kube.Batch)
	srcDone := make(chan error, 1)
	go func() { srcDone <- r.source.Run(ctx, batches) }()
	objs := make(chan objEvent)
	stops := make([]func(), 0, len(r.clusters))
	for _, c := range r.clusters {
		synced, stop := watchObjects(ctx, c.client, c.ns, r.targets, c.name, objs)
		c.objsSynced = synced
		stops = append(stops, stop)
	}
	defer func() {
		cancel()
		for _, stop := range stops {
			stop()
		}
		<-srcDone
	}()

	start := time.Now()
	var deadline <-chan time.Time
	if r.o.timeout > 0 {
		timer := time.NewTimer(r.o.timeout)
		defer timer.Stop()
		deadline = timer.C
	}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	progress := r.progressWriter()
	for {
		state := wait.Waiting
		select {
		case <-ctx.Done():
			state = "interrupted"
		case err := <-srcDone:
			srcDone <- nil // the deferred receive
			progress.clear()
			if err == nil {
				return &exitCodeError{code: ExitInterrupted, err: errInterrupted}
			}
			return &exitCodeError{code: connExitCode(err), err: err}
		case b := <-batches:
			c, tracker := r.cluster(b.Context), judge.Tracker(b.Context)
			if c == nil || tracker == nil {
				continue
			}
			for _, p := range b.Pods() {
				tracker.UpsertPod(p, r.clock())
			}
			for _, k := range b.Removed {
				tracker.RemovePod(k.Namespace, k.Name)
			}
			for _, ev := range b.Events {
				tracker.UpsertEvent(ev)
			}
			for _, ev := range b.RemovedEvents {
				tracker.RemoveEvent(ev)
			}
			if b.Conn != nil {
				if err := r.observeConn(progress, judge, c, b.Conn); err != nil {
					progress.clear()
					return err
				}
			}
			if b.Synced && !c.synced {
				c.synced, c.failed = true, ""
				judge.Hold(c.name, "")
			}
		case o := <-objs:
			tracker := judge.Tracker(o.context)
			switch {
			case tracker == nil:
			case o.deleted:
				tracker.RemoveObject(o.obj)
			default:
				tracker.SetObject(o.obj)
			}
		case <-ticker.C:
		case <-deadline:
			state = wait.TimedOut
		}
		if state == wait.Waiting && !r.settled() {
			continue
		}
		now := r.clock()
		v := judge.Evaluate(now)
		if state == wait.Waiting {
			progress.lines(judge.Changes(v))
			progress.summary(judge.Summary(v, time.Since(start)))
			if v.State == wait.Waiting {
				continue
			}
		} else {
			progress.lines(judge.Changes(v))
			v.State = state
			if state == "interrupted" {
				v.Trips = nil
			}
		}
		progress.clear()
		return r.finish(ctx, judge, v, now, time.Since(start))
	}
}

// settled reports that judging can begin: every cluster's pods and
// workloads are listed, or (several clusters) it is known not to answer.
func (r *waitRun) settled() bool {
	for _, c := range r.clusters {
		if c.failed == "" && (!c.synced || !c.objsSynced()) {
			return false
		}
	}
	return true
}

// observeConn reports a cluster's connection change on stderr. One cluster
// lost before its pods were listed ends the wait (exit 4), as before any
// kubectl command. Of several, one that cannot be reached is retried and
// held out of the judgement (the wait cannot be done without it; the
// timeout names it), while one that refuses every read ends the wait at
// once: permissions do not come back by waiting.
func (r *waitRun) observeConn(progress *waitProgress, judge *wait.Clusters, c *waitCluster, conn *kube.ConnState) error {
	defer func() { c.conn = conn }()
	if !r.multi() {
		if err := connNotice(progress.stderr(), "", c.conn, conn, c.synced); err != nil {
			return &exitCodeError{code: wait.ExitUnreachable, err: err}
		}
		return nil
	}
	_ = connNotice(progress.stderr(), fmt.Sprintf("context %q: ", model.Sanitize(c.name)), c.conn, conn, true)
	switch conn.Phase {
	case kube.ConnForbidden:
		return &exitCodeError{code: wait.ExitUnreachable,
			err: fmt.Errorf("context %q: %s", c.name, firstNonEmpty(conn.Err, "not allowed to list pods"))}
	case kube.ConnUnreachable, kube.ConnReconnecting:
		if !c.synced {
			c.failed = firstNonEmpty(conn.Err, string(conn.Phase))
			judge.Hold(c.name, string(conn.Phase)+": "+c.failed)
		}
	}
	return nil
}

// finish prints the report and returns the outcome's exit code. A wait
// over several clusters that timed out while one of them could not be read
// exits 4 with a line naming it: its pods were never judged.
func (r *waitRun) finish(ctx context.Context, judge *wait.Clusters, v wait.Verdict, now time.Time, elapsed time.Duration) error {
	rep := judge.Diagnose(v, now, elapsed, r.o.logLines)
	var unread error
	if v.State == wait.TimedOut && len(rep.Unjudged) > 0 {
		var msgs []string
		for _, h := range rep.Unjudged {
			msgs = append(msgs, fmt.Sprintf("context %q was never read (%s)", h.Context, h.Reason))
		}
		unread = fmt.Errorf("timed out after %s: %s", rep.Elapsed, strings.Join(msgs, "; "))
		rep.ExitCode = wait.ExitUnreachable
	}
	// The command was asked to stop: the logs are read on a fresh, short
	// deadline so an interrupted wait still explains itself.
	logCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for i := range rep.Failures {
		if l := rep.Failures[i].Log; l != nil {
			fillLog(logCtx, r.logs, l)
		}
	}
	var err error
	if r.o.output == "json" {
		if v.State == "interrupted" {
			rep.ExitCode = ExitInterrupted
		}
		err = encodeJSON(r.env.Stdout, rep, true)
	} else {
		err = wait.WriteText(r.env.Stdout, rep, wait.TextOptions{GitHub: r.github, Now: now})
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	switch {
	case v.State == wait.Done:
		return nil
	case v.State == "interrupted":
		return &exitCodeError{code: ExitInterrupted, err: errInterrupted, printed: true}
	case unread != nil:
		return &exitCodeError{code: wait.ExitUnreachable, err: unread}
	}
	return &exitCodeError{code: wait.ExitCodeOf(v.State), err: fmt.Errorf("%s", v.State), printed: true}
}

// fillLog reads the end of one container run's log.
func fillLog(ctx context.Context, logs kube.LogSource, l *wait.LogExcerpt) {
	if logs == nil {
		l.Err = "logs are not available"
		return
	}
	tail := int64(l.TailLines)
	lines, errs, err := logs.Stream(ctx, kube.LogRequest{Context: l.Context, Namespace: l.Namespace, Pod: l.Pod, Container: l.Container,
		Previous: l.Previous, TailLines: &tail})
	if err != nil {
		l.Err = kube.Explain(err)
		return
	}
	for batch := range lines {
		for _, line := range batch {
			if line.Skipped == 0 {
				l.Lines = append(l.Lines, model.Sanitize(line.Text))
			}
		}
	}
	select {
	case err := <-errs:
		if err != nil && len(l.Lines) == 0 {
			l.Err = kube.Explain(err)
		}
	default:
	}
	if len(l.Lines) > l.TailLines {
		l.Lines = l.Lines[len(l.Lines)-l.TailLines:]
	}
	if l.Lines == nil {
		l.Lines = []string{}
	}
}

// connExitCode is 4 for an unreachable server, rejected credentials or
// refused permissions, else 1.
func connExitCode(err error) int {
	if kube.IsForbidden(err) || kube.IsUnauthorized(err) || kube.IsUnreachable(err) {
		return wait.ExitUnreachable
	}
	return wait.ExitFailed
}

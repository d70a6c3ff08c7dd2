package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

// getOptions are the flags of `initwatch get` besides the connection flags.
type getOptions struct {
	output    string
	watch     bool
	noHeaders bool
	// contexts are the clusters watched together (more than one), each
	// row under its CONTEXT; nil for one cluster.
	contexts []string
}

func runGet(ctx context.Context, env *Env, args []string) error {
	flags := kube.NewConfigFlags(version())
	var o getOptions
	fs := getFlags(flags, &o)
	getHint := env.name() + " get --help"
	if err := parseFlags(fs, args, env, getUsage, getHint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(getHint, "%s get takes no arguments, got %q (filter with -n, -l or --field-selector)", env.name(), fs.Arg(0))
	}
	switch o.output {
	case "", "json":
	default:
		return usageErrorf(getHint, "unknown output format %q: use -o json, or no -o for a table", o.output)
	}
	// Scope and selectors are checked before the kubeconfig is read, so a
	// typo fails the same way on every machine.
	if err := flags.Validate(); err != nil {
		return err
	}
	demoOpts, demoOn, err := demoOptions(fs, getHint)
	if err != nil {
		return err
	}
	settings, err := loadSettings(env, fs, flags)
	if err != nil {
		return err
	}
	if demoOn {
		if n, _ := fs.GetInt(flagDemoClusters); n > 1 {
			return usageErrorf(getHint, "--%s: get --demo plays one simulated cluster; several are for the terminal UI", flagDemoClusters)
		}
		return runGetDemo(ctx, env, flags, o, demoOpts)
	}
	src, contexts, err := openSource(env, flags, settings, "get", nil)
	if err != nil {
		return err
	}
	o.contexts = contexts
	return withDemoHint(env, "get", streamGet(ctx, env, src, o))
}

// getFlags binds the flags of `initwatch get`; completion reads them too.
func getFlags(flags *kube.ConfigFlags, o *getOptions) *pflag.FlagSet {
	fs := newFlagSet("initwatch get")
	flags.AddFlags(fs)
	fs.StringVarP(&o.output, "output", "o", "", "Output format: json (the model, one PodView per pod); default is a table")
	fs.BoolVarP(&o.watch, "watch", "w", false, "After the table, print one line per pod change, like kubectl get -w")
	fs.BoolVar(&o.noHeaders, "no-headers", false, "Do not print the table header")
	addDemoFlags(fs)
	return fs
}

// newClusterSource is the informer-backed source on the resolved kubeconfig.
func newClusterSource(flags *kube.ConfigFlags, opts kube.Options) (kube.PodSource, error) {
	cs, err := flags.Clientset()
	if err != nil {
		return nil, err
	}
	if opts.WithOwners && opts.Metadata == nil {
		if opts.Metadata, err = flags.MetadataClient(); err != nil {
			return nil, err
		}
	}
	return kube.NewInformerSource(cs, opts), nil
}

// errStoppedEarly means the source returned without error before it had
// listed the pods, which only a cancelled context explains.
var errStoppedEarly = errors.New("interrupted before the pods were listed")

// streamGet runs src, prints the table once the initial list is complete,
// then (with --watch) one line per change until ctx ends.
func streamGet(ctx context.Context, env *Env, src kube.PodSource, o getOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan kube.Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out) }()
	// The source owns its goroutines; this function owns the source: it
	// stops it and waits for it on every return path.
	stop := func() error {
		cancel()
		return <-done
	}

	p := newGetPrinter(env.Stdout, env.Stderr, o)
	store := podStore{}
	printed := false
	clusters := newGetClusters(o.contexts)
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
			return nil // interrupted while watching: a normal end
		case b := <-out:
			changed := store.apply(b)
			if err := clusters.observe(env.Stderr, b, printed); err != nil {
				_ = stop()
				return err
			}
			if !printed && !clusters.settled() {
				continue // still listing: the table waits for every full list
			}
			now := env.Now()
			if !printed {
				printed = true
				if err := p.initial(podViews(store.pods(), now)); err != nil {
					_ = stop()
					return fmt.Errorf("write output: %w", err)
				}
				if !o.watch {
					_ = stop()
					// Several clusters: the others' pods are printed,
					// and the exit code says one is missing.
					return clusters.failure()
				}
				continue
			}
			if len(changed) == 0 {
				continue
			}
			if err := p.changes(podViews(changed, now)); err != nil {
				_ = stop()
				return fmt.Errorf("write output: %w", err)
			}
		}
	}
}

// getClusters follows the connection of every cluster get watches: one,
// named "", or several by context.
type getClusters struct {
	multi  bool
	order  []string
	states map[string]*getCluster
}

type getCluster struct {
	conn   *kube.ConnState
	synced bool
	// failed holds why the cluster could not be listed, until it is.
	failed string
}

func newGetClusters(contexts []string) *getClusters {
	g := &getClusters{multi: len(contexts) > 1, order: contexts, states: map[string]*getCluster{}}
	if !g.multi {
		g.order = []string{""}
	}
	for _, c := range g.order {
		g.states[c] = &getCluster{}
	}
	return g
}

// observe notes a batch's connection and sync state. With one cluster,
// losing the connection before the table is an error, as in kubectl; with
// several, the cluster is reported and the table waits for the others only.
func (g *getClusters) observe(stderr io.Writer, b kube.Batch, printed bool) error {
	st := g.states[b.Context]
	if st == nil {
		return nil
	}
	if b.Conn != nil {
		if !g.multi {
			if err := connNotice(stderr, "", st.conn, b.Conn, printed); err != nil && !printed {
				return err
			}
		} else {
			_ = connNotice(stderr, fmt.Sprintf("context %q: ", model.Sanitize(b.Context)), st.conn, b.Conn, true)
			switch b.Conn.Phase {
			case kube.ConnUnreachable, kube.ConnReconnecting:
				if !st.synced {
					st.failed = firstNonEmpty(b.Conn.Err, string(b.Conn.Phase))
				}
			case kube.ConnForbidden:
				if !st.synced && b.Conn.Err != "" {
					st.failed = b.Conn.Err // nothing at all may be listed
				}
			default:
				st.failed = ""
			}
		}
		st.conn = b.Conn
	}
	if b.Synced {
		st.synced, st.failed = true, ""
	}
	return nil
}

// settled reports that every cluster has listed its pods or failed.
func (g *getClusters) settled() bool {
	for _, c := range g.order {
		if st := g.states[c]; !st.synced && st.failed == "" {
			return false
		}
	}
	return true
}

// failure is the error of a one-shot get where some cluster was not listed.
func (g *getClusters) failure() error {
	var msgs []string
	for _, c := range g.order {
		if st := g.states[c]; !st.synced && st.failed != "" {
			msgs = append(msgs, fmt.Sprintf("context %q: %s", c, st.failed))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

// connNotice reports connection changes on stderr, so stdout stays a clean
// table for scripts. Before the first table, losing the connection is an
// error: a one-shot get must fail like kubectl does, not wait forever.
func connNotice(stderr io.Writer, prefix string, prev, next *kube.ConnState, tolerant bool) error {
	// Refused scopes are known from the start-up probes, while the phase
	// is still "connecting": warn when the list first appears or changes,
	// whatever the phase, so a one-shot get says it too.
	if len(next.Forbidden) > 0 && (prev == nil || !slices.Equal(prev.Forbidden, next.Forbidden)) {
		fmt.Fprintf(stderr, "warning: %snot allowed to list pods in %s\n", prefix, forbiddenScopes(next.Forbidden))
	}
	switch next.Phase {
	case kube.ConnReconnecting:
		if !tolerant {
			return fmt.Errorf("%s", firstNonEmpty(next.Err, "lost the connection to the API server"))
		}
		fmt.Fprintf(stderr, "warning: %sconnection lost, reconnecting: %s\n", prefix, model.Sanitize(next.Err))
	case kube.ConnUnreachable:
		if prev == nil || prev.Phase != next.Phase || prev.Err != next.Err {
			fmt.Fprintf(stderr, "warning: %sunreachable, retrying: %s\n", prefix, model.Sanitize(next.Err))
		}
	case kube.ConnLive:
		if prev != nil && (prev.Phase == kube.ConnReconnecting || prev.Phase == kube.ConnUnreachable) {
			fmt.Fprintf(stderr, "warning: %sconnection restored\n", prefix)
		}
	}
	return nil
}

func forbiddenScopes(scopes []string) string {
	names := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if s == "" {
			names = append(names, "the cluster scope")
		} else {
			names = append(names, fmt.Sprintf("namespace %q", model.Sanitize(s)))
		}
	}
	return strings.Join(names, ", ")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// getPrinter writes the initial list and the changes in the chosen format.
type getPrinter struct {
	w      io.Writer
	stderr io.Writer
	o      getOptions
	table  *table
	// headed is set once the header is printed: a watch that began on no
	// pods prints it above the first change, as kubectl does.
	headed bool
}

func newGetPrinter(w, stderr io.Writer, o getOptions) *getPrinter {
	return &getPrinter{w: w, stderr: stderr, o: o, table: newTable(w)}
}

func (p *getPrinter) initial(views []model.PodView) error {
	if p.o.output == "json" {
		if p.o.watch {
			return p.jsonLines(views)
		}
		return encodeJSON(p.w, views, true)
	}
	if len(views) == 0 {
		// As kubectl: nothing on stdout, a note on stderr.
		_, err := fmt.Fprintln(p.stderr, "No resources found")
		return err
	}
	return p.rows(views)
}

func (p *getPrinter) changes(views []model.PodView) error {
	if p.o.output == "json" {
		return p.jsonLines(views)
	}
	return p.rows(views)
}

// rows writes views as table rows, under the header if it is not printed
// yet.
func (p *getPrinter) rows(views []model.PodView) error {
	rows := make([][]string, 0, len(views)+1)
	if !p.o.noHeaders && !p.headed {
		rows = append(rows, p.header())
		p.headed = true
	}
	for i := range views {
		rows = append(rows, p.row(&views[i]))
	}
	return p.table.write(rows)
}

// header is the table header: CONTEXT first when several clusters are
// watched.
func (p *getPrinter) header() []string {
	if len(p.o.contexts) > 1 {
		return append([]string{"CONTEXT"}, getHeader...)
	}
	return getHeader
}

func (p *getPrinter) row(v *model.PodView) []string {
	if len(p.o.contexts) > 1 {
		return append([]string{model.Sanitize(v.Context)}, viewRow(v)...)
	}
	return viewRow(v)
}

// jsonLines writes one compact PodView per line, for streaming consumers.
func (p *getPrinter) jsonLines(views []model.PodView) error {
	for i := range views {
		if err := encodeJSON(p.w, &views[i], false); err != nil {
			return err
		}
	}
	return nil
}

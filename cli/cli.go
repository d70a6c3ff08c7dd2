// Package cli is initwatch's command line: flag parsing (pflag, with the
// kubectl connection flags from kube.ConfigFlags), subcommand dispatch and
// exit codes.
//
// `initwatch` alone starts the terminal UI; `initwatch get` prints a table
// once or streams it. Errors are printed as one line, "error: ...", with exit
// code 1; bad flags or arguments print one line and a usage hint and exit 2.
// No error ever prints a stack trace.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the command ran and failed
	ExitUsage = 2 // bad flags or arguments: nothing was attempted
)

// Env is what a command may touch. Tests replace any part of it.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Now is the clock ages are computed against.
	Now func() time.Time
	// NewSource builds the pod source for the resolved flags; nil means the
	// client-go informer source (newClusterSource).
	NewSource func(flags *kube.ConfigFlags, opts kube.Options) (kube.PodSource, error)
	// Name is how help and usage spell the command: "initwatch", or
	// "kubectl initwatch" when run as a kubectl plugin (see
	// buildinfo.CommandName); empty means "initwatch".
	Name string
	// LookupEnv reads environment variables (config file location,
	// INITWATCH_*); nil means os.LookupEnv.
	LookupEnv func(key string) (string, bool)
}

// command is one subcommand. New ones (version, completion, config) are
// added to the commands table and nothing else changes.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

var commands = []command{
	{name: "get", summary: "Print pods and their init progress as a table (or JSON), once or as a stream", run: runGet},
	{name: "rollouts", summary: "Summarise rollouts: workloads, revisions, the init step funnel and failure signatures", run: runRollouts},
	{name: "version", summary: "Print the version, commit, build date, Go and client-go versions", run: runVersion},
	{name: "completion", summary: "Print a shell completion script (bash, zsh, fish)", run: runCompletion},
	{name: "config", summary: "Show where the config file is read from (path), or the settings in effect (view)", run: runConfig},
}

// usageError is a mistake in flags or arguments: exit code 2, with a hint.
type usageError struct {
	msg  string
	hint string // "initwatch get --help"
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// errHelp is returned when the user asked for help, which was printed.
var errHelp = errors.New("help requested")

// Main runs initwatch with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, env *Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	err := dispatch(ctx, env, args)
	return report(env.Stderr, err)
}

// demoHintError is a failure to find any kubeconfig, with the command that
// shows initwatch without one: someone trying the tool on a laptop with no
// cluster learns about the demo from the error itself.
type demoHintError struct {
	err  error
	demo string // "initwatch --demo", "initwatch get --demo"
}

func (e *demoHintError) Error() string { return e.err.Error() }
func (e *demoHintError) Unwrap() error { return e.err }

// withDemoHint adds to a missing-kubeconfig error the demo form of the
// command (sub is "" for the terminal UI, "get" for get).
func withDemoHint(env *Env, sub string, err error) error {
	if !kube.IsNoKubeconfig(err) {
		return err
	}
	demo := env.name()
	if sub != "" {
		demo += " " + sub
	}
	return &demoHintError{err: err, demo: demo + " --demo"}
}

// report prints err as one line and maps it to an exit code.
func report(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "error: %s\n", oneLine(ue.msg))
		fmt.Fprintf(stderr, "See '%s'.\n", ue.hint)
		return ExitUsage
	}
	msg := kube.Explain(err)
	var hint *demoHintError
	if errors.As(err, &hint) {
		msg += fmt.Sprintf(" (or try '%s': a simulated cluster, no kubeconfig needed)", model.Sanitize(hint.demo))
	}
	fmt.Fprintf(stderr, "error: %s\n", msg)
	return ExitError
}

func dispatch(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name := args[0]
		if name == "help" {
			return helpFor(env, args[1:])
		}
		if name == completeCommand { // hidden: called by the completion scripts
			return runComplete(ctx, env, args[1:])
		}
		for _, c := range commands {
			if c.name == name {
				return c.run(ctx, env, args[1:])
			}
		}
		return usageErrorf(env.name()+" --help", "unknown command %q for %s", name, env.name())
	}
	if len(args) > 0 && args[0] == "--version" {
		return runVersion(ctx, env, args[1:]) // so --version -o json works
	}
	return runRoot(ctx, env, args)
}

// helpFor prints the help of a subcommand (initwatch help get), or the
// root help.
func helpFor(env *Env, args []string) error {
	if len(args) == 0 {
		return runRoot(context.Background(), env, []string{"--help"})
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(context.Background(), env, []string{"--help"})
		}
	}
	return usageErrorf(env.name()+" --help", "unknown help topic %q", args[0])
}

// runRoot is `initwatch [flags]`: the terminal UI.
func runRoot(ctx context.Context, env *Env, args []string) error {
	flags := kube.NewConfigFlags(version())
	fs := rootFlags(flags)
	hint := env.name() + " --help"
	if err := parseFlags(fs, args, env, rootUsage, hint); err != nil {
		return err
	}
	if showVersion, _ := fs.GetBool("version"); showVersion {
		return runVersion(ctx, env, fs.Args())
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "unknown command %q for %s", fs.Arg(0), env.name())
	}
	if err := flags.Validate(); err != nil {
		return err
	}
	demoOpts, demoOn, err := demoOptions(fs, hint)
	if err != nil {
		return err
	}
	settings, err := loadSettings(env, fs, flags)
	if err != nil {
		return err
	}
	if demoOn {
		return runDemo(ctx, env, flags, settings, demoOpts)
	}
	return withDemoHint(env, "", runTUI(ctx, env, flags, settings))
}

// rootFlags binds the flags of `initwatch` (the terminal UI); completion
// reads them too.
func rootFlags(flags *kube.ConfigFlags) *pflag.FlagSet {
	fs := newFlagSet("initwatch")
	flags.AddFlags(fs)
	fs.Bool("version", false, "Print the version and exit (like the version command)")
	fs.String("theme", "", "Colour theme: auto, dark, light, high-contrast or mono (NO_COLOR forces mono)")
	fs.Int("tail", config.DefaultLogTail, "Lines of earlier log output to show when a log stream opens (like kubectl logs --tail)")
	addDemoFlags(fs)
	return fs
}

// newFlagSet returns a FlagSet that reports errors instead of exiting or
// printing, so the caller decides the exit code and the one-line message.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	return fs
}

// parseFlags parses args, turning -h/--help into printed help and parse
// failures into usage errors.
func parseFlags(fs *pflag.FlagSet, args []string, env *Env, usage func(name string, fs *pflag.FlagSet) string, hint string) error {
	help := fs.BoolP("help", "h", false, "Show this help")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprint(env.Stdout, usage(env.name(), fs))
			return errHelp
		}
		return &usageError{msg: err.Error(), hint: hint}
	}
	if *help {
		fmt.Fprint(env.Stdout, usage(env.name(), fs))
		return errHelp
	}
	return nil
}

// oneLine keeps a message on one line, and escape sequences in what it
// quotes (a flag value, say) away from the terminal.
func oneLine(s string) string {
	return model.Sanitize(strings.Join(strings.Fields(s), " "))
}

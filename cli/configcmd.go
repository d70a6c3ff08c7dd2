package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/kube"
)

// runConfig is `initwatch config path|view`.
func runConfig(_ context.Context, env *Env, args []string) error {
	hint := env.name() + " config --help"
	fs := newFlagSet(env.name() + " config")
	var output string
	fs.StringVarP(&output, "output", "o", "", "Output format of path: json; default is text")
	if err := parseFlags(fs, args, env, configUsage, hint); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf(hint, "%s config takes one of: path, view", env.name())
	}
	switch fs.Arg(0) {
	case "path":
		loc, err := config.Locate(env.lookupEnv)
		if err != nil {
			return err
		}
		switch output {
		case "":
			state := "not found: built-in defaults apply"
			if loc.Exists {
				state = "exists"
			}
			_, err = fmt.Fprintf(env.Stdout, "%s (%s; chosen by %s)\n", loc.Path, state, loc.Via)
			return err
		case "json":
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(loc)
		default:
			return usageErrorf(hint, "unknown output format %q: use -o json, or no -o for text", output)
		}
	case "view":
		if output != "" {
			return usageErrorf(hint, "config view prints YAML; -o applies to config path only")
		}
		s, err := config.Load(env.lookupEnv, config.Flags{})
		if err != nil {
			return err
		}
		return config.WriteView(env.Stdout, s)
	default:
		return usageErrorf(hint, "unknown config command %q: use path or view", fs.Arg(0))
	}
}

func configUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Show where %[1]s reads its config file from, and the settings in effect.

Usage:
  %[1]s config path [-o json]
      the file's path, whether it exists, and what chose it
  %[1]s config view
      the settings in effect, as a config file, each commented with where its
      value came from

The file is $%[2]s, else $XDG_CONFIG_HOME/initwatch/config.yaml,
else ~/.config/initwatch/config.yaml. Example:

  theme: dark                    # auto, dark, light, high-contrast, mono
  namespaces: [shop, payments]   # scope without -n or -A; default: all
  logs:
    tail: 200                    # log lines shown when a log opens
    buffer: 10000                # log lines kept per container
  keys:                          # binding name: keys
    list.filter: ["/", "ctrl+f"]

Flags override environment variables, which override the file:
  $%[3]s (like --theme), $%[4]s ("all" or a comma-separated
  list; like -n / -A), $%[5]s (like --tail).

Flags:
`, name, config.EnvConfig, config.EnvTheme, config.EnvNamespace, config.EnvLogTail)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

// loadSettings resolves the settings for a command whose flags fs has
// parsed, and narrows kf's scope to the configured namespaces when neither
// -n nor -A was given (kubectl's flags always win).
func loadSettings(env *Env, fs *pflag.FlagSet, kf *kube.ConfigFlags) (config.Settings, error) {
	var flags config.Flags
	if f := fs.Lookup("theme"); f != nil && f.Changed {
		v := f.Value.String()
		flags.Theme = &v
	}
	if f := fs.Lookup("tail"); f != nil && f.Changed {
		var n int
		if _, err := fmt.Sscan(f.Value.String(), &n); err == nil {
			flags.LogTail = &n
		}
	}
	switch {
	case kf.AllNamespaces:
		flags.Scope, flags.ScopeFlag = &config.Scope{All: true}, "--all-namespaces"
	case len(kf.Namespaces) > 0:
		flags.Scope, flags.ScopeFlag = &config.Scope{Namespaces: kf.Namespaces}, "--namespace"
	}
	s, err := config.Load(env.lookupEnv, flags)
	if err != nil {
		return config.Settings{}, err
	}
	if flags.Scope == nil && !s.Scope.All {
		kf.Namespaces = append([]string(nil), s.Scope.Namespaces...)
	}
	return s, nil
}

// lookupEnv reads the environment through Env, so tests control it.
func (e *Env) lookupEnv(key string) (string, bool) {
	if e.LookupEnv != nil {
		return e.LookupEnv(key)
	}
	return os.LookupEnv(key)
}

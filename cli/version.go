package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/initwatch/initwatch/buildinfo"
)

// version is the version the User-Agent and `initwatch version` report.
func version() string { return buildinfo.Get().Version }

// runVersion is `initwatch version` (and `initwatch --version`).
func runVersion(_ context.Context, env *Env, args []string) error {
	hint := env.name() + " version --help"
	fs := newFlagSet(env.name() + " version")
	var output string
	fs.StringVarP(&output, "output", "o", "", "Output format: json; default is text")
	if err := parseFlags(fs, args, env, versionUsage, hint); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf(hint, "%s version takes no arguments, got %q", env.name(), fs.Arg(0))
	}
	info := buildinfo.Get()
	switch output {
	case "":
		_, err := fmt.Fprint(env.Stdout, info.String())
		return err
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	default:
		return usageErrorf(hint, "unknown output format %q: use -o json, or no -o for text", output)
	}
}

func versionUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Print the version of %[1]s, the commit and date it was built from, and the
Go and client-go versions it was built with.

Usage:
  %[1]s version [flags]
  %[1]s --version

Flags:
`, name)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

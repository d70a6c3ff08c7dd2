package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

func rootUsage(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString(`initwatch shows, live, how Kubernetes pods get through initialization:
which pods are stuck, on which init container, why, and since when.

Usage:
  initwatch [flags]            start the terminal UI
  initwatch <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("  help     Show help for a command (initwatch help get)\n")
	b.WriteString("\nFlags:\n")
	b.WriteString(fs.FlagUsages())
	b.WriteString("\nBy default every namespace is watched; -n narrows the scope.\n")
	return b.String()
}

func getUsage(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString(`Print pods with their READY, STATUS, RESTARTS and AGE exactly as kubectl
prints them, plus their init progress (INIT, e.g. 2/4) and the init container
that holds them up (ACTIVE).

Usage:
  initwatch get [flags]

Examples:
  initwatch get                      # all namespaces
  initwatch get -n shop -l app=web   # one namespace, by label
  initwatch get -w                   # the table, then one line per change
  initwatch get -o json              # the model, for scripts

Flags:
`)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

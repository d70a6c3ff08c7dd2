package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

func rootUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `initwatch shows, live, how Kubernetes pods get through initialization:
which pods are stuck, on which init container, why, and since when.

Usage:
  %[1]s [flags]            start the terminal UI
  %[1]s <command> [flags]

Commands:
`, name)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-10s Show help for a command (%s help get)\n", "help", name)
	b.WriteString("\nFlags:\n")
	b.WriteString(fs.FlagUsages())
	b.WriteString("\nBy default every namespace is watched; -n narrows the scope.\n")
	return b.String()
}

func getUsage(name string, fs *pflag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Print pods with their READY, STATUS, RESTARTS and AGE exactly as kubectl
prints them, plus their init progress (INIT, e.g. 2/4) and the init container
that holds them up (ACTIVE).

Usage:
  %[1]s get [flags]

Examples:
  %[1]s get                      # all namespaces
  %[1]s get -n shop -l app=web   # one namespace, by label
  %[1]s get -w                   # the table, then one line per change
  %[1]s get -o json              # the model, for scripts
  %[1]s get --demo               # the simulated cluster 40s in: no kubeconfig, no network

Flags:
`, name)
	b.WriteString(fs.FlagUsages())
	return b.String()
}

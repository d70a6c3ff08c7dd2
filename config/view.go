package config

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/initwatch/initwatch/keymap"
)

// WriteView writes the effective settings as a config file the user could
// save, each line commented with where its value came from, followed by
// every key binding name the keys section accepts.
func WriteView(w io.Writer, s Settings) error {
	var b strings.Builder
	state := "not found; built-in defaults apply"
	if s.File.Exists {
		state = "read"
	}
	fmt.Fprintf(&b, "# config file: %s (%s)\n", display(s.File.Path), state)
	row := func(indent, key, value, origin string) {
		fmt.Fprintf(&b, "%s%-*s # %s\n", indent, 30-len(indent), key+": "+value, origin)
	}
	row("", "theme", yamlString(s.Theme), s.Origins["theme"].String())
	row("", "namespaces", scopeYAML(s.Scope), s.Origins["scope"].String())
	b.WriteString("logs:\n")
	row("  ", "tail", strconv.Itoa(s.LogTail), s.Origins["logs.tail"].String())
	row("  ", "buffer", strconv.Itoa(s.LogBuffer), s.Origins["logs.buffer"].String())

	km := keymap.Default()
	if len(s.Keys) == 0 {
		b.WriteString("keys: {}\n")
	} else {
		b.WriteString("keys:\n")
		set := make([]string, 0, len(s.Keys))
		for n := range s.Keys {
			set = append(set, n)
		}
		sort.Strings(set)
		for _, n := range set {
			row("  ", n, listYAML(s.Keys[n]), s.Origins["keys."+n].String())
		}
	}
	if len(s.Clusters) > 0 {
		b.WriteString("clusters:\n")
		names := make([]string, 0, len(s.Clusters))
		for n := range s.Clusters {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			row("  ", yamlString(n), listYAML(s.Clusters[n]), s.Origins["clusters."+n].String())
		}
	}
	b.WriteString("# key binding names the keys section accepts:\n")
	for _, n := range km.Names() {
		fmt.Fprintf(&b, "#   %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func scopeYAML(s Scope) string {
	if s.All || len(s.Namespaces) == 0 {
		return "all"
	}
	return listYAML(s.Namespaces)
}

func listYAML(items []string) string {
	quoted := make([]string, len(items))
	for i, it := range items {
		quoted[i] = yamlString(it)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// yamlString quotes every value the same way, which is always valid YAML
// and keeps control characters escaped.
func yamlString(s string) string { return strconv.Quote(s) }

package buildinfo

import "strings"

// Name is the program's own name.
const Name = "initwatch"

// pluginPrefix is how kubectl finds plugins on PATH.
const pluginPrefix = "kubectl-"

// completionPrefix is how kubectl finds a plugin's completion helper:
// `kubectl initwatch <TAB>` runs kubectl_complete-initwatch with the words.
const completionPrefix = "kubectl_complete-"

// CommandName is how help and usage lines should spell the command, given
// the path the binary was started as (os.Args[0]). Installed as
// kubectl-initwatch (by krew or by hand) it is run as `kubectl initwatch`,
// so that is what users must type. kubectl reads "-" in a plugin file name
// as a space between subcommands and "_" as a "-" in one, and so does this. Any other name is initwatch:
// the help text describes the product, not a local rename.
func CommandName(argv0 string) string {
	base := baseName(argv0)
	if plugin, ok := strings.CutPrefix(base, completionPrefix); ok && plugin != "" {
		base = pluginPrefix + plugin
	}
	if plugin, ok := strings.CutPrefix(base, pluginPrefix); ok && plugin != "" {
		words := strings.ReplaceAll(plugin, "-", " ")
		return "kubectl " + strings.ReplaceAll(words, "_", "-")
	}
	return Name
}

// IsCompletionHelper reports whether the binary was started as kubectl's
// completion helper for the plugin (a kubectl_complete-initwatch link), in
// which case its arguments are a completion request.
func IsCompletionHelper(argv0 string) bool {
	plugin, ok := strings.CutPrefix(baseName(argv0), completionPrefix)
	return ok && plugin != ""
}

// baseName is the file name of argv0 without directory or ".exe".
func baseName(argv0 string) string {
	base := argv0
	// Both separators: a Windows path reaches a Linux-built test as-is.
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	if len(base) > len(".exe") && strings.EqualFold(base[len(base)-len(".exe"):], ".exe") {
		base = base[:len(base)-len(".exe")]
	}
	return base
}

// IsPlugin reports whether CommandName(argv0) is a kubectl plugin call.
func IsPlugin(argv0 string) bool {
	return strings.HasPrefix(CommandName(argv0), "kubectl ")
}

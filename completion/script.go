package completion

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed scripts
var scripts embed.FS

// Shells lists the shells Script supports.
var Shells = []string{"bash", "zsh", "fish"}

var scriptFiles = map[string]string{"bash": "scripts/bash.sh", "zsh": "scripts/zsh.zsh", "fish": "scripts/fish.fish"}

// Script returns the completion script for shell, registered for the
// command prog (the name the user types: "initwatch", or
// "kubectl-initwatch" when called by that name).
func Script(shell, prog string) (string, error) {
	file, ok := scriptFiles[shell]
	if !ok {
		return "", fmt.Errorf("unsupported shell %q (choose one of %s)", shell, strings.Join(Shells, ", "))
	}
	if prog == "" || strings.ContainsAny(prog, " \t\n'\"$`\\;|&<>()*?[]{}") {
		return "", fmt.Errorf("cannot write a completion script for the command name %q", prog)
	}
	data, err := scripts.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read embedded %s script: %w", shell, err)
	}
	return strings.ReplaceAll(string(data), "@PROG@", prog), nil
}

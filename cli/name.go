package cli

import "github.com/initwatch/initwatch/buildinfo"

// name is how help, usage and hints spell the command.
func (e *Env) name() string {
	if e.Name == "" {
		return buildinfo.Name
	}
	return e.Name
}

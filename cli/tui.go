package cli

import (
	"context"
	"errors"

	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/kube"
)

// runTUI starts the terminal UI on the resolved flags. It is the single hook
// between the command line and package tui; until that package has an entry
// point, `initwatch` without a command says so and exits 1, and `initwatch
// get` is the way to look at a cluster.
func runTUI(_ context.Context, _ *Env, _ *kube.ConfigFlags, _ config.Settings) error {
	return errors.New("the terminal UI is not built yet; use `initwatch get` (or `initwatch get -w`)")
}

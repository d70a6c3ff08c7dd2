// Command initwatch shows, live, how Kubernetes pods get through
// initialization. See package cli for the command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/initwatch/initwatch/cli"
)

func main() {
	// Ctrl-C or SIGTERM cancels the context: watches stop cleanly and the
	// command returns instead of being killed mid-write.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}

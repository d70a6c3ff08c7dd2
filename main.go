// Command initwatch shows, live, how Kubernetes pods get through
// initialization. See package cli for the command line.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/initwatch/initwatch/buildinfo"
	"github.com/initwatch/initwatch/cli"
)

func main() {
	// Ctrl-C or SIGTERM cancels the context: watches stop cleanly and the
	// command returns instead of being killed mid-write.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	args := os.Args[1:]
	if buildinfo.IsCompletionHelper(os.Args[0]) {
		// Run as kubectl_complete-initwatch: kubectl passes the words of
		// `kubectl initwatch ...` being completed.
		args = append([]string{"__complete"}, args...)
	}
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Name: buildinfo.CommandName(os.Args[0])}
	code := cli.Main(ctx, args, env)
	stop()
	os.Exit(code)
}

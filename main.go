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
	"github.com/initwatch/initwatch/profiling"
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
	// Profilers only when a benchmark asks for them (INITWATCH_CPUPROFILE…).
	stopProfiling, err := profiling.Start(os.Getenv)
	if err != nil {
		os.Stderr.WriteString("initwatch: " + err.Error() + "\n")
		os.Exit(1)
	}
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Name: buildinfo.CommandName(os.Args[0])}
	code := cli.Main(ctx, args, env)
	stop()
	stopProfiling()
	os.Exit(code)
}

// Package profiling turns on Go's profilers in the initwatch binary when a
// developer asks for them through the environment, so that the real binary,
// run by the benchmarks in a pseudo-terminal, can be profiled as it runs:
//
//	INITWATCH_CPUPROFILE=file  CPU profile from start to exit
//	INITWATCH_TRACE=file       execution trace from start to exit
//	INITWATCH_PPROF=host:port  net/http/pprof served there (loopback only)
//
// Nothing is on by default; the variables are for benchmarking, not users.
package profiling

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/trace"

	rpprof "runtime/pprof"
)

// Start starts what the environment (read through getenv) asks for and
// returns the function that stops it and flushes the files; call it before
// the process exits. An unusable setting is an error, so a benchmark never
// measures a run it believes profiled when it was not.
func Start(getenv func(string) string) (stop func(), err error) {
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if path := getenv("INITWATCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("INITWATCH_CPUPROFILE: %w", err)
		}
		if err := rpprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("INITWATCH_CPUPROFILE: %w", err)
		}
		stops = append(stops, func() {
			rpprof.StopCPUProfile()
			_ = f.Close()
		})
	}
	if path := getenv("INITWATCH_TRACE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			if err = trace.Start(f); err != nil {
				_ = f.Close()
			}
		}
		if err != nil {
			stopAll()
			return nil, fmt.Errorf("INITWATCH_TRACE: %w", err)
		}
		stops = append(stops, func() {
			trace.Stop()
			_ = f.Close()
		})
	}
	if addr := getenv("INITWATCH_PPROF"); addr != "" {
		srv, _, err := serve(addr)
		if err != nil {
			stopAll()
			return nil, fmt.Errorf("INITWATCH_PPROF: %w", err)
		}
		stops = append(stops, func() { _ = srv.Close() })
	}
	return stopAll, nil
}

// serve serves the pprof handlers on addr, which must be a loopback
// address: the profiles show what the cluster holds. It returns the address
// listened on (addr may ask for any port).
func serve(addr string) (*http.Server, net.Addr, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, nil, fmt.Errorf("%s: only a loopback address may serve profiles", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux}
	// Owned by srv: Close in the returned stop ends it.
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "INITWATCH_PPROF:", err)
		}
	}()
	return srv, ln.Addr(), nil
}

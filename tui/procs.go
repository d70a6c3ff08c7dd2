package tui

import (
	"os"
	"runtime"
)

// minProcs is the fewest Ps (GOMAXPROCS) the terminal UI runs with.
//
// A change reaches the screen through a chain of goroutines (the watch
// connection's reader and decoder, the informer, the coalescer, the command
// that asks for a frame, Bubble Tea's event loop, which draws it), and each
// link waits for a P. With two or
// three Ps the collector has no dedicated mark worker: it marks in
// fractional and idle workers, and an idle worker keeps its P until it
// finds work queued on that P or globally, so the goroutine the chain
// wakes next waits on the other P's queue for as long as the mark runs.
// On a 2-core machine, at 50,000 pods and 5,000 changes a second, a mark
// took about 130 ms of every second and the Ps were busy with it for
// most of that (an execution trace of the run), so the probes sent
// during a mark came to the screen 60-150 ms late. Four Ps give the
// collector one dedicated worker and leave three to the chain; the
// kernel shares the cores between the threads. Measured by bench/tuiscale
// against bench/replay (3 runs of 198 probes each, one session): p99
// sent → row on screen 113 ms at GOMAXPROCS=2, 107 at 3 (still no
// dedicated worker), 42.8 at 4 and 81.2 at 8 (two dedicated workers, a
// whole core), for 12% more CPU per change at 4 than at 2; with less
// garbage per change since, 54.0 ms at 2 and 36.0 at 4.
//
// Machines with four cores or more keep Go's default, and so does one
// with a single core: with one P there is no other P's queue for work to
// wait on (an idle worker sees everything that is runnable), and the
// kernel would share that core with the dedicated worker's thread as
// with any other.
const minProcs = 4

// procsFor is the GOMAXPROCS the UI runs with, given the runtime's current
// one and whether the user chose it with the GOMAXPROCS variable.
func procsFor(current int, userSet bool) int {
	if userSet || current < 2 || current >= minProcs {
		return current
	}
	return minProcs
}

// startProcs sets GOMAXPROCS for the program's run (procsFor).
func startProcs() {
	_, set := os.LookupEnv("GOMAXPROCS")
	current := runtime.GOMAXPROCS(0)
	if n := procsFor(current, set); n != current {
		runtime.GOMAXPROCS(n)
	}
}

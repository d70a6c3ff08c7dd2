package tui

import (
	"os"
	"runtime/debug"

	tea "github.com/charmbracelet/bubbletea"
)

// steadyGCPercent is the collector's target once the initial lists are in.
//
// A watcher of 10,000 pods keeps about 60 MB of live heap for its whole
// life (bench/tuiscale measures it), and everything else it allocates is
// short-lived: decoded watch events, rows of a frame. With Go's default
// GOGC=100 the heap is allowed to double between collections, so the
// resident set settles near twice the live heap; at 50 it settles near one
// and a half, which is what keeps 10,000 pods under 120 MB. The cost is a
// collection twice as often while pods change, a fraction of a percent of
// a core at 1,000 status writes a second. The initial lists run at the
// default, so the first frame is not delayed by extra collections.
const steadyGCPercent = 50

// settleMemory runs once, as a command, after the first batch that holds
// every pod: it sets the steady collector target (unless the user chose one
// with GOGC) and hands the memory the initial lists went through back to
// the system. Decoding 10,000 pods passes several times the heap they end
// up holding; the runtime would otherwise return those pages only slowly.
func settleMemory() tea.Msg {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(steadyGCPercent)
	}
	debug.FreeOSMemory()
	return nil
}

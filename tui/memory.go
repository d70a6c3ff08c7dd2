package tui

import (
	"os"
	"runtime/debug"

	tea "github.com/charmbracelet/bubbletea"
)

// steadyGCPercent is the collector's target once the initial lists are in.
//
// A watcher of 10,000 pods keeps about 60 MB of live heap for its whole
// life, and everything else it allocates is short-lived: decoded watch
// events, the rows of a frame. With Go's default GOGC=100 the heap may
// double between collections, so the resident set settles well above the
// live heap. Measured by bench/tuiscale at 10,000 pods, 50 and
// settleMemory below give an idle resident set of about 110 MB where the
// runtime's defaults gave 125–150 MB, and 130 MB instead of 157 MB under
// some 400 status writes a second, for about a sixth more CPU per watch
// event. The initial lists run at the
// default, so the first frame does not wait for extra collections.
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

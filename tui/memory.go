package tui

import (
	"os"
	"runtime/debug"

	tea "github.com/charmbracelet/bubbletea"
)

// gcPercent is the collector's target for the whole run, the initial
// lists included.
//
// A watcher of 10,000 pods keeps about 60 MB of live heap for its whole
// life, and everything else it allocates is short-lived: decoded watch
// events, the rows of a frame. With Go's default GOGC=100 the heap may
// double between collections, so the resident set settles well above the
// live heap. Measured by bench/tuiscale at 10,000 pods, 50 and
// settleMemory below give an idle resident set of about 110 MB where the
// runtime's defaults gave 125–150 MB, and 130 MB instead of 157 MB under
// some 400 status writes a second, for about a sixth more CPU per watch
// event.
//
// The initial lists ran at the default once, so the first frame would not
// wait for extra collections; but they are where the peak comes from: at
// 50,000 pods (bench/memscale on a real apiserver, 300,000 events) the
// peak was 465-470 MB at GOGC=100, 388 MB at 50 and 350 MB at 25, for
// 6.1-6.9, 7.7 and 10.5-11.5 s of CPU over the list (bench/tuiheap, the
// same pods). 50 takes most of the peak for a fifth more CPU; 25 would
// meet the 350 MB target only by spending half again as much.
const gcPercent = 50

// startMemory sets the collector's target (unless the user chose one with
// GOGC) before the program starts; it returns true, for App.settleMemory.
func startMemory() bool {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	return true
}

// settleMemory runs once, as a command, after the first batch that holds
// every pod: it hands the memory the initial lists went through back to
// the system. Decoding 10,000 pods passes several times the heap they end
// up holding; the runtime would otherwise return those pages only slowly.
func settleMemory() tea.Msg {
	debug.FreeOSMemory()
	return nil
}

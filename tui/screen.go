package tui

import (
	"context"
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/tui/paint"
)

// newProgram builds the program Run drives. Where it can own the terminal
// (not on Windows, and only on a terminal) it draws through paint: a frame
// only when a message arrived, so a quiet cluster costs no 60 Hz ticker
// (package paint says why). Otherwise Bubble Tea's renderer draws, as it
// always did. watchSize blocks until ctx is done; closeScreen gives the
// terminal back once the program has ended.
func newProgram(ctx context.Context, app App) (p *tea.Program, watchSize func(context.Context, func(tea.Msg)), closeScreen func() error) {
	// Signals are the CLI's: SIGINT and SIGTERM cancel ctx, and the program
	// quits through it, restoring the terminal. Bubble Tea's own handler
	// would get the same signal and could block for ever sending its quit
	// message to an event loop that ctx had already ended, hanging the
	// process (e2e TestTerminalSignalsRestore).
	common := []tea.ProgramOption{tea.WithMouseCellMotion(), tea.WithContext(ctx), tea.WithoutSignalHandler()}
	screen, err := paint.OpenScreen(os.Stdout)
	if err != nil {
		p = tea.NewProgram(newGuard(app), append(common, tea.WithAltScreen())...)
		return p, func(context.Context, func(tea.Msg)) {}, func() error { return nil }
	}
	// The guard sits outside the pacing, so a panic while painting (the
	// app's View runs there) is caught like one in Update.
	paced := paint.NewPace(app, screen.Painter(), 0, nil)
	p = tea.NewProgram(newGuard(paced), append(common, tea.WithoutRenderer(), tea.WithInput(screen.Input()))...)
	return p, screen.WatchSize, screen.Close
}

package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/view"
)

// viewShortHelp adds the app's keys to a view's own.
func viewShortHelp(d []key.Binding, km *keymap.KeyMap) []key.Binding {
	out := make([]key.Binding, 0, len(d)+3)
	out = append(out, d...)
	return append(out, km.Global.Back, km.Global.Help, km.Global.Quit)
}

func viewFullHelp(d [][]key.Binding, km *keymap.KeyMap) [][]key.Binding {
	out := make([][]key.Binding, 0, len(d)+1)
	out = append(out, d...)
	return append(out, []key.Binding{km.Global.Back, km.Global.Help, km.Global.Quit})
}

// renderFullHelp draws the `?` overlay in width × height cells: the
// bindings, then a legend of the progress bar, which mono themes draw with
// distinct glyphs only.
func renderFullHelp(h help.Model, groups [][]key.Binding, th *themes.Theme, width, height int) []string {
	h.Width = width
	lines := []string{th.Title.Render("Keys"), ""}
	lines = append(lines, strings.Split(h.FullHelpView(groups), "\n")...)
	g := th.Glyphs
	legend := th.Muted.Render("INIT bar: ") +
		th.StepSucceeded.Render(g.Succeeded) + th.Muted.Render(" done  ") +
		th.StepRunning.Render(g.Running) + th.Muted.Render(" running  ") +
		th.StepFailed.Render(g.Failed) + th.Muted.Render(" failed  ") +
		th.StepWaiting.Render(g.Waiting) + th.Muted.Render(" waiting  ") +
		th.StepSidecar.Render(g.Sidecar) + th.Muted.Render(" sidecar")
	lines = append(lines, "", legend, "", th.Muted.Render("? or esc closes this help"))
	return view.ClipLines(lines, width, height)
}

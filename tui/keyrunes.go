package tui

import tea "github.com/charmbracelet/bubbletea"

// splitRunes splits a key message carrying several typed characters into
// one message per character. Bubble Tea v1 reports every printable
// character it finds in one read of the terminal as a single KeyRunes
// message: keys typed faster than it reads (a quick "jj", a slow SSH link,
// tmux send-keys) arrive as "jj", which matches no binding and would be
// dropped. A bracketed paste stays whole: it is text, not keys.
func splitRunes(msg tea.Msg) ([]tea.KeyMsg, bool) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || k.Type != tea.KeyRunes || k.Paste || len(k.Runes) < 2 {
		return nil, false
	}
	out := make([]tea.KeyMsg, len(k.Runes))
	for i, r := range k.Runes {
		out[i] = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}
	}
	return out, true
}

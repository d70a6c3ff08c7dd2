package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/sahilm/fuzzy"

	"github.com/initwatch/initwatch/themes"
)

// A query is matched fuzzily (sahilm/fuzzy) against "namespace/name"; a
// query containing "=" is matched against the pod's labels ("k=v") instead,
// since names and namespaces never contain "=".
func isLabelQuery(q string) bool { return strings.Contains(q, "=") }

// canNarrow reports whether the matches of next are a subset of the matches
// of prev, so only prev's matches need searching. A fuzzy match of a query is
// also a match of every prefix of it, the way sahilm/fuzzy walks the pattern.
func canNarrow(prev, next string) bool {
	return prev != "" && strings.HasPrefix(next, prev) && isLabelQuery(prev) == isLabelQuery(next)
}

// entrySource lets sahilm/fuzzy read the search strings of entries in place.
type entrySource []*podEntry

func (s entrySource) String(i int) string { return s[i].search }
func (s entrySource) Len() int            { return len(s) }

// matchEntries returns the candidates that match query, in their order, and
// records on each candidate whether it matched and what to highlight.
func matchEntries(query string, cands []*podEntry) []*podEntry {
	for _, e := range cands {
		e.matched, e.highlight = false, nil
	}
	if isLabelQuery(query) {
		out := make([]*podEntry, 0, len(cands)/4)
		for _, e := range cands {
			if matchLabels(query, e) {
				e.matched = true
				out = append(out, e)
			}
		}
		return out
	}
	matches := fuzzy.FindFromNoSort(query, entrySource(cands))
	out := make([]*podEntry, 0, len(matches))
	for _, m := range matches {
		e := cands[m.Index]
		e.matched, e.highlight = true, m.MatchedIndexes
		out = append(out, e)
	}
	return out
}

// matchOne evaluates query against one entry (one that changed while a
// filter is active).
func matchOne(query string, e *podEntry) {
	e.matched, e.highlight = false, nil
	if query == "" {
		e.matched = true
		return
	}
	if isLabelQuery(query) {
		e.matched = matchLabels(query, e)
		return
	}
	if ms := fuzzy.Find(query, []string{e.search}); len(ms) == 1 {
		e.matched, e.highlight = true, ms[0].MatchedIndexes
	}
}

func matchLabels(query string, e *podEntry) bool {
	return len(e.labels) > 0 && len(fuzzy.FindNoSort(query, e.labels)) > 0
}

// newFilterInput is the line editor shown while typing a filter. The cursor
// does not blink: blinking would wake the program twice a second for nothing.
func newFilterInput(th themes.Theme) textinput.Model {
	in := textinput.New()
	in.Prompt = "/"
	in.PromptStyle = th.Title
	in.TextStyle = th.Base
	in.Placeholder = "namespace/name or label=value"
	in.PlaceholderStyle = th.Muted
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Cursor.Style = th.SelectedRow
	in.CharLimit = 253
	return in
}

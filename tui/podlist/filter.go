package podlist

import (
	"strings"
	"unicode/utf8"

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

// matchEntries returns the candidates that match query, in their order,
// and records on each candidate whether it matched. Highlights are left to
// highlight: only rows on screen need them.
func matchEntries(query string, cands []*podEntry) []*podEntry {
	m := newMatcher(query)
	out := make([]*podEntry, 0, len(cands)/4)
	for _, e := range cands {
		e.matched = m.entry(e)
		if e.matched {
			out = append(out, e)
		}
	}
	return out
}

// matchOne evaluates query against one entry (one that changed while a
// filter is active).
func matchOne(query string, e *podEntry) {
	if query == "" {
		e.matched = true
		return
	}
	m := newMatcher(query)
	e.matched = m.entry(e)
}

// matcher decides what sahilm/fuzzy decides, faster. sahilm/fuzzy matches a
// string when the pattern's characters occur in it in order, ignoring case
// (its scores only rank matches, and the list keeps its own order). For
// ASCII, the common case, that is a few IndexByte calls on a lower-cased
// copy made when the pod changed, with no allocation; other strings go
// through sahilm/fuzzy itself. TestMatcherAgreesWithFuzzy holds the two
// together.
type matcher struct {
	query  string
	lower  string // query in lower case, when ASCII
	ascii  bool
	labels bool
}

func newMatcher(query string) matcher {
	ascii := isASCII(query)
	m := matcher{query: query, ascii: ascii, labels: isLabelQuery(query)}
	if ascii {
		m.lower = strings.ToLower(query)
	}
	return m
}

func (m *matcher) entry(e *podEntry) bool {
	if !m.labels {
		return m.match(e.search, e.searchLower)
	}
	for i, l := range e.labels {
		lower := l
		if e.labelsLower != nil {
			lower = e.labelsLower[i]
		}
		if m.match(l, lower) {
			return true
		}
	}
	return false
}

// match reports whether s matches; lower is s lower-cased, or "" when s is
// not ASCII.
func (m *matcher) match(s, lower string) bool {
	if m.ascii && (lower != "" || s == "") {
		rest := lower
		for i := 0; i < len(m.lower); i++ {
			k := strings.IndexByte(rest, m.lower[i])
			if k < 0 {
				return false
			}
			rest = rest[k+1:]
		}
		return true
	}
	return len(fuzzy.Find(m.query, []string{s})) == 1
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiLower is s lower-cased when it is ASCII, else "".
func asciiLower(s string) string {
	if !isASCII(s) {
		return ""
	}
	return strings.ToLower(s)
}

// highlight returns the byte offsets of e.search that sahilm/fuzzy matches
// for query: the characters to emphasise, computed for rows on screen only.
func highlight(query string, e *podEntry) []int {
	if query == "" || isLabelQuery(query) {
		return nil
	}
	if ms := fuzzy.Find(query, []string{e.search}); len(ms) == 1 {
		return ms[0].MatchedIndexes
	}
	return nil
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

package logs

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/textinput"
)

// logSearch is the pane's search: the query, and the sequence numbers of
// the lines that match it, oldest first.
type logSearch struct {
	input   textinput.Model
	editing bool
	query   string
	fold    bool // smart case: a query without capitals ignores case
	matches []uint64
	current int // index in matches of the match jumped to, -1 if none
}

// setQuery searches the whole buffer again.
func (s *logSearch) setQuery(q string, buf *LogBuffer) {
	s.query = q
	s.fold = q == strings.ToLower(q)
	s.matches, s.current = s.matches[:0], -1
	if q == "" {
		s.matches = nil
		return
	}
	for i := 0; i < buf.Len(); i++ {
		if e := buf.At(i); e.kind == logKindLine && s.matchesLine(e.plain) {
			s.matches = append(s.matches, e.seq)
		}
	}
}

func (s *logSearch) matchesLine(plain string) bool {
	if s.fold {
		return logContainsFold(plain, s.query)
	}
	return strings.Contains(plain, s.query)
}

// logContainsFold is strings.Contains ignoring case, without allocating for
// ASCII text (the common case of log lines).
func logContainsFold(s, sub string) bool {
	return logIndexFold(s, sub, 0) >= 0
}

// logIndexFold returns the byte index of the first case-insensitive match of
// sub in s at or after from, -1 if none. sub is lower case.
func logIndexFold(s, sub string, from int) int {
	if sub == "" {
		return -1
	}
	if logIsASCII(s) && logIsASCII(sub) {
		for i := from; i+len(sub) <= len(s); i++ {
			if logASCIIEqualFold(s[i:i+len(sub)], sub) {
				return i
			}
		}
		return -1
	}
	// Rare: compare rune by rune with Unicode folding.
	for i := from; i < len(s); {
		if n := logPrefixFoldLen(s[i:], sub); n > 0 {
			return i
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return -1
}

// logPrefixFoldLen returns how many bytes of s match sub case-insensitively
// at its start, 0 if they do not.
func logPrefixFoldLen(s, sub string) int {
	i := 0
	for _, r := range sub {
		if i >= len(s) {
			return 0
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if !strings.EqualFold(string(c), string(r)) {
			return 0
		}
		i += size
	}
	return i
}

func logIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func logASCIIEqualFold(a, lowerB string) bool {
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lowerB[i] {
			return false
		}
	}
	return true
}

// spans returns the byte ranges of the query's matches in plain.
func (s *logSearch) spans(plain string) [][2]int {
	if s.query == "" {
		return nil
	}
	var out [][2]int
	for from := 0; from < len(plain); {
		var i, n int
		if s.fold {
			i = logIndexFold(plain, s.query, from)
			if i >= 0 {
				n = logPrefixFoldLen(plain[i:], s.query)
				if logIsASCII(plain) && logIsASCII(s.query) {
					n = len(s.query)
				}
			}
		} else {
			i = strings.Index(plain[from:], s.query)
			if i >= 0 {
				i += from
			}
			n = len(s.query)
		}
		if i < 0 || n == 0 {
			break
		}
		out = append(out, [2]int{i, i + n})
		from = i + n
	}
	return out
}

// prune forgets matches on lines the buffer evicted.
func (s *logSearch) prune(firstSeq uint64) {
	k := sort.Search(len(s.matches), func(i int) bool { return s.matches[i] >= firstSeq })
	if k == 0 {
		return
	}
	s.matches = append(s.matches[:0], s.matches[k:]...)
	if s.current >= 0 {
		s.current = max(s.current-k, -1)
	}
}

// isMatch reports whether the line numbered seq matches.
func (s *logSearch) isMatch(seq uint64) bool {
	i := sort.Search(len(s.matches), func(i int) bool { return s.matches[i] >= seq })
	return i < len(s.matches) && s.matches[i] == seq
}

// jumpMatch moves to the next (dir 1) or previous (dir -1) match, or with
// dir 0 to the match nearest above the bottom of the view, and scrolls it
// into view.
func (m *Model) jumpMatch(dir int) {
	n := len(m.search.matches)
	if n == 0 {
		return
	}
	cur := m.search.current
	switch {
	case cur < 0 || cur >= n || dir == 0:
		// From the view: the last match at or above the bottom line, or
		// the first below the top when going down.
		topSeq := m.buf.NextSeq()
		if !m.follow {
			topSeq = m.top.seq
		}
		cur = sort.Search(n, func(i int) bool { return m.search.matches[i] >= topSeq })
		if dir < 0 || dir == 0 && m.follow {
			cur--
		}
		if cur < 0 {
			cur = n - 1
		}
		if cur >= n {
			cur = 0
		}
	case dir > 0:
		cur = (cur + 1) % n
	default:
		cur = (cur - 1 + n) % n
	}
	m.search.current = cur
	m.showSeq(m.search.matches[cur])
}

package main

import (
	"strconv"
	"strings"
)

// Conditions on a screen (its lines, as the emulator holds them).

// initwatchShowsAll: the header counts n pods in total ("… 10000 total").
// The counts and the rows come from the same model in the same frame, so
// this is the first frame drawn with every pod in the list.
func initwatchShowsAll(n int) func([]string) bool {
	want := strconv.Itoa(n)
	return func(screen []string) bool {
		for _, l := range screen {
			if hasWords(l, want, "total") {
				return true
			}
		}
		return false
	}
}

// k9sShowsAll: k9s titles its table with the rows it holds,
// "pods(all)[10,000]"; the count is the table's row count, so it reaches n
// when the table holds every pod.
func k9sShowsAll(n int) func([]string) bool {
	want := "[" + thousands(n) + "]"
	return func(screen []string) bool {
		for _, l := range screen {
			if strings.Contains(strings.ToLower(l), "pods(all)"+want) {
				return true
			}
		}
		return false
	}
}

// filterPrompt: the filter line is open and empty (its placeholder shows).
func filterPrompt(screen []string) bool {
	for _, l := range screen {
		if strings.Contains(l, "amespace/name or label=value") {
			return true
		}
	}
	return false
}

// filteredTo: the header shows query q with m matching pods, "/q (m)".
func filteredTo(q string, m int) func([]string) bool {
	want := "/" + q + " (" + strconv.Itoa(m) + ")"
	return func(screen []string) bool {
		for _, l := range screen {
			if strings.Contains(l, want) {
				return true
			}
		}
		return false
	}
}

// unfiltered: no query in the header any more and all n pods listed.
func unfiltered(q string, n int) func([]string) bool {
	all := initwatchShowsAll(n)
	mark := "/" + q + " ("
	return func(screen []string) bool {
		for _, l := range screen {
			if strings.Contains(l, mark) || strings.Contains(l, "amespace/name or label=value") {
				return false
			}
		}
		return all(screen)
	}
}

// rowShows: a row holds pod name and, as a cell of its own, value.
func rowShows(name, value string) func([]string) bool {
	return rowWith(name, func(cell string) bool { return cell == value })
}

// rowShowsAtLeast: a line holding the word name also holds a plain number
// of at least count: a restart count as new as a probe's or newer. A client
// that coalesces may skip a probe's own value for a later one, and is then
// no less up to date; only the RESTARTS column holds such numbers (READY is
// "n/m", ages have units), and probes count from 1,000.
func rowShowsAtLeast(name string, count int) func([]string) bool {
	return rowWith(name, func(cell string) bool {
		n, err := strconv.Atoi(cell)
		return err == nil && n >= count
	})
}

// rowWith: a line holds the word name and a word that wanted accepts.
func rowWith(name string, wanted func(cell string) bool) func([]string) bool {
	return func(screen []string) bool {
		for _, l := range screen {
			if !strings.Contains(l, name) {
				continue
			}
			hasName, hasCell := false, false
			for _, w := range strings.Fields(l) {
				hasName = hasName || w == name
				hasCell = hasCell || wanted(w)
			}
			if hasName && hasCell {
				return true
			}
		}
		return false
	}
}

// allRows: every name is on a row of its own.
func allRows(names []string) func([]string) bool {
	return func(screen []string) bool {
		seen := 0
		for _, name := range names {
			for _, l := range screen {
				if hasWords(l, name) {
					seen++
					break
				}
			}
		}
		return seen == len(names)
	}
}

// hasWords reports whether words occur in line as consecutive
// space-separated words.
func hasWords(line string, words ...string) bool {
	f := strings.Fields(line)
	for i := 0; i+len(words) <= len(f); i++ {
		match := true
		for k, w := range words {
			if f[i+k] != w {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// thousands formats n as k9s does: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

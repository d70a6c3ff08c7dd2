package config

import (
	"strconv"
	"strings"
)

// display makes a path (which may come from the environment) safe to print:
// one with control characters is quoted, so an escape sequence in
// $INITWATCH_CONFIG cannot reach the terminal raw.
func display(path string) string {
	if strings.IndexFunc(path, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) >= 0 {
		return strconv.Quote(path)
	}
	return path
}

// oneLine keeps the first line of a message: errors are one line.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

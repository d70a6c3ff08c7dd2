package rollout

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxPatternBytes bounds a pattern: two messages that agree this far are
// one cause, and a 1 MiB termination message must not become a map key.
const maxPatternBytes = 512

// Patterns of the parts of a message that differ from pod to pod without
// saying anything about the cause, in the order they are replaced (the
// specific before the general).
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`), "<uuid>"},
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?`), "<time>"},
	{regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`), "<ip>"},
	{regexp.MustCompile(`\[[0-9a-fA-F:]*:[0-9a-fA-F:]*\](:\d+)?`), "<ip>"},
	{regexp.MustCompile(`\b(sha256:)?[0-9a-f]{12,}\b`), "<hash>"},
	{regexp.MustCompile(`\d+`), "N"},
}

var spaces = regexp.MustCompile(`\s+`)

// Normalize returns the form of a failure message that pods failing for the
// same cause share: the pod's own name and its node's replaced by <pod> and
// <node>, then UUIDs, timestamps, IP addresses, long hex hashes and numbers
// by placeholders, whitespace collapsed, cut at 512 bytes. Exit codes and
// signals are keys of their own, so losing numbers here merges nothing they
// tell apart.
func Normalize(msg, pod, node string) string {
	if msg == "" {
		return ""
	}
	if len(msg) > 4*maxPatternBytes {
		msg = msg[:4*maxPatternBytes]
	}
	if pod != "" {
		msg = strings.ReplaceAll(msg, pod, "<pod>")
	}
	if node != "" {
		msg = strings.ReplaceAll(msg, node, "<node>")
	}
	for _, v := range volatile {
		msg = v.re.ReplaceAllString(msg, v.with)
	}
	msg = strings.TrimSpace(spaces.ReplaceAllString(msg, " "))
	if len(msg) > maxPatternBytes {
		cut := maxPatternBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	return msg
}

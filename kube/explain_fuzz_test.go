package kube

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// FuzzExplain feeds Explain errors whose text comes from outside (a server's
// status message, a namespace in a refusal, a wrapped transport error): the
// line it returns goes straight to stderr or the header, so it must be one
// printable line of bounded length, whatever the server said.
func FuzzExplain(f *testing.F) {
	for _, s := range []string{
		"", "plain", "pods is forbidden: User \"x\" cannot list", "\x1b]0;title\x07", "\x1b[2J\x1b[H",
		"a\nb\rc\td", "\u202eevil\u202c", "zero\u200bwidth", "\xff\xfe", "\u009b2J", strings.Repeat("long ", 500),
	} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, msg string, kind uint8) {
		var err error
		gr := schema.GroupResource{Resource: "pods"}
		switch kind % 6 {
		case 0:
			err = apierrors.NewForbidden(gr, msg, errors.New(msg))
		case 1:
			err = apierrors.NewUnauthorized(msg)
		case 2:
			err = &ForbiddenError{Scopes: []string{"", msg}, Err: apierrors.NewForbidden(gr, "", errors.New(msg))}
		case 3:
			err = fmt.Errorf("list pods in namespace %q: %w", msg, apierrors.NewInternalError(errors.New(msg)))
		case 4:
			err = &SelectorError{Flag: "label selector", Value: msg, Err: errors.New(msg)}
		default:
			err = errors.New(msg)
		}
		out := Explain(err)
		if !utf8.ValidString(out) {
			t.Fatalf("Explain(%q) = %q is not valid UTF-8", msg, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || isInvisible(r) {
				t.Fatalf("Explain(%q) = %q holds %U", msg, out, r)
			}
		}
		if n := utf8.RuneCountInString(out); n > maxLineRunes+1 {
			t.Fatalf("Explain output has %d runes, more than %d", n, maxLineRunes+1)
		}
		if out == "" && kind%6 != 5 {
			t.Fatalf("Explain(%#v) is empty", err)
		}
	})
}

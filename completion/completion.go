// Package completion answers shell completion requests for initwatch.
//
// The shell scripts (bash, zsh, fish; see Script) are thin: on every TAB
// they run `initwatch __complete <words...> <current word>` and show what it
// prints. All the knowledge — commands, flags, which flags take values, and
// the values themselves (contexts from the kubeconfig, namespaces from the
// cluster, themes) — lives here in Go, where it is tested, and is the same
// for every shell. The output protocol is cobra's (one candidate per line,
// "value<TAB>description", then ":<directive>"), which is also what kubectl
// expects from a plugin's kubectl_complete-<name> helper, so the same
// command serves `kubectl initwatch <TAB>`.
package completion

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// Directive tells the shell what to do besides showing the candidates.
// The values are cobra's ShellCompDirective bits, which kubectl relays.
type Directive int

const (
	// DirectiveDefault lets the shell complete file names when there are no
	// candidates.
	DirectiveDefault Directive = 0
	// DirectiveError means completion failed; the shell shows nothing.
	DirectiveError Directive = 1
	// DirectiveNoSpace keeps the cursor on the word after completing it.
	DirectiveNoSpace Directive = 2
	// DirectiveNoFileComp means no file names, even with no candidates.
	DirectiveNoFileComp Directive = 4
)

// Candidate is one completion.
type Candidate struct {
	Value       string
	Description string
}

// Request is what a value or argument completer gets.
type Request struct {
	// Args are the words of the command being completed, before the
	// current one, without the command names themselves.
	Args []string
	// Flags is the command's flag set with Args parsed into it (unknown
	// flags ignored), so a completer can honour --kubeconfig or --context
	// typed earlier on the line.
	Flags *pflag.FlagSet
	// ToComplete is the partial value being completed.
	ToComplete string
}

// Func completes a flag value or a positional argument. It must return
// quickly and never fail loudly: completion that errors shows nothing.
type Func func(ctx context.Context, req Request) ([]Candidate, Directive)

// Command is a command as completion sees it.
type Command struct {
	Name    string
	Summary string
	Hidden  bool
	// Flags returns a fresh flag set with the command's flags; nil means
	// none.
	Flags func() *pflag.FlagSet
	// Args completes positional arguments; nil means none.
	Args func(ctx context.Context, req Request, positional []string) ([]Candidate, Directive)
	// Subcommands are recognised as the first word after the command.
	Subcommands []*Command
}

// Completer holds the command tree and the flag value completers.
type Completer struct {
	Root *Command
	// Values complete a flag's value, by the flag's long name.
	Values map[string]Func
	// FileFlags take a file name: with no candidates the shell completes
	// paths for them.
	FileFlags []string
}

func (c *Command) flagSet() *pflag.FlagSet {
	var fs *pflag.FlagSet
	if c.Flags != nil {
		fs = c.Flags()
	}
	if fs == nil {
		fs = pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	}
	fs.SetOutput(io.Discard)
	fs.ParseErrorsAllowlist.UnknownFlagsHandling = pflag.IgnoreUnknownFlag
	return fs
}

func (c *Command) subcommand(name string) *Command {
	for _, s := range c.Subcommands {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Complete returns the candidates for words, the command line after the
// program name; the last word is the one being completed ("" when the
// cursor follows a space).
func (c *Completer) Complete(ctx context.Context, words []string) ([]Candidate, Directive) {
	if len(words) == 0 {
		words = []string{""}
	}
	toComplete := words[len(words)-1]
	prev := words[:len(words)-1]

	cmd := c.Root
	fs := cmd.flagSet()
	var args, positional []string
	dashDash := false
	// pending is a flag whose value is the next word.
	var pending *pflag.Flag
	for _, w := range prev {
		switch {
		case pending != nil:
			args = append(args, w)
			pending = nil
		case dashDash || w == "-" || !strings.HasPrefix(w, "-"):
			if sub := cmd.subcommand(w); sub != nil && !dashDash && len(args) == 0 {
				cmd, fs, args, positional = sub, sub.flagSet(), nil, nil
				continue
			}
			args = append(args, w)
			positional = append(positional, w)
		case w == "--":
			args = append(args, w)
			dashDash = true
		default:
			args = append(args, w)
			pending = valueFlag(fs, w)
		}
	}
	_ = fs.Parse(args) // best effort: only what was given matters here
	req := Request{Args: args, Flags: fs}

	var cands []Candidate
	var dir Directive
	switch {
	case pending != nil:
		req.ToComplete = toComplete
		cands, dir = c.value(ctx, pending, req, "")
	case !dashDash && strings.HasPrefix(toComplete, "--") && strings.Contains(toComplete, "="):
		name, val, _ := strings.Cut(toComplete[2:], "=")
		f := fs.Lookup(name)
		if f == nil {
			return nil, DirectiveNoFileComp
		}
		req.ToComplete = val
		cands, dir = c.value(ctx, f, req, "--"+name+"=")
	case !dashDash && strings.HasPrefix(toComplete, "-"):
		cands, dir = flagNames(fs, toComplete), DirectiveNoFileComp
	default:
		req.ToComplete = toComplete
		if len(args) == 0 {
			for _, s := range cmd.Subcommands {
				if !s.Hidden {
					cands = append(cands, Candidate{s.Name, s.Summary})
				}
			}
		}
		dir = DirectiveNoFileComp
		if cmd.Args != nil {
			more, d := cmd.Args(ctx, req, positional)
			cands, dir = append(cands, more...), d
		}
		cands = filter(cands, toComplete)
	}
	return safe(cands), dir
}

// valueFlag returns the flag that takes the next word as its value, if
// word (a flag, e.g. "--context", "-n", "-An") leaves one pending.
func valueFlag(fs *pflag.FlagSet, word string) *pflag.Flag {
	if name, ok := strings.CutPrefix(word, "--"); ok {
		if strings.Contains(name, "=") {
			return nil
		}
		if f := fs.Lookup(name); f != nil && takesValue(f) {
			return f
		}
		return nil
	}
	// Shorthands combine: in "-An", A is a bool and n takes the next word;
	// in "-nkube-system" the value is attached.
	short := word[1:]
	for i := 0; i < len(short); i++ {
		f := fs.ShorthandLookup(short[i : i+1])
		if f == nil {
			return nil
		}
		if takesValue(f) {
			if i == len(short)-1 {
				return f
			}
			return nil
		}
	}
	return nil
}

func takesValue(f *pflag.Flag) bool { return f.NoOptDefVal == "" }

// repeatable flags may be given more than once, so stay offered. A value
// that is a pflag.SliceValue is a list whatever its type name (--context
// calls itself "strings" to read as kubectl's help does).
func repeatable(f *pflag.Flag) bool {
	if _, ok := f.Value.(pflag.SliceValue); ok {
		return true
	}
	t := f.Value.Type()
	return strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array") || t == "count"
}

func flagNames(fs *pflag.FlagSet, toComplete string) []Candidate {
	var cands []Candidate
	withShort := !strings.HasPrefix(toComplete, "--")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" || (f.Changed && !repeatable(f)) {
			return
		}
		desc := firstLine(f.Usage)
		cands = append(cands, Candidate{"--" + f.Name, desc})
		if withShort && f.Shorthand != "" && f.ShorthandDeprecated == "" {
			cands = append(cands, Candidate{"-" + f.Shorthand, desc})
		}
	})
	return filter(cands, toComplete)
}

// value completes the value of flag f; prefix is prepended to every
// candidate ("--context=" when the value was attached with "=").
func (c *Completer) value(ctx context.Context, f *pflag.Flag, req Request, prefix string) ([]Candidate, Directive) {
	fn := c.Values[f.Name]
	if fn == nil {
		if slices.Contains(c.FileFlags, f.Name) {
			return nil, DirectiveDefault
		}
		return nil, DirectiveNoFileComp
	}
	// A list flag takes "a,b,c": complete the item after the last comma,
	// offering only items not listed yet, in this word or in an earlier
	// use of the flag (parsed into req.Flags).
	var listed []string
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		listed = append(listed, sv.GetSlice()...)
	}
	if repeatable(f) {
		if i := strings.LastIndexByte(req.ToComplete, ','); i >= 0 {
			listed = append(listed, strings.Split(req.ToComplete[:i], ",")...)
			prefix += req.ToComplete[:i+1]
			req.ToComplete = req.ToComplete[i+1:]
		}
	}
	cands, dir := fn(ctx, req)
	cands = filter(cands, req.ToComplete)
	out := cands[:0]
	for _, cand := range cands {
		if slices.Contains(listed, cand.Value) {
			continue
		}
		cand.Value = prefix + cand.Value
		out = append(out, cand)
	}
	return out, dir
}

func filter(cands []Candidate, prefix string) []Candidate {
	out := cands[:0]
	for _, c := range cands {
		if strings.HasPrefix(c.Value, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// safe drops candidates that cannot be typed back (control characters,
// which would also reach the terminal raw) and cleans descriptions.
func safe(cands []Candidate) []Candidate {
	out := make([]Candidate, 0, len(cands))
	for _, c := range cands {
		if c.Value == "" || strings.IndexFunc(c.Value, isControl) >= 0 {
			continue
		}
		c.Description = strings.Map(func(r rune) rune {
			if isControl(r) {
				return ' '
			}
			return r
		}, c.Description)
		out = append(out, c)
	}
	return out
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// Write prints candidates and the directive in the protocol the scripts and
// kubectl read.
func Write(w io.Writer, cands []Candidate, dir Directive) error {
	var b strings.Builder
	for _, c := range cands {
		b.WriteString(c.Value)
		if c.Description != "" {
			b.WriteByte('\t')
			b.WriteString(c.Description)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, ":%d\n", dir)
	_, err := io.WriteString(w, b.String())
	return err
}
